"""The HTTP API's request and response bodies. Requests reuse the services' wire schemas without
the fields the gateway fills in from the signed-in caller (desk, actor); responses describe what
the services answer, so the published OpenAPI document is checked against real responses."""
from marshmallow import INCLUDE, Schema, fields, validate

from services.consent.schemas import RecordConsentSchema
from services.directory.schemas import SearchSchema, SuggestSchema
from services.intake.schemas import LinkSchema, RecordConsultationSchema, UnlinkSchema
from services.notifications.schemas import PreferencesSchema, SubscribeWebhookSchema
from services.referrals.lifecycle import STATUSES
from services.referrals.schemas import (CATEGORIES, ConveneSchema, DecideSchema, ReferSchema,
                                        TransitionSchema)
from shared.vocabulary import CHANNELS, CONCERNS, URGENCIES, WARDS
from shared.wire import Id

from .accounts import ROLES

CALLER_FIELDS = ("desk_id", "actor")
Nullable = dict(allow_none=True, load_default=None)


# ---------------------------------------------------------------- requests
def _from_caller(base: type[Schema], name: str, filled: tuple[str, ...] = CALLER_FIELDS) -> type[Schema]:
    """The service's wire schema without the fields the gateway fills in from the caller."""
    return type(name, (base,), {"Meta": type("Meta", (), {"exclude": filled}), "__doc__": base.__doc__})


ConsultationRequest = _from_caller(RecordConsultationSchema, "ConsultationRequest", (*CALLER_FIELDS, "request_key"))
ReferralsRequest = _from_caller(ReferSchema, "ReferralsRequest", ("from_desk_id", "actor"))
TransitionRequest = _from_caller(TransitionSchema, "TransitionRequest", ("referral_id", *CALLER_FIELDS))
MeetingRequest = _from_caller(ConveneSchema, "MeetingRequest", ("convened_by_desk_id", "actor"))
DecisionRequest = _from_caller(DecideSchema, "DecisionRequest", ("meeting_id", *CALLER_FIELDS))
ConsentRequest = _from_caller(RecordConsentSchema, "ConsentRequest")
LinkRequest = _from_caller(LinkSchema, "LinkRequest")
UnlinkRequest = _from_caller(UnlinkSchema, "UnlinkRequest", ("link_id", *CALLER_FIELDS))
PreferencesRequest = _from_caller(PreferencesSchema, "PreferencesRequest", ("staff_id", "desk_id"))
WebhookRequest = _from_caller(SubscribeWebhookSchema, "WebhookRequest", ("desk_id",))
DeskSearchQuery = _from_caller(SearchSchema, "DeskSearchQuery", ())
SuggestionRequest = _from_caller(SuggestSchema, "SuggestionRequest", ())


class BriefRequest(Schema):
    categories = fields.List(fields.String(validate=validate.OneOf(CATEGORIES)), required=True,
                             validate=validate.Length(min=1))


class WithdrawalRequest(Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=1000))


class FlowQuery(Schema):
    window_minutes = fields.Integer(load_default=60, validate=validate.Range(1, 7 * 24 * 60))


class DeadLetterQuery(Schema):
    status = fields.String(load_default="open", validate=validate.OneOf(["open", "replayed", "discarded", "all"]))


class ReplayRequest(Schema):
    ids = fields.List(fields.Integer(validate=validate.Range(1, 2**31)), required=True,
                      validate=validate.Length(min=1, max=500))
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class DiscardRequest(Schema):
    note = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ReferralQuery(Schema):
    role = fields.String(load_default="receiving", validate=validate.OneOf(["receiving", "referring"]))
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))


class InboxQuery(Schema):
    after = fields.Integer(load_default=0, validate=validate.Range(0, 2**53))
    unacknowledged = fields.Boolean(load_default=False)
    newest = fields.Integer(load_default=0, validate=validate.Range(0, 1000),
                            metadata={"description": "only this many of the latest (0: up to 1000 from `after`)"})


class SignInRequest(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class StaffRequest(Schema):
    username = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9._-]{1,64}$"))
    password = fields.String(required=True, validate=validate.Length(min=12, max=1000))
    desk_id = Id(required=True)
    role = fields.String(load_default="staff", validate=validate.OneOf(ROLES))
    display_name = fields.String(load_default="", validate=validate.Length(max=100))


class ApiKeyRequest(Schema):
    label = fields.String(required=True, validate=validate.Length(min=1, max=100))


# ---------------------------------------------------------------- responses
class Problem(Schema):
    """RFC 9457 problem details; ``errors`` maps each bad field to messages in the caller's language."""
    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    errors = fields.Dict()
    correlation_id = fields.String()
    retry_after = fields.Float()


class Caller(Schema):
    actor = fields.String(required=True)
    desk_id = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    kind = fields.String(required=True, validate=validate.OneOf(["staff", "system"]))
    display_name = fields.String(required=True)


class SessionCreated(Schema):
    token = fields.String(required=True, metadata={"description": "send as `Authorization: Bearer <token>`"})
    expires_at = fields.String(required=True)
    caller = fields.Nested(Caller, required=True)


class StaffAccount(Schema):
    id = fields.String(required=True)
    username = fields.String(required=True)
    desk_id = fields.String(required=True)
    role = fields.String(required=True)
    display_name = fields.String(required=True)


class ApiKey(Schema):
    id = fields.String(required=True)
    label = fields.String(required=True)
    desk_id = fields.String(required=True)
    created_at = fields.String(required=True)
    revoked_at = fields.String(allow_none=True)
    key = fields.String(metadata={"description": "only in the answer that creates it"})


class AuditEntry(Schema):
    at = fields.String(required=True)
    actor = fields.String(required=True)
    action = fields.String(required=True)
    target = fields.String(allow_none=True)
    correlation_id = fields.String(required=True)
    status = fields.Integer(required=True)


class Desk(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(required=True)
    organization = fields.String(required=True)
    kind = fields.String(required=True)
    kind_label = fields.String(required=True)
    ward = fields.String(allow_none=True)
    concerns = fields.List(fields.String(), required=True)
    channels = fields.List(fields.String(), required=True)
    capacity = fields.String(required=True)
    capacity_confirmed_on = fields.String(required=True)
    capacity_stale = fields.Boolean(required=True)
    hours = fields.String(required=True)
    phone = fields.String(required=True)
    formal = fields.Boolean(required=True)
    accepts_referrals = fields.Boolean(required=True)


class Suggestion(Schema):
    desk_id = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(required=True)
    score = fields.Float(required=True)
    reasons = fields.List(fields.String(), required=True)


class PossibleMatch(Schema):
    consultation_id = fields.String(required=True)
    desk_id = fields.String(required=True)
    person_ref = fields.String(required=True)
    reasons = fields.List(fields.String(), required=True)


class ConsultationRecorded(Schema):
    consultation_id = fields.String(required=True)
    person_ref = fields.String(required=True)
    outreach_desk_id = fields.String(allow_none=True)
    possible_matches = fields.List(fields.Nested(PossibleMatch), required=True)
    suggested_desks = fields.List(fields.Nested(Suggestion), required=True)


class ConsultationSummary(Schema):
    id = fields.String(required=True)
    desk_id = fields.String(required=True)
    ward = fields.String(required=True, validate=validate.OneOf(list(WARDS)))
    channel = fields.String(required=True, validate=validate.OneOf(list(CHANNELS)))
    concerns = fields.List(fields.String(validate=validate.OneOf(list(CONCERNS))), required=True)
    urgency = fields.String(required=True, validate=validate.OneOf(list(URGENCIES)))
    person_ref = fields.String(required=True)
    recorded_at = fields.String(required=True)


class LinkCreated(Schema):
    link_id = fields.String(required=True)


class LinkHistoryEntry(Schema):
    action = fields.String(required=True)
    actor = fields.String(required=True)
    desk_id = fields.String(required=True)
    reason = fields.String(required=True)
    at = fields.String(required=True)


class ReferralCreated(Schema):
    referral_id = fields.String(required=True)
    to_desk_id = fields.String(required=True)
    status = fields.String(required=True)
    pickup_deadline = fields.String(allow_none=True)


class Referral(Schema):
    id = fields.String(required=True)
    consultation_id = fields.String(required=True)
    from_desk_id = fields.String(required=True)
    to_desk_id = fields.String(required=True)
    reason = fields.String(required=True)
    urgency = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    meeting_id = fields.String(allow_none=True)
    escalation_level = fields.Integer(required=True)
    outcome = fields.String(allow_none=True)
    share_categories = fields.List(fields.String(), required=True)
    created_at = fields.String(allow_none=True)
    updated_at = fields.String(allow_none=True)
    pickup_deadline = fields.String(allow_none=True)
    escalation_deadline = fields.String(allow_none=True)


class TransitionDone(Schema):
    referral_id = fields.String(required=True)
    status = fields.String(required=True)
    alternatives = fields.List(fields.Nested(Suggestion), allow_none=True)


class PermittedInformation(Schema):
    """Only the categories the consent decision permits are present in ``person``."""
    permitted = fields.List(fields.String(), required=True)
    denied = fields.List(fields.String(), required=True)
    basis = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    needs_review = fields.Boolean(required=True)
    disclosure_id = fields.String(allow_none=True)
    person = fields.Dict(required=True)
    person_ref = fields.String(required=True)


class TimelineEntry(Schema):
    """Each entry also carries the fields of its kind of event (desks, reason, outcome, …)."""

    class Meta:
        unknown = INCLUDE

    event_id = fields.String(required=True)
    type = fields.String(required=True)
    at = fields.String(required=True)


class MeetingCreated(Schema):
    meeting_id = fields.String(required=True)
    member_desk_ids = fields.List(fields.String(), required=True)
    legal_basis = fields.String(required=True)


class Decision(Schema):
    id = fields.String(required=True)
    text = fields.String(required=True)
    referral_id = fields.String(allow_none=True)
    decided_at = fields.String(required=True)


class Meeting(Schema):
    id = fields.String(required=True)
    consultation_id = fields.String(required=True)
    kind = fields.String(required=True)
    legal_basis = fields.String(required=True)
    member_desk_ids = fields.List(fields.String(), required=True)
    agenda = fields.String(required=True)
    convened_by_desk_id = fields.String(required=True)
    convened_at = fields.String(required=True)
    decisions = fields.List(fields.Nested(Decision), required=True)


class DecisionRecorded(Schema):
    decision_id = fields.String(required=True)
    referral = fields.Nested(ReferralCreated, allow_none=True)


class ConsentRecorded(Schema):
    consent_id = fields.String(required=True)
    version = fields.Integer(required=True)


class ConsentVersion(Schema):
    consent_id = fields.String(required=True)
    person_ref = fields.String(required=True)
    version = fields.Integer(required=True)
    status = fields.String(required=True)
    granted_by = fields.String(required=True)
    method = fields.String(required=True)
    purpose = fields.String(required=True)
    valid_from = fields.String(required=True)
    valid_until = fields.String(allow_none=True)
    provision = fields.Dict(required=True)
    recorded_by = fields.String(required=True)
    desk_id = fields.String(required=True)
    recorded_at = fields.String(required=True)


class ConsentWithdrawn(Schema):
    consent_id = fields.String(required=True)
    version = fields.Integer(required=True)
    deletion_requested_from = fields.List(fields.String(), required=True)


class Disclosure(Schema):
    seq = fields.Integer(required=True)
    at = fields.String(required=True)
    discloser_desk_id = fields.String(required=True)
    recipient_desk_id = fields.String(required=True)
    categories = fields.List(fields.String(), required=True)
    basis = fields.String(required=True)
    purpose = fields.String(required=True)
    consent_ref = fields.String(allow_none=True)
    meeting_id = fields.String(allow_none=True)
    review_status = fields.String(allow_none=True)


class DeletionRequest(Schema):
    request_id = fields.String(required=True)
    consent_id = fields.String(required=True)
    recipient_desk_id = fields.String(required=True)
    reason = fields.String(required=True)
    requested_at = fields.String(required=True)
    acknowledged_at = fields.String(allow_none=True)


class Notification(Schema):
    id = fields.String(required=True)
    position = fields.Integer(required=True)
    event_id = fields.String(required=True)
    event_type = fields.String(required=True)
    desk_id = fields.String(required=True)
    role = fields.String(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    urgency = fields.String(allow_none=True)
    case_id = fields.String(allow_none=True)
    referral_id = fields.String(allow_none=True)
    created_at = fields.String(required=True)
    read_at = fields.String(allow_none=True)
    acknowledged_at = fields.String(allow_none=True)


class Preferences(Schema):
    staff_id = fields.String(required=True)
    desk_id = fields.String(required=True)
    email = fields.String(allow_none=True)
    channels = fields.List(fields.String(), required=True)
    quiet_start = fields.String(allow_none=True)
    quiet_end = fields.String(allow_none=True)
    supervisor = fields.Boolean(required=True)


class Hop(Schema):
    event_id = fields.String(required=True)
    type = fields.String(required=True)
    version = fields.Integer(required=True)
    source = fields.String(required=True)
    subject = fields.String(allow_none=True)
    correlationid = fields.String(allow_none=True)
    causationid = fields.String(allow_none=True)
    time = fields.String(required=True)
    received_at = fields.String(required=True)
    seconds_since_previous = fields.Float(allow_none=True)
    delivery_seconds = fields.Float(required=True)


class EventRate(Schema):
    type = fields.String(required=True)
    count = fields.Integer(required=True)
    per_minute = fields.Float(required=True)


class PairRate(Schema):
    from_desk_id = fields.String(required=True)
    to_desk_id = fields.String(required=True)
    count = fields.Integer(required=True)
    per_minute = fields.Float(required=True)


class Waiting(Schema):
    referral_id = fields.String(required=True)
    from_desk_id = fields.String(required=True)
    to_desk_id = fields.String(required=True)
    urgency = fields.String(required=True)
    requested_at = fields.String(required=True)
    pickup_deadline = fields.String(required=True)
    age_seconds = fields.Float(required=True)
    share_of_window = fields.Float(required=True)
    overdue = fields.Boolean(required=True)
    escalation_level = fields.Integer(required=True)


class Flow(Schema):
    window_minutes = fields.Integer(required=True)
    event_rates = fields.List(fields.Nested(EventRate), required=True)
    pair_rates = fields.List(fields.Nested(PairRate), required=True)
    waiting = fields.List(fields.Nested(Waiting), required=True)


class QueueState(Schema):
    name = fields.String(required=True)
    messages = fields.Integer(required=True)
    ready = fields.Integer(required=True)
    unacked = fields.Integer(required=True)
    consumers = fields.Integer(required=True)


class Alert(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    subject = fields.String(required=True)
    detail = fields.String(required=True)
    raised_at = fields.String(required=True)


class Queues(Schema):
    queues = fields.List(fields.Nested(QueueState), required=True)
    alerts = fields.List(fields.Nested(Alert), required=True)


class DeadLetterSummary(Schema):
    id = fields.Integer(required=True)
    queue = fields.String(required=True)
    original_queue = fields.String(required=True)
    message_id = fields.String(required=True)
    event_type = fields.String(allow_none=True)
    reason = fields.String(required=True)
    attempts = fields.Integer(required=True)
    failed_at = fields.String(required=True)
    status = fields.String(required=True)
    error = fields.String(required=True)


class AdminAction(Schema):
    at = fields.String(required=True)
    actor = fields.String(required=True)
    action = fields.String(required=True)
    note = fields.String(required=True)


class DeadLetter(DeadLetterSummary):
    body = fields.String(required=True, metadata={"description": "the original message, as it was"})
    headers = fields.Dict(required=True)
    actions = fields.List(fields.Nested(AdminAction), required=True)


class Replayed(Schema):
    replayed = fields.List(fields.Integer(), required=True)


class Indicators(Schema):
    """Counts and rates for the plan's evaluation; every table is also a CSV download."""

    class Meta:
        unknown = INCLUDE

    consultations = fields.Integer(required=True)
    referrals = fields.Integer(required=True)
    rates = fields.Dict(required=True)


class FhirResource(Schema):
    """A FHIR R4 resource (Bundle or Consent) as JSON."""

    class Meta:
        unknown = INCLUDE

    resourceType = fields.String(required=True)  # noqa: N815  (FHIR's own field name)


class HsdsServiceList(Schema):
    """Open Referral HSDS 3.0: the paginated list of services."""

    class Meta:
        unknown = INCLUDE

    total_items = fields.Integer(required=True)
    contents = fields.List(fields.Dict(), required=True)


class WebhookCreated(Schema):
    subscription_id = fields.String(required=True)
    secret = fields.String(required=True, metadata={"description": "shown once; verifies signatures"})


class WebhookDelivery(Schema):
    id = fields.String(required=True)
    event_id = fields.String(required=True)
    status = fields.String(required=True)
    attempts = fields.Integer(required=True)
    last_error = fields.String(allow_none=True)
