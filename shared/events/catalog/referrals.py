"""Events of the referrals service: hand-offs, escalations and support meetings."""
from marshmallow import Schema, fields, validate

from ...vocabulary import CONCERNS, URGENCIES, WARDS
from . import REGISTRY


class SharedSummaryV1(Schema):
    """What travels before the consent service decides more: no personal data."""
    concerns = fields.List(fields.String(validate=validate.OneOf(list(CONCERNS))), required=True)
    ward = fields.String(required=True, validate=validate.OneOf(list(WARDS)))
    urgency = fields.String(required=True, validate=validate.OneOf(list(URGENCIES)))


class ReferralRequestedV1(Schema):
    referral_id = fields.String(required=True)
    consultation_id = fields.String(required=True)
    from_desk_id = fields.String(required=True)
    to_desk_id = fields.String(required=True)
    reason = fields.String(required=True)
    urgency = fields.String(required=True, validate=validate.OneOf(list(URGENCIES)))
    pickup_deadline = fields.AwareDateTime(required=True)
    escalation_deadline = fields.AwareDateTime(required=True)
    shared = fields.Nested(SharedSummaryV1, required=True)
    meeting_id = fields.String(load_default=None, allow_none=True)
    share_categories = fields.List(fields.String(), load_default=list)
    actor = fields.String(required=True)
    at = fields.AwareDateTime(required=True)


class AlternativeV1(Schema):
    desk_id = fields.String(required=True)
    reasons = fields.List(fields.String(), required=True)


class ReferralTransitionedV1(Schema):
    referral_id = fields.String(required=True)
    consultation_id = fields.String(required=True)
    from_desk_id = fields.String(required=True)
    to_desk_id = fields.String(required=True)
    status = fields.String(required=True)
    previous_status = fields.String(required=True)
    acting_desk_id = fields.String(required=True)
    actor = fields.String(required=True)
    at = fields.AwareDateTime(required=True)
    reason = fields.String(load_default=None, allow_none=True)
    outcome = fields.String(load_default=None, allow_none=True)
    note = fields.String(load_default=None, allow_none=True)
    alternatives = fields.List(fields.Nested(AlternativeV1), load_default=list)


class ReferralEscalatedV1(Schema):
    referral_id = fields.String(required=True)
    consultation_id = fields.String(required=True)
    level = fields.Integer(required=True, validate=validate.OneOf([1, 2]))
    audience = fields.String(required=True, validate=validate.OneOf(["receiving_supervisor", "referring_desk"]))
    notify_desk_id = fields.String(required=True)
    from_desk_id = fields.String(required=True)
    to_desk_id = fields.String(required=True)
    urgency = fields.String(required=True, validate=validate.OneOf(list(URGENCIES)))
    deadline = fields.AwareDateTime(required=True)
    at = fields.AwareDateTime(required=True)


class MeetingConvenedV1(Schema):
    meeting_id = fields.String(required=True)
    consultation_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["support_meeting", "coordination_meeting"]))
    legal_basis = fields.String(required=True)
    member_desk_ids = fields.List(fields.String(), required=True, validate=validate.Length(min=2))
    agenda = fields.String(required=True)
    convened_by_desk_id = fields.String(required=True)
    actor = fields.String(required=True)
    at = fields.AwareDateTime(required=True)


class MeetingDecidedV1(Schema):
    meeting_id = fields.String(required=True)
    consultation_id = fields.String(required=True)
    decision_id = fields.String(required=True)
    text = fields.String(required=True)
    referral_id = fields.String(load_default=None, allow_none=True)
    actor = fields.String(required=True)
    at = fields.AwareDateTime(required=True)


REGISTRY.register("referral.requested", 1, ReferralRequestedV1,
                  "A desk referred a consultation to another desk; carries only a non-personal summary.")
TRANSITION_EVENTS = {
    "referral.received": "The receiving desk has the referral in front of it.",
    "referral.accepted": "The receiving desk took the case on.",
    "referral.rejected": "The receiving desk declined, with a reason; alternatives go back to the referring desk.",
    "referral.started": "Work on the referral began (in-progress).",
    "referral.paused": "Work was put on hold, with a reason.",
    "referral.resumed": "Work resumed after a hold.",
    "referral.completed": "The receiving desk completed the referral, with an outcome.",
    "referral.failed": "The referral could not be carried out, with a reason.",
    "referral.cancelled": "The referring desk withdrew the referral.",
    "referral.voided": "The referral was marked entered-in-error, with a note.",
    "referral.reopened": "A completed referral was reopened, with a reason.",
}
for _type, _description in TRANSITION_EVENTS.items():
    REGISTRY.register(_type, 1, ReferralTransitionedV1, _description)
REGISTRY.register("referral.escalated", 1, ReferralEscalatedV1,
                  "Nobody picked a referral up in time: level 1 to the receiving supervisor, level 2 to the referring desk.")
REGISTRY.register("meeting.convened", 1, MeetingConvenedV1,
                  "A support meeting (支援会議) or support coordination meeting (支援調整会議) was convened for a case.")
REGISTRY.register("meeting.decided", 1, MeetingDecidedV1,
                  "A meeting recorded a decision; an action decided becomes a referral.")
