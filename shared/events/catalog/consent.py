"""Events of the consent service. Identifiers and codes only."""
from marshmallow import Schema, fields, validate

from . import REGISTRY

CATEGORIES = ["identity", "contact", "household", "income", "health", "mental_health",
              "employment", "housing", "child", "case_notes"]


class ConsentChangedV1(Schema):
    consent_id = fields.String(required=True)
    version = fields.Integer(required=True)
    person_ref = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["active", "withdrawn", "expired"]))
    desk_id = fields.String(required=True)
    actor = fields.String(required=True)
    at = fields.AwareDateTime(required=True)


class DisclosureRecordedV1(Schema):
    disclosure_id = fields.String(required=True)
    seq = fields.Integer(required=True)
    person_ref = fields.String(required=True)
    subject_id = fields.String(load_default=None, allow_none=True)
    discloser_desk_id = fields.String(required=True)
    recipient_desk_id = fields.String(required=True)
    categories = fields.List(fields.String(validate=validate.OneOf(CATEGORIES)), required=True)
    basis = fields.String(required=True, validate=validate.OneOf(["consent", "support_meeting", "emergency"]))
    purpose = fields.String(required=True)
    needs_review = fields.Boolean(required=True)
    at = fields.AwareDateTime(required=True)


class DeletionRequestedV1(Schema):
    request_id = fields.String(required=True)
    person_ref = fields.String(required=True)
    consent_id = fields.String(required=True)
    recipient_desk_id = fields.String(required=True)
    reason = fields.String(required=True, validate=validate.OneOf(["withdrawn", "expired"]))
    at = fields.AwareDateTime(required=True)


class DeletionAcknowledgedV1(Schema):
    request_id = fields.String(required=True)
    recipient_desk_id = fields.String(required=True)
    actor = fields.String(required=True)
    at = fields.AwareDateTime(required=True)


REGISTRY.register("consent.recorded", 1, ConsentChangedV1, "A consent (or a new version of it) was recorded.")
REGISTRY.register("consent.withdrawn", 1, ConsentChangedV1,
                  "The person withdrew a consent: effective at once; no further disclosures under it.")
REGISTRY.register("consent.expired", 1, ConsentChangedV1, "A consent reached its end date.")
REGISTRY.register("disclosure.recorded", 1, DisclosureRecordedV1,
                  "Personal data went to a desk on a lawful basis; which categories, not the data.")
REGISTRY.register("disclosure.deletion_requested", 1, DeletionRequestedV1,
                  "A recipient is asked to delete what it received under a withdrawn or expired consent.")
REGISTRY.register("disclosure.deletion_acknowledged", 1, DeletionAcknowledgedV1,
                  "A recipient confirmed it deleted what it received.")
