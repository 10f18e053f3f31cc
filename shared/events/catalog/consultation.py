"""Events of the intake service."""
from marshmallow import Schema, fields, validate

from ...vocabulary import CHANNELS, CONCERNS, URGENCIES, WARDS
from . import REGISTRY


class ConsultationRecordedV1(Schema):
    consultation_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    person_ref = fields.String(required=True, validate=validate.Length(min=1, max=64),
                               metadata={"description": "pseudonymous person id"})
    desk_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    ward = fields.String(required=True, validate=validate.OneOf(list(WARDS)))
    channel = fields.String(required=True, validate=validate.OneOf(list(CHANNELS)))
    concerns = fields.List(fields.String(validate=validate.OneOf(list(CONCERNS))),
                           required=True, validate=validate.Length(min=1))
    urgency = fields.String(required=True, validate=validate.OneOf(list(URGENCIES)))
    recorded_at = fields.AwareDateTime(required=True)


REGISTRY.register(
    "consultation.recorded", 1, ConsultationRecordedV1,
    "A desk recorded a consultation (or a concern report); no personal data, only codes.",
)
