"""Wire schemas of the consent service."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from shared.wire import Id

from .policy import BASES, CATEGORIES, PURPOSES


class ProvisionSchema(Schema):
    type = fields.String(required=True, validate=validate.OneOf(["permit", "deny"]))
    recipients = fields.List(fields.String(validate=validate.Length(min=1, max=80)), load_default=list)
    purposes = fields.List(fields.String(validate=validate.OneOf(PURPOSES)), load_default=list)
    categories = fields.List(fields.String(validate=validate.OneOf(CATEGORIES)), load_default=list)
    start = fields.AwareDateTime(load_default=None)
    end = fields.AwareDateTime(load_default=None)
    provisions = fields.List(fields.Nested(lambda: ProvisionSchema()), load_default=list,
                             validate=validate.Length(max=50))


class RecordConsentSchema(Schema):
    person_ref = Id(required=True)
    desk_id = Id(required=True)
    actor = Id(required=True)
    granted_by = fields.String(required=True, validate=validate.OneOf(["person", "guardian"]))
    guardian_name = fields.String(load_default=None, validate=validate.Length(max=100))
    method = fields.String(required=True, validate=validate.OneOf(
        ["signed_form", "verbal_with_witness", "electronic"]))
    witness = fields.String(load_default=None, validate=validate.Length(max=100))
    purpose = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    valid_from = fields.AwareDateTime(load_default=None)
    valid_until = fields.AwareDateTime(load_default=None)
    provision = fields.Nested(ProvisionSchema, required=True)
    consent_id = Id(load_default=None)  # given: a new version of that consent

    @validates_schema
    def _coherent(self, data, **_):
        if data.get("granted_by") == "guardian" and not data.get("guardian_name"):
            raise ValidationError("name the guardian who granted it", "guardian_name")
        if data.get("method") == "verbal_with_witness" and not data.get("witness"):
            raise ValidationError("verbal consent needs a witness", "witness")
        if data.get("valid_from") and data.get("valid_until") and data["valid_until"] <= data["valid_from"]:
            raise ValidationError("must be after valid_from", "valid_until")


class WithdrawSchema(Schema):
    consent_id = Id(required=True)
    desk_id = Id(required=True)
    actor = Id(required=True)
    reason = fields.String(load_default="", validate=validate.Length(max=1000))


class DisclosureRequestSchema(Schema):
    person_ref = Id(required=True)
    subject_id = Id(load_default=None)  # the consultation or referral the data is about
    discloser_desk_id = Id(required=True)
    recipient_desk_id = Id(required=True)
    purpose = fields.String(required=True, validate=validate.OneOf(PURPOSES))
    categories = fields.List(fields.String(validate=validate.OneOf(CATEGORIES)), required=True,
                             validate=validate.Length(min=1))
    basis = fields.String(load_default="consent", validate=validate.OneOf(BASES))
    meeting_id = Id(load_default=None)
    justification = fields.String(load_default="", validate=validate.Length(max=4000))

    @validates_schema
    def _meeting_named(self, data, **_):
        if data.get("basis") == "support_meeting" and not data.get("meeting_id"):
            raise ValidationError("a support-meeting disclosure names the meeting", "meeting_id")


class AcknowledgeSchema(Schema):
    request_id = Id(required=True)
    desk_id = Id(required=True)
    actor = Id(required=True)


class ReviewSchema(Schema):
    disclosure_id = Id(required=True)
    actor = Id(required=True)
    note = fields.String(required=True, validate=validate.Length(min=1, max=4000))
