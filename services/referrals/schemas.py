"""Wire schemas of the referral service's commands."""
from marshmallow import Schema, fields, validate

from shared.vocabulary import URGENCIES
from shared.wire import Id

from .lifecycle import ACTIONS
from .meetings import KINDS

Text = lambda **kw: fields.String(validate=validate.Length(max=4000), **kw)  # noqa: E731


CATEGORIES = ("identity", "contact", "household", "income", "health", "mental_health",
              "employment", "housing", "child", "case_notes")


class ReferralRequestSchema(Schema):
    to_desk_id = Id(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    urgency = fields.String(load_default=None, validate=validate.OneOf(list(URGENCIES)))
    share_categories = fields.List(fields.String(validate=validate.OneOf(CATEGORIES)), load_default=list,
                                   metadata={"description": "personal data the receiving desk asks to see; "
                                                            "the consent service decides when it reads"})


class ReferSchema(Schema):
    consultation_id = Id(required=True)
    from_desk_id = Id(required=True)
    actor = Id(required=True)
    referrals = fields.List(fields.Nested(ReferralRequestSchema), required=True,
                            validate=validate.Length(min=1, max=20))


class TransitionSchema(Schema):
    referral_id = Id(required=True)
    action = fields.String(required=True, validate=validate.OneOf(list(ACTIONS)))
    desk_id = Id(required=True)
    actor = Id(required=True)
    reason = Text(load_default=None)
    outcome = Text(load_default=None)
    note = Text(load_default=None)


class ConveneSchema(Schema):
    consultation_id = Id(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(list(KINDS)))
    convened_by_desk_id = Id(required=True)
    member_desk_ids = fields.List(Id(), required=True, validate=validate.Length(min=1, max=30))
    agenda = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    actor = Id(required=True)


class DecisionActionSchema(Schema):
    to_desk_id = Id(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    urgency = fields.String(load_default=None, validate=validate.OneOf(list(URGENCIES)))


class DecideSchema(Schema):
    meeting_id = Id(required=True)
    desk_id = Id(required=True)
    actor = Id(required=True)
    text = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    action = fields.Nested(DecisionActionSchema, load_default=None, allow_none=True)
