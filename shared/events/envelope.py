"""The event envelope: a CloudEvents 1.0 structured-mode JSON document.

Every event tsunagu publishes is one of these, so an agency's system can parse it with any
CloudEvents SDK. ``correlationid`` ties together everything one request caused and
``causationid`` names the event that directly caused this one, so the monitor can draw a trace.
The schema version travels in ``dataschema`` (``urn:tsunagu:event:<type>:<version>``).
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

SPECVERSION = "1.0"
CONTENT_TYPE = "application/cloudevents+json"
_SCHEMA_PREFIX = "urn:tsunagu:event:"
_REQUIRED = ("specversion", "id", "source", "type", "dataschema")


class MalformedEnvelope(ValueError):
    """The bytes are not a tsunagu CloudEvent (bad JSON or a missing/invalid attribute)."""


def dataschema_for(event_type: str, version: int) -> str:
    return f"{_SCHEMA_PREFIX}{event_type}:{version}"


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Envelope:
    type: str
    version: int
    source: str
    data: dict
    subject: str | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: datetime = field(default_factory=_now)
    correlationid: str | None = None
    causationid: str | None = None

    def __post_init__(self):
        if self.correlationid is None:
            object.__setattr__(self, "correlationid", self.id)

    @property
    def dataschema(self) -> str:
        return dataschema_for(self.type, self.version)

    def caused(self, event_type: str, version: int, source: str, data: dict,
               subject: str | None = None) -> "Envelope":
        """A new event caused by this one: same correlation, causation = this id."""
        return Envelope(type=event_type, version=version, source=source, data=data,
                        subject=self.subject if subject is None else subject,
                        correlationid=self.correlationid, causationid=self.id)

    def with_data(self, data: dict, version: int | None = None) -> "Envelope":
        return replace(self, data=data, version=self.version if version is None else version)

    def to_dict(self) -> dict:
        doc = {
            "specversion": SPECVERSION,
            "id": self.id,
            "source": self.source,
            "type": self.type,
            "time": self.time.isoformat().replace("+00:00", "Z"),
            "datacontenttype": "application/json",
            "dataschema": self.dataschema,
            "correlationid": self.correlationid,
            "data": self.data,
        }
        if self.subject is not None:
            doc["subject"] = self.subject
        if self.causationid is not None:
            doc["causationid"] = self.causationid
        return doc

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"),
                          default=str)

    @classmethod
    def from_dict(cls, doc) -> "Envelope":
        if not isinstance(doc, dict):
            raise MalformedEnvelope("envelope is not a JSON object")
        missing = [name for name in _REQUIRED if not doc.get(name)]
        if missing:
            raise MalformedEnvelope(f"missing CloudEvents attributes: {', '.join(missing)}")
        if doc["specversion"] != SPECVERSION:
            raise MalformedEnvelope(f"unsupported specversion {doc['specversion']!r}")
        schema = str(doc["dataschema"])
        event_type, version = _parse_dataschema(schema)
        if event_type != doc["type"]:
            raise MalformedEnvelope(f"dataschema {schema!r} does not match type {doc['type']!r}")
        data = doc.get("data", {})
        if not isinstance(data, dict):
            raise MalformedEnvelope("data is not a JSON object")
        try:
            time = datetime.fromisoformat(str(doc.get("time")).replace("Z", "+00:00"))
        except ValueError as exc:
            raise MalformedEnvelope(f"time is not RFC 3339: {doc.get('time')!r}") from exc
        return cls(type=event_type, version=version, source=str(doc["source"]), data=data,
                   subject=doc.get("subject"), id=str(doc["id"]), time=time,
                   correlationid=doc.get("correlationid") or str(doc["id"]),
                   causationid=doc.get("causationid"))

    @classmethod
    def from_json(cls, body: bytes | str) -> "Envelope":
        try:
            doc = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise MalformedEnvelope(f"body is not JSON: {exc}") from exc
        return cls.from_dict(doc)


def _parse_dataschema(schema: str) -> tuple[str, int]:
    if not schema.startswith(_SCHEMA_PREFIX):
        raise MalformedEnvelope(f"dataschema {schema!r} is not {_SCHEMA_PREFIX}<type>:<version>")
    event_type, _, version = schema[len(_SCHEMA_PREFIX):].rpartition(":")
    if not event_type or not version.isdigit():
        raise MalformedEnvelope(f"dataschema {schema!r} is not {_SCHEMA_PREFIX}<type>:<version>")
    return event_type, int(version)
