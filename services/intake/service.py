"""The intake nameko service: entrypoints only."""
from pathlib import Path

from nameko.rpc import rpc

from shared.runtime import Database

from . import handlers


class IntakeService:
    name = "intake"
    db = Database(Path(__file__).parent / "migrations")

    @rpc
    def record_consultation(self, payload: dict) -> dict:
        """Record a consultation; the ``consultation.recorded`` event commits with it."""
        with self.db.unit_of_work() as uow:
            consultation = handlers.record_consultation(payload, uow)
        return {"consultation_id": consultation.id, "person_ref": consultation.person.ref}
