"""The consent nameko service: entrypoints and adapters only."""
from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from nameko.exceptions import RemoteError
from nameko.rpc import RpcProxy

from shared.clock import utc_now
from shared.errors import NotFound
from shared.runtime import Database, rpc, subscribe
from shared.runtime.timer import SettingsTimer

from . import fhir, handlers, report


class DirectoryPorts:
    def __init__(self, directory):
        self._directory = directory

    def desk_kind(self, desk_id: str) -> str:
        try:
            return self._directory.get_desk(desk_id)["kind"]
        except RemoteError as exc:
            if exc.exc_type == "NotFound":
                raise NotFound(exc.value) from exc
            raise


class ConsentService:
    name = "consent"
    db = Database(Path(__file__).parent / "migrations")
    directory = RpcProxy("directory")

    @rpc
    def record_consent(self, payload: dict) -> dict:
        with self.db.unit_of_work() as uow:
            return handlers.record_consent(payload, uow, utc_now())

    @rpc
    def withdraw_consent(self, payload: dict) -> dict:
        """Effective at once; recipients of data shared under it are asked to delete it."""
        with self.db.unit_of_work() as uow:
            return handlers.withdraw(payload, uow, utc_now())

    @rpc
    def consent_history(self, consent_id: str, desk_id: str | None = None) -> list:
        with self.db.unit_of_work() as uow:
            return handlers.consent_history(uow.session, consent_id, desk_id)

    @rpc
    def fhir_consent(self, consent_id: str, desk_id: str) -> dict:
        """The consent's current version as a FHIR R4 Consent resource."""
        with self.db.unit_of_work() as uow:
            return fhir.consent(handlers.consent_history(uow.session, consent_id, desk_id)[-1])

    @rpc
    def authorize_disclosure(self, payload: dict) -> dict:
        """The one decision point: permit exactly these categories (and log it), or deny why."""
        return handlers.authorize(payload, self.db, DirectoryPorts(self.directory), utc_now())

    @rpc
    def review_emergency(self, payload: dict) -> None:
        with self.db.unit_of_work() as uow:
            handlers.review_emergency(payload, uow)

    @rpc
    def acknowledge_deletion(self, payload: dict) -> None:
        with self.db.unit_of_work() as uow:
            handlers.acknowledge_deletion(payload, uow, utc_now())

    @rpc
    def deletion_status(self, person_ref: str, desk_id: str | None = None) -> list:
        with self.db.unit_of_work() as uow:
            handlers.require_person_desk(uow.session, person_ref, desk_id)
            return handlers.deletion_status(uow.session, person_ref)

    @rpc
    def disclosures_of(self, person_ref: str, desk_id: str | None = None) -> list:
        with self.db.unit_of_work() as uow:
            handlers.require_person_desk(uow.session, person_ref, desk_id)
            return handlers.disclosures_of(uow.session, person_ref)

    @rpc
    def verify_disclosure_log(self):
        """None when the whole log matches its hash chain, else the first seq that does not."""
        with self.db.unit_of_work() as uow:
            return handlers.verify_log(uow.session)

    @rpc
    def disclosure_report(self, person_ref: str, desk_id: str | None = None) -> str:
        """The person's "who saw my data" report, as a printable HTML document in Japanese."""
        with self.db.unit_of_work() as uow:
            handlers.require_person_desk(uow.session, person_ref, desk_id)
            entries = handlers.disclosures_of(uow.session, person_ref)
        names = {}
        for desk_id in {e["discloser_desk_id"] for e in entries} | {e["recipient_desk_id"] for e in entries}:
            try:
                names[desk_id] = self.directory.get_desk(desk_id)["name"]
            except RemoteError:
                names[desk_id] = desk_id
        return report.render(person_ref, entries, names, utc_now(), ZoneInfo(self.db.settings.timezone))

    @subscribe("meeting.convened")
    def on_meeting_convened(self, event, uow):
        handlers.on_meeting_convened(event, uow)

    @SettingsTimer.decorator
    def expire_consents(self):
        with self.db.unit_of_work() as uow:
            handlers.expire_due(uow, utc_now())
