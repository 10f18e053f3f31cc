"""The referrals nameko service: entrypoints and the adapters to other services only."""
from __future__ import annotations

import time
from pathlib import Path
from zoneinfo import ZoneInfo

from nameko.exceptions import RemoteError
from nameko.rpc import RpcProxy

from shared.clock import utc_now
from shared.deadlines import parse_policy
from shared.errors import NotFound
from shared.runtime import Database, rpc, subscribe
from shared.runtime.timer import SettingsTimer

from . import fhir, handlers


DESK_CACHE_SECONDS = 60.0
_desks: dict[str, tuple[float, dict]] = {}  # the directory changes rarely; look-ups are hot


class RpcPorts:
    """What the referral handlers need from the directory and intake, over RPC."""

    def __init__(self, directory, intake):
        self._directory, self._intake = directory, intake

    def desk(self, desk_id):
        cached = _desks.get(desk_id)
        if cached and time.monotonic() - cached[0] < DESK_CACHE_SECONDS:
            return cached[1]
        try:
            desk = self._directory.get_desk(desk_id)
        except RemoteError as exc:
            if exc.exc_type == "NotFound":
                raise NotFound(exc.value) from exc
            raise
        _desks[desk_id] = (time.monotonic(), desk)
        return desk

    def alternatives(self, concerns, ward, exclude):
        return self._directory.suggest({"concerns": concerns, "ward": ward, "exclude": exclude, "limit": 3})

    def consultation(self, consultation_id):
        return self._intake.consultation_summary(consultation_id)


class ReferralService:
    name = "referrals"
    db = Database(Path(__file__).parent / "migrations")
    directory = RpcProxy("directory")
    intake = RpcProxy("intake")

    def _context(self) -> handlers.Context:
        settings = self.db.settings
        return handlers.Context(now=utc_now(), zone=ZoneInfo(settings.timezone),
                                policy=parse_policy(settings.pickup_deadlines))

    def _ports(self) -> RpcPorts:
        return RpcPorts(self.directory, self.intake)

    @subscribe("consultation.recorded")
    def on_consultation_recorded(self, event, uow):
        handlers.on_consultation_recorded(event, uow)

    @subscribe("person.linked")
    def on_person_linked(self, event, uow):
        handlers.on_person_link_changed(event, uow)

    @subscribe("person.unlinked")
    def on_person_unlinked(self, event, uow):
        handlers.on_person_link_changed(event, uow)

    @subscribe("notification.acknowledged")
    def on_notification_acknowledged(self, event, uow):
        """A desk acknowledging a new referral in its inbox has received it."""
        handlers.on_notification_acknowledged(event, uow, self._context())

    @rpc
    def refer(self, payload: dict) -> list:
        """Refer a consultation to one or more desks (``referral.requested`` for each)."""
        return handlers.refer(payload, self.db, self._ports(), self._context())

    @rpc
    def transition(self, payload: dict) -> dict:
        """receive, accept, reject, start, pause, resume, complete, fail, cancel, void, reopen."""
        return handlers.transition(payload, self.db, self._ports(), self._context())

    @rpc
    def get_referral(self, referral_id: str, desk_id: str) -> dict:
        with self.db.unit_of_work() as uow:
            return handlers.referral_view(uow.session, referral_id, desk_id)

    @rpc
    def fhir_referral(self, referral_id: str, desk_id: str) -> dict:
        """The referral as a FHIR R4 Bundle of its ServiceRequest and Task."""
        with self.db.unit_of_work() as uow:
            return fhir.bundle(handlers.referral_view(uow.session, referral_id, desk_id))

    @rpc
    def referrals_for_desk(self, desk_id: str, role: str = "receiving", status: str | None = None) -> list:
        with self.db.unit_of_work() as uow:
            return handlers.referrals_for_desk(uow.session, desk_id, role, status)

    @rpc
    def referral_information(self, referral_id: str, desk_id: str) -> dict:
        """The personal information attached to a referral, as the consent service permits it
        to the receiving desk at this moment (and logs)."""
        with self.db.unit_of_work() as uow:
            request = handlers.information_request(uow.session, referral_id, desk_id)
        return self.intake.disclose_person(request)

    @rpc
    def meeting_brief(self, meeting_id: str, desk_id: str, categories: list) -> dict:
        """Personal information for a meeting member, shared on the meeting's legal basis."""
        with self.db.unit_of_work() as uow:
            request = handlers.brief_request(uow.session, meeting_id, desk_id, list(categories))
        return self.intake.disclose_person(request)

    @rpc
    def timeline(self, case_id: str, desk_id: str) -> list:
        """The case timeline as this desk may see it."""
        with self.db.unit_of_work() as uow:
            return handlers.case_timeline(uow.session, case_id, desk_id)

    @rpc
    def convene_meeting(self, payload: dict) -> dict:
        return handlers.convene(payload, self.db, self._ports(), self._context())

    @rpc
    def get_meeting(self, meeting_id: str, desk_id: str) -> dict:
        with self.db.unit_of_work() as uow:
            return handlers.meeting_view(uow.session, meeting_id, desk_id)

    @rpc
    def record_decision(self, payload: dict) -> dict:
        return handlers.decide(payload, self.db, self._ports(), self._context())

    @SettingsTimer.decorator
    def escalate_overdue(self):
        """Durable: the level reached is stored with the escalation event, so a restart neither
        loses nor repeats one."""
        handlers.escalate_overdue(self.db, self._context())
