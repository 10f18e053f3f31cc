"""Log lines as text or as JSON objects (one per line) carrying the correlation and event id of
the work they describe, so one request can be followed across every service's logs."""
from __future__ import annotations

import contextvars
import json
import logging
from datetime import datetime, timezone

CORRELATION = contextvars.ContextVar("correlation_id", default=None)
EVENT = contextvars.ContextVar("event_id", default=None)


def bind(correlation_id: str | None, event_id: str | None = None) -> None:
    """Called where a worker starts (each runs in its own green thread, with its own context)."""
    CORRELATION.set(correlation_id)
    EVENT.set(event_id)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(),
                "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        for key, var in (("correlation_id", CORRELATION), ("event_id", EVENT)):
            if var.get() is not None:
                line[key] = var.get()
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure(level: str, form: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if form == "json" else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)
