"""The directory nameko service: entrypoints only."""
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo


from shared.runtime import Database, rpc

from . import handlers, hsds


class DirectoryService:
    name = "directory"
    db = Database(Path(__file__).parent / "migrations")

    def _today(self):
        return datetime.now(ZoneInfo(self.db.settings.timezone)).date()

    @rpc
    def search(self, query: dict) -> list:
        """Desks by concern, ward (citywide desks included) and capacity."""
        with self.db.unit_of_work() as uow:
            return handlers.search(uow.session, query, self._today(), self.db.settings.capacity_stale_after_days)

    @rpc
    def suggest(self, query: dict) -> list:
        """Desks ranked for a consultation's concerns and ward, each with its reasons."""
        with self.db.unit_of_work() as uow:
            return handlers.suggest(uow.session, query, self._today(), self.db.settings.capacity_stale_after_days)

    @rpc
    def hsds(self) -> dict:
        """The directory as Open Referral HSDS 3.0 (every desk a service of its organization)."""
        with self.db.unit_of_work() as uow:
            return hsds.service_list(handlers.all_desks(uow.session))

    @rpc
    def get_desk(self, desk_id: str) -> dict:
        with self.db.unit_of_work() as uow:
            return handlers.get_desk(uow.session, desk_id, self._today(), self.db.settings.capacity_stale_after_days)

    @rpc
    def update_capacity(self, payload: dict) -> None:
        with self.db.unit_of_work() as uow:
            handlers.update_capacity(payload, uow, self._today())
