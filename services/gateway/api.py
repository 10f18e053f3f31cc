"""Every operation of the HTTP API, declared once: the dispatcher routes by this table and the
OpenAPI document is generated from it, so the two cannot drift apart.

Each handler acts for the signed-in caller's desk: desk and actor are never taken from the
request. The services answer NotFound for anything the desk is not entitled to, and the gateway
turns that into 404, whether the object exists or not."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from marshmallow import Schema

from shared.clock import utc_now
from shared.errors import NotFound

from . import handlers, schemas as s, text
from .accounts import Caller

PREFIX = "/api/v1"


@dataclass
class Call:
    """One request, as a handler sees it."""
    caller: Caller | None
    ports: Any
    db: Any
    settings: Any
    body: dict = field(default_factory=dict)
    query: dict = field(default_factory=dict)
    address: str = ""
    secret: str | None = None
    now: datetime = field(default_factory=utc_now)
    idempotency_key: str | None = None  # the client's Idempotency-Key, on operations that honour it

    def as_desk(self, payload: dict, desk_key: str = "desk_id", actor_key: str | None = "actor") -> dict:
        stamped = {**payload, desk_key: self.caller.desk_id}
        if actor_key:
            stamped[actor_key] = self.caller.actor
        return stamped


@dataclass(eq=False)
class Operation:
    method: str
    path: str                 # werkzeug rule under PREFIX, e.g. /referrals/<referral_id>
    handler: Callable
    summary: str
    tag: str
    body: type[Schema] | None = None
    query: type[Schema] | None = None
    response: type[Schema] | None = None
    many: bool = False
    status: int = 200
    role: str | None = "staff"  # None: no sign-in needed
    media_type: str = "application/json"
    errors: tuple[int, ...] = (400, 401, 403, 404, 409, 422)
    idempotent: bool = False  # honours an Idempotency-Key header (a retried POST applies once)

    @property
    def name(self) -> str:
        return self.handler.__name__

    @property
    def writes(self) -> bool:
        return self.method != "GET"


OPERATIONS: list[Operation] = []


def operation(method: str, path: str, summary: str, tag: str, **options):
    def register(handler):
        OPERATIONS.append(Operation(method, path, handler, summary, tag, **options))
        return handler
    return register


# ---------------------------------------------------------------- sign-in and keys
@operation("POST", "/sessions", "Sign in; answers a token that is also set as a session cookie",
           "auth", body=s.SignInRequest, response=s.SessionCreated, status=201, role=None,
           errors=(400, 401, 422, 429))
def sign_in(call: Call):
    st = call.settings
    with call.db.unit_of_work() as uow:
        token, expires, caller = handlers.sign_in(uow, call.body["username"], call.body["password"], call.address,
                                                  call.now, st.session_hours, st.login_attempts, st.login_window)
    call.caller = caller
    return {"token": token, "expires_at": expires.isoformat(), "caller": caller.__dict__}


@operation("DELETE", "/sessions/current", "Sign out (ends this session or token)", "auth", status=204,
           errors=(401,))
def sign_out(call: Call):
    if call.secret and call.caller.kind == "staff":
        with call.db.unit_of_work() as uow:
            handlers.sign_out(uow, call.secret)


@operation("GET", "/me", "Who the token stands for: account or key, desk, role", "auth", response=s.Caller,
           errors=(401,))
def me(call: Call):
    return call.caller.__dict__


@operation("POST", "/staff", "Create a staff account (admins)", "auth", body=s.StaffRequest,
           response=s.StaffAccount, status=201, role="admin")
def create_staff(call: Call):
    call.ports.directory.get_desk(call.body["desk_id"])
    with call.db.unit_of_work() as uow:
        return handlers.create_staff(uow, call.body["username"], call.body["password"], call.body["desk_id"],
                                     call.body["role"], call.body["display_name"], call.now)


@operation("POST", "/api-keys", "Issue an API key for an agency system at this desk; the key is shown once",
           "auth", body=s.ApiKeyRequest, response=s.ApiKey, status=201, role="supervisor")
def issue_api_key(call: Call):
    with call.db.unit_of_work() as uow:
        return handlers.issue_api_key(uow, call.caller, call.body["label"], call.now)


@operation("GET", "/api-keys", "This desk's API keys (never the keys themselves)", "auth",
           response=s.ApiKey, many=True, role="supervisor")
def list_api_keys(call: Call):
    with call.db.unit_of_work() as uow:
        return handlers.list_api_keys(uow.session, call.caller)


@operation("DELETE", "/api-keys/<key_id>", "Revoke an API key; it stops working at once", "auth",
           response=s.ApiKey, role="supervisor")
def revoke_api_key(call: Call, key_id: str):
    with call.db.unit_of_work() as uow:
        return handlers.revoke_api_key(uow, call.caller, key_id, call.now)


@operation("GET", "/audit", "This desk's audit trail of writes (admins)", "auth", response=s.AuditEntry,
           many=True, role="admin")
def audit_trail(call: Call):
    with call.db.unit_of_work() as uow:
        return handlers.audit_trail(uow.session, call.caller)


# ---------------------------------------------------------------- directory
@operation("GET", "/desks", "Search the directory by concern, ward and capacity", "directory",
           query=s.DeskSearchQuery, response=s.Desk, many=True)
def search_desks(call: Call):
    return call.ports.directory.search(call.query)


@operation("GET", "/desks/<desk_id>", "One desk of the directory", "directory", response=s.Desk)
def get_desk(call: Call, desk_id: str):
    return call.ports.directory.get_desk(desk_id)


@operation("POST", "/suggestions", "Desks ranked for these concerns and ward, each with its reasons",
           "directory", body=s.SuggestionRequest, response=s.Suggestion, many=True)
def suggest_desks(call: Call):
    return call.ports.directory.suggest(call.body)


@operation("GET", "/open-data/hsds", "The directory as Open Referral HSDS 3.0 (public)", "directory",
           response=s.HsdsServiceList, role=None, errors=(400,))
def directory_hsds(call: Call):
    return call.ports.directory.hsds()


# ---------------------------------------------------------------- intake
@operation("POST", "/consultations", "Record a consultation at this desk (never refused if well-formed)",
           "intake", body=s.ConsultationRequest, response=s.ConsultationRecorded, status=201, idempotent=True)
def record_consultation(call: Call):
    return call.ports.intake.record_consultation(call.as_desk({**call.body, "request_key": call.idempotency_key}))


@operation("GET", "/consultations", "This desk's consultations, newest first (codes only)", "intake",
           response=s.ConsultationSummary, many=True)
def consultations_of_desk(call: Call):
    return call.ports.intake.consultations_of_desk(call.caller.desk_id)


@operation("POST", "/person-links", "Link two consultations as the same person (one must be this desk's)",
           "intake", body=s.LinkRequest, response=s.LinkCreated, status=201)
def link_persons(call: Call):
    return {"link_id": call.ports.intake.link_persons(call.as_desk(call.body))}


@operation("POST", "/person-links/<link_id>/unlink", "Undo a same-person link, with the reason", "intake",
           body=s.UnlinkRequest, status=204)
def unlink_persons(call: Call, link_id: str):
    call.ports.intake.unlink_persons(call.as_desk({**call.body, "link_id": link_id}))


@operation("GET", "/person-links/<link_id>/history", "Who linked or unlinked, when and why", "intake",
           response=s.LinkHistoryEntry, many=True)
def link_history(call: Call, link_id: str):
    return call.ports.intake.link_history(link_id, call.caller.desk_id)


# ---------------------------------------------------------------- referrals
@operation("POST", "/referrals", "Refer a consultation on to one or more desks", "referrals",
           body=s.ReferralsRequest, response=s.ReferralCreated, many=True, status=201)
def refer(call: Call):
    return call.ports.referrals.refer({**call.body, "from_desk_id": call.caller.desk_id, "actor": call.caller.actor})


@operation("GET", "/referrals", "Referrals this desk receives (or sent: role=referring)", "referrals",
           query=s.ReferralQuery, response=s.Referral, many=True)
def list_referrals(call: Call):
    return call.ports.referrals.referrals_for_desk(call.caller.desk_id, call.query["role"], call.query["status"])


@operation("GET", "/referrals/<referral_id>", "One referral, for its two desks and the consulting desk",
           "referrals", response=s.Referral)
def get_referral(call: Call, referral_id: str):
    return call.ports.referrals.get_referral(referral_id, call.caller.desk_id)


@operation("POST", "/referrals/<referral_id>/transitions",
           "receive, accept, reject (reason), start, pause (reason), resume, complete (outcome), fail (reason), "
           "cancel (reason), void (note), reopen (reason)", "referrals", body=s.TransitionRequest,
           response=s.TransitionDone)
def transition(call: Call, referral_id: str):
    return call.ports.referrals.transition(call.as_desk({**call.body, "referral_id": referral_id}))


@operation("GET", "/referrals/<referral_id>/fhir", "The referral as FHIR R4: a Bundle of its ServiceRequest and Task",
           "referrals", response=s.FhirResource, media_type="application/fhir+json")
def referral_fhir(call: Call, referral_id: str):
    return call.ports.referrals.fhir_referral(referral_id, call.caller.desk_id)


@operation("GET", "/referrals/<referral_id>/information",
           "The person's information attached to a referral, as consent permits it now (logged)", "referrals",
           response=s.PermittedInformation, errors=(401, 403, 404, 409))
def referral_information(call: Call, referral_id: str):
    return call.ports.referrals.referral_information(referral_id, call.caller.desk_id)


@operation("GET", "/cases/<case_id>/timeline", "The case's timeline, as this desk may see it", "referrals",
           response=s.TimelineEntry, many=True)
def timeline(call: Call, case_id: str):
    return call.ports.referrals.timeline(case_id, call.caller.desk_id)


@operation("POST", "/meetings", "Convene a support meeting (支援会議) or coordination meeting", "meetings",
           body=s.MeetingRequest, response=s.MeetingCreated, status=201)
def convene_meeting(call: Call):
    return call.ports.referrals.convene_meeting(
        {**call.body, "convened_by_desk_id": call.caller.desk_id, "actor": call.caller.actor})


@operation("GET", "/meetings/<meeting_id>", "A meeting and its decisions, for its members", "meetings",
           response=s.Meeting)
def get_meeting(call: Call, meeting_id: str):
    return call.ports.referrals.get_meeting(meeting_id, call.caller.desk_id)


@operation("POST", "/meetings/<meeting_id>/decisions", "Record a decision; an action becomes a referral",
           "meetings", body=s.DecisionRequest, response=s.DecisionRecorded, status=201)
def record_decision(call: Call, meeting_id: str):
    return call.ports.referrals.record_decision(call.as_desk({**call.body, "meeting_id": meeting_id}))


@operation("POST", "/meetings/<meeting_id>/brief",
           "The person's information for a member, shared on the meeting's legal basis (logged)", "meetings",
           body=s.BriefRequest, response=s.PermittedInformation)
def meeting_brief(call: Call, meeting_id: str):
    return call.ports.referrals.meeting_brief(meeting_id, call.caller.desk_id, call.body["categories"])


# ---------------------------------------------------------------- consent
@operation("POST", "/consents", "Record a person's consent (or a new version of one) at this desk", "consent",
           body=s.ConsentRequest, response=s.ConsentRecorded, status=201)
def record_consent(call: Call):
    if not call.ports.intake.person_recorded_at(call.body["person_ref"], call.caller.desk_id):
        raise NotFound(f"no person {call.body['person_ref']!r}")
    return call.ports.consent.record_consent(call.as_desk(call.body))


@operation("GET", "/consents/<consent_id>", "Every version of a consent", "consent",
           response=s.ConsentVersion, many=True)
def consent_history(call: Call, consent_id: str):
    return call.ports.consent.consent_history(consent_id, call.caller.desk_id)


@operation("POST", "/consents/<consent_id>/withdrawal",
           "Withdraw a consent, effective at once; recipients are asked to delete", "consent",
           body=s.WithdrawalRequest, response=s.ConsentWithdrawn)
def withdraw_consent(call: Call, consent_id: str):
    return call.ports.consent.withdraw_consent(call.as_desk({**call.body, "consent_id": consent_id}))


@operation("GET", "/persons/<person_ref>/disclosures", "Who received this person's data, when and why",
           "consent", response=s.Disclosure, many=True)
def disclosures(call: Call, person_ref: str):
    return call.ports.consent.disclosures_of(person_ref, call.caller.desk_id)


@operation("GET", "/persons/<person_ref>/disclosure-report",
           "The person's printable report of who saw their data (HTML, Japanese)", "consent",
           media_type="text/html")
def disclosure_report(call: Call, person_ref: str):
    return call.ports.consent.disclosure_report(person_ref, call.caller.desk_id)


@operation("GET", "/persons/<person_ref>/deletion-requests",
           "Requests to delete this person's data after a withdrawal or expiry, and who confirmed", "consent",
           response=s.DeletionRequest, many=True)
def deletion_requests(call: Call, person_ref: str):
    return call.ports.consent.deletion_status(person_ref, call.caller.desk_id)


@operation("POST", "/deletion-requests/<request_id>/acknowledgement",
           "This desk confirms it deleted data shared under a withdrawn or expired consent", "consent",
           status=204)
def acknowledge_deletion(call: Call, request_id: str):
    call.ports.consent.acknowledge_deletion(call.as_desk({"request_id": request_id}))


@operation("GET", "/consents/<consent_id>/fhir", "The consent as a FHIR R4 Consent resource", "consent",
           response=s.FhirResource, media_type="application/fhir+json")
def consent_fhir(call: Call, consent_id: str):
    return call.ports.consent.fhir_consent(consent_id, call.caller.desk_id)


# ---------------------------------------------------------------- notifications
@operation("GET", "/inbox", "This desk's notifications after a position, in order", "notifications",
           query=s.InboxQuery, response=s.Notification, many=True)
def inbox(call: Call):
    return call.ports.notifications.inbox(call.caller.desk_id, call.query["after"],
                                          unacknowledged=call.query["unacknowledged"], newest=call.query["newest"])


@operation("POST", "/inbox/<notification_id>/acknowledgement",
           "Acknowledge a notification; for a new referral this makes it received", "notifications",
           response=s.Notification)
def acknowledge(call: Call, notification_id: str):
    return call.ports.notifications.acknowledge(call.as_desk({"notification_id": notification_id}))


@operation("PUT", "/preferences", "Channels, e-mail and quiet hours of the signed-in staff member",
           "notifications", body=s.PreferencesRequest, response=s.Preferences)
def set_preferences(call: Call):
    return call.ports.notifications.set_preferences(
        {**call.body, "staff_id": call.caller.actor, "desk_id": call.caller.desk_id})


@operation("POST", "/webhooks", "Subscribe a webhook for this desk; the signing secret is shown once",
           "notifications", body=s.WebhookRequest, response=s.WebhookCreated, status=201, role="supervisor")
def subscribe_webhook(call: Call):
    return call.ports.notifications.subscribe_webhook({**call.body, "desk_id": call.caller.desk_id})


@operation("GET", "/webhooks/<subscription_id>/deliveries", "Deliveries of one of this desk's webhooks",
           "notifications", response=s.WebhookDelivery, many=True)
def webhook_deliveries(call: Call, subscription_id: str):
    return call.ports.notifications.webhook_deliveries(subscription_id, call.caller.desk_id)


# ---------------------------------------------------------------- the monitor (admins, city-wide metadata)
@operation("GET", "/monitor/flow", "Event rates per type and per desk pair; referrals waiting for pick-up",
           "monitor", query=s.FlowQuery, response=s.Flow, role="admin")
def monitor_flow(call: Call):
    return call.ports.monitor.flow(call.query["window_minutes"])


@operation("GET", "/monitor/queues", "Queue depths, consumers, unacked messages, and the open alerts",
           "monitor", response=s.Queues, role="admin")
def monitor_queues(call: Call):
    return call.ports.monitor.queues()


@operation("GET", "/monitor/trace/<key>", "Every event of a case or correlation id, hop by hop", "monitor",
           response=s.Hop, many=True, role="admin")
def monitor_trace(call: Call, key: str):
    return call.ports.monitor.trace(key)


@operation("GET", "/monitor/dead-letters", "Dead letters, with their reason", "monitor",
           query=s.DeadLetterQuery, response=s.DeadLetterSummary, many=True, role="admin")
def dead_letters(call: Call):
    status = call.query["status"]
    return call.ports.monitor.dead_letters(None if status == "all" else status)


@operation("GET", "/monitor/dead-letters/<dead_letter_id>", "One dead letter: original message, headers, "
           "error and what admins did with it", "monitor", response=s.DeadLetter, role="admin")
def dead_letter(call: Call, dead_letter_id: str):
    return call.ports.monitor.dead_letter(_number(dead_letter_id))


@operation("POST", "/monitor/dead-letters/replay", "Replay dead letters to the queue they failed on, in order",
           "monitor", body=s.ReplayRequest, response=s.Replayed, role="admin")
def replay_dead_letters(call: Call):
    return {"replayed": call.ports.monitor.replay_dead_letters(call.body["ids"], call.caller.actor,
                                                               call.body["note"])}


@operation("POST", "/monitor/dead-letters/<dead_letter_id>/discard", "Discard a dead letter, saying why",
           "monitor", body=s.DiscardRequest, status=204, role="admin")
def discard_dead_letter(call: Call, dead_letter_id: str):
    call.ports.monitor.discard_dead_letter(_number(dead_letter_id), call.caller.actor, call.body["note"])


@operation("GET", "/monitor/indicators", "The plan's indicators: consultations by ward, channel, concern and "
           "month; referrals by desk pair and outcome; pick-up against deadlines; rates", "monitor",
           response=s.Indicators, role="admin")
def indicators(call: Call):
    return call.ports.monitor.indicators()


@operation("GET", "/monitor/indicators/<table>.csv", "One indicator table as CSV", "monitor",
           media_type="text/csv", role="admin")
def indicators_csv(call: Call, table: str):
    return call.ports.monitor.indicators_csv(table)


def _number(value: str) -> int:
    """Dead letters are numbered; anything else names none."""
    if not text.NUMBER.match(value):
        raise NotFound(f"no dead letter {value!r}")
    return int(value)
