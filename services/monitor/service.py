"""The monitor nameko service: entrypoints and the adapters to the broker only."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from nameko.rpc import rpc

from shared.clock import utc_now
from shared.messaging.management import Management
from shared.messaging.publisher import connect
from shared.runtime import Database, subscribe
from shared.runtime.timer import SettingsTimer

from . import alerts, handlers


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
            return handlers.indicators(uow.session, utc_now())

    @rpc
    def indicators_csv(self, name: str) -> str:
        with self.db.unit_of_work() as uow:
            table = handlers.indicators(uow.session, utc_now())
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
        clear alerts from the queues and from how late events arrive."""
        settings = self.db.settings
        queues = self._management().queues(self._vhost())
        self._capture_dead_letters([q["name"] for q in queues if q["name"].endswith(".dead") and q["ready"]])
        with self.db.unit_of_work() as uow:
            lags = handlers.recent_lags(uow.session, utc_now())
            waiting = handlers.open_dead_letters_by_queue(uow.session)
        current = alerts.queue_alerts(queues) + alerts.dead_letter_alerts(waiting)
        lag = alerts.lag_alert(lags, settings.alert_lag_seconds)
        with self.db.unit_of_work() as uow:
            handlers.reconcile_alerts(uow, current + ([lag] if lag else []), utc_now())

    def _capture_dead_letters(self, names: list[str]) -> None:
        connection = connect(self.db.settings.amqp_uri)
        try:
            channel = connection.channel()
            for name in names:
                while (message := channel.basic_get(name, no_ack=False)) is not None:
                    with self.db.unit_of_work() as uow:
                        handlers.capture_dead_letter(uow, name, message.body, dict(message.properties), utc_now())
                        uow.commit()
                    channel.basic_ack(message.delivery_tag)
        finally:
            connection.close()

    def _management(self) -> Management:
        return Management(self.db.settings.management_uri)

    def _vhost(self) -> str:
        return unquote(urlsplit(self.db.settings.amqp_uri).path.lstrip("/")) or "/"
