"""Events of the intake service."""
from marshmallow import Schema, fields, validate

from ...vocabulary import CHANNELS, CONCERNS, REPORTER_KINDS, URGENCIES, WARDS
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
    household_size = fields.Integer(load_default=1, validate=validate.Range(min=1))
    consent_status = fields.String(load_default="not_recorded",
                                   validate=validate.OneOf(["not_recorded", "not_obtained"]))
    reported_by = fields.String(load_default=None, allow_none=True,
                                validate=validate.OneOf(list(REPORTER_KINDS)))
    outreach_desk_id = fields.String(load_default=None, allow_none=True,
                                     metadata={"description": "desk assigned to reach out (concern reports)"})


class PersonLinkChangedV1(Schema):
    link_id = fields.String(required=True)
    consultation_id_a = fields.String(required=True)
    consultation_id_b = fields.String(required=True)
    desk_id_a = fields.String(required=True)
    desk_id_b = fields.String(required=True)
    actor = fields.String(required=True)
    reason = fields.String(required=True)
    at = fields.AwareDateTime(required=True)


REGISTRY.register(
    "consultation.recorded", 1, ConsultationRecordedV1,
    "A desk recorded a consultation (or a concern report); no personal data, only codes.",
)
REGISTRY.register("person.linked", 1, PersonLinkChangedV1,
                  "Staff linked two consultations as the same person (never merged automatically).")
REGISTRY.register("person.unlinked", 1, PersonLinkChangedV1,
                  "Staff removed a link between two consultations.")
