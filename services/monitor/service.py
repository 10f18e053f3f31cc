"""The monitor nameko service: entrypoints only."""
from pathlib import Path

from nameko.rpc import rpc

from shared.runtime import Database, subscribe

from . import handlers


class MonitorService:
    name = "monitor"
    db = Database(Path(__file__).parent / "migrations")

    @subscribe("#")
    def on_any_event(self, event, uow):
        """Every event of every service, through a durable queue (not a best-effort broadcast)."""
        handlers.log_event(event, uow)

    @rpc
    def trace(self, key: str) -> list:
        with self.db.unit_of_work() as uow:
            return handlers.trace(uow.session, key)
