"""The monitor nameko service: entrypoints and the adapters to the broker only."""
from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo


from shared.clock import utc_now
from shared.messaging.management import Management
from shared.messaging.publisher import connect
from shared.runtime import Database, rpc, subscribe
from shared.runtime.timer import SettingsTimer

from . import alerts, handlers

log = logging.getLogger(__name__)


class MonitorService:
    name = "monitor"
    db = Database(Path(__file__).parent / "migrations")

    @subscribe("#", envelope_only=True)
    def on_any_event(self, event, uow):
        """Every event of every service, through a durable queue (not a best-effort broadcast)."""
        handlers.log_event(event, uow)

    # ---- reading
    @rpc
    def trace(self, key: str) -> list:
        with self.db.unit_of_work() as uow:
            return handlers.trace(uow.session, key)

    @rpc
    def flow(self, window_minutes: int = 60) -> dict:
        with self.db.unit_of_work() as uow:
            return handlers.flow(uow.session, utc_now(), window_minutes)

    @rpc
    def queues(self) -> dict:
        """Depths, consumers, unacked and dead-letter counts from the broker, and the open alerts."""
        listed = self._management().queues(self._vhost())
        with self.db.unit_of_work() as uow:
            return {"queues": [q for q in listed if q["name"].startswith("tsunagu.")],
                    "alerts": handlers.open_alerts(uow.session)}

    @rpc
    def indicators(self) -> dict:
        with self.db.unit_of_work() as uow:
            return handlers.indicators(uow.session, utc_now(), ZoneInfo(self.db.settings.timezone))

    @rpc
    def indicators_csv(self, name: str) -> str:
        with self.db.unit_of_work() as uow:
            table = handlers.indicators(uow.session, utc_now(), ZoneInfo(self.db.settings.timezone))
        if name not in handlers.CSV_TABLES:
            from shared.errors import NotFound
            raise NotFound(f"no indicator table {name!r}")
        return handlers.indicators_csv(table, name)

    # ---- dead letters
    @rpc
    def dead_letters(self, status: str | None = "open") -> list:
        with self.db.unit_of_work() as uow:
            return handlers.list_dead_letters(uow.session, status)

    @rpc
    def dead_letter(self, dead_letter_id: int) -> dict:
        with self.db.unit_of_work() as uow:
            return handlers.dead_letter(uow.session, int(dead_letter_id))

    @rpc
    def replay_dead_letters(self, ids: list, actor: str, note: str = "") -> list:
        with self.db.unit_of_work() as uow:
            return handlers.replay(uow, [int(i) for i in ids], actor, note, utc_now())

    @rpc
    def discard_dead_letter(self, dead_letter_id: int, actor: str, note: str) -> None:
        with self.db.unit_of_work() as uow:
            handlers.discard(uow, int(dead_letter_id), actor, note, utc_now())

    # ---- watching
    @SettingsTimer.decorator(setting="flow_check_interval")
    def watch(self):
        """Move dead letters into the monitor (acked only after they are stored), then raise or
        clear alerts from the queues and from how late events arrive. A failing step raises its
        own alert instead of stopping the others."""
        settings, trouble = self.db.settings, []
        try:
            queues = self._management().queues(self._vhost())
        except Exception as exc:
            log.warning("monitor cannot read the queues: %s", exc)
            queues, trouble = None, [alerts.Alert("monitor-degraded", "management-api", str(exc)[:500])]
        if queues is not None:
            trouble += self._capture_dead_letters([q["name"] for q in queues
                                                   if q["name"].endswith(".dead") and q["ready"]])
        with self.db.unit_of_work() as uow:
            lags = handlers.recent_lags(uow.session, utc_now())
            waiting = handlers.open_dead_letters_by_queue(uow.session)
            lag_open = handlers.open_alert(uow.session, "outbox-lag")
        current = alerts.queue_alerts(queues or []) + alerts.dead_letter_alerts(waiting) + trouble
        lag = alerts.lag_alert(lags, settings.alert_lag_seconds)
        if lag is None and not lags and lag_open:  # nothing arrives at all: a stall is no recovery
            lag = lag_open
        with self.db.unit_of_work() as uow:
            handlers.reconcile_alerts(uow, current + ([lag] if lag else []), utc_now(),
                                      keep_unknown=queues is None)

    def _capture_dead_letters(self, names: list[str]) -> list:
        """Each message is stored (or, if it cannot be read, stored raw) before it is acked; a
        store that fails leaves it on its queue for the next look, and says so."""
        if not names:
            return []
        trouble = []
        try:
            connection = connect(self.db.settings.amqp_uri)
        except Exception as exc:
            return [alerts.Alert("monitor-degraded", "broker", str(exc)[:500])]
        try:
            channel = connection.channel()
            for name in names:
                while (message := channel.basic_get(name, no_ack=False)) is not None:
                    try:
                        with self.db.unit_of_work() as uow:
                            handlers.capture_dead_letter(uow, name, message.body, dict(message.properties),
                                                         utc_now())
                            uow.commit()
                    except Exception as exc:
                        log.exception("dead letter on %s could not be stored", name)
                        channel.basic_reject(message.delivery_tag, requeue=True)
                        trouble.append(alerts.Alert("monitor-degraded", name, f"cannot store a dead letter: {exc}"[:500]))
                        break
                    channel.basic_ack(message.delivery_tag)
        finally:
            connection.close()
        return trouble

    def _management(self) -> Management:
        return Management(self.db.settings.management_uri)

    def _vhost(self) -> str:
        return unquote(urlsplit(self.db.settings.amqp_uri).path.lstrip("/")) or "/"
