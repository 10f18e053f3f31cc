"""The intake nameko service: entrypoints only."""
import logging
from pathlib import Path

from nameko.rpc import RpcProxy
from sqlalchemy.exc import IntegrityError

from shared.errors import load
from shared.personal_data import minimise
from shared.runtime import Database, rpc

from . import handlers
from .schemas import DisclosePersonSchema

log = logging.getLogger(__name__)


class IntakeService:
    name = "intake"
    db = Database(Path(__file__).parent / "migrations")
    directory = RpcProxy("directory")
    consent = RpcProxy("consent")

    @rpc
    def record_consultation(self, payload: dict) -> dict:
        """Record a consultation (never refused if well-formed); the ``consultation.recorded``
        event commits with it. Also returns possible same-person matches and suggested desks."""
        try:
            with self.db.unit_of_work() as uow:
                recorded, matches = handlers.record_consultation(payload, uow)
        except IntegrityError:  # the same idempotency key, committed a moment ago by another worker
            with self.db.unit_of_work() as uow:
                recorded, matches = handlers.record_consultation(payload, uow)
        try:
            suggestions = self.directory.suggest({"concerns": recorded["concerns"], "ward": recorded["ward"],
                                                  "exclude": [recorded["desk_id"]]})
        except Exception as exc:  # the consultation is recorded; suggestions can be asked again
            log.warning("no suggestions for %s: %s", recorded["consultation_id"], exc)
            suggestions = []
        return {"consultation_id": recorded["consultation_id"], "person_ref": recorded["person_ref"],
                "outreach_desk_id": recorded["outreach_desk_id"],
                "possible_matches": matches, "suggested_desks": suggestions}

    @rpc
    def consultation_summary(self, consultation_id: str):
        """Codes only (desk, ward, concerns, urgency): what other services may know."""
        with self.db.unit_of_work() as uow:
            return handlers.consultation_summary(uow.session, consultation_id)

    @rpc
    def consultations_of_desk(self, desk_id: str) -> list:
        with self.db.unit_of_work() as uow:
            return handlers.consultations_of_desk(uow.session, desk_id)

    @rpc
    def person_recorded_at(self, person_ref: str, desk_id: str) -> bool:
        with self.db.unit_of_work() as uow:
            return handlers.person_recorded_at(uow.session, person_ref, desk_id)

    @rpc
    def link_persons(self, payload: dict) -> str:
        with self.db.unit_of_work() as uow:
            return handlers.link(payload, uow)

    @rpc
    def unlink_persons(self, payload: dict) -> None:
        with self.db.unit_of_work() as uow:
            handlers.unlink(payload, uow)

    @rpc
    def link_history(self, link_id: str, desk_id: str) -> list:
        """Who linked or unlinked, when and why; only for the two consultations' desks."""
        with self.db.unit_of_work() as uow:
            return handlers.link_history(uow.session, link_id, desk_id)

    @rpc
    def disclose_person(self, payload: dict) -> dict:
        """Personal data of a consultation for another desk: the consent service decides and
        logs the disclosure first; only the permitted fields leave intake."""
        request = load(DisclosePersonSchema(), payload)
        with self.db.unit_of_work() as uow:
            desk_id, person_ref, record = handlers.person_record(uow.session, request["consultation_id"])
        decision = self.consent.authorize_disclosure({
            "person_ref": person_ref, "subject_id": request.pop("subject_id") or request["consultation_id"],
            "discloser_desk_id": desk_id,  # the desk that recorded it discloses it
            **{k: v for k, v in request.items() if k != "consultation_id"}})
        return {**decision, "person": minimise(record, decision["permitted"]), "person_ref": person_ref}
