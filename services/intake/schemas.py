"""Wire schemas of the intake commands: a malformed request is refused field by field and
nothing is written; any well-formed consultation is accepted, whatever its concern."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from shared.vocabulary import CHANNELS, CONCERNS, REPORTER_KINDS, URGENCIES, WARDS
from shared.wire import Id


class HouseholdMemberSchema(Schema):
    relation = fields.String(required=True, validate=validate.Length(min=1, max=40))
    age = fields.Integer(load_default=None, validate=validate.Range(0, 130))


class PersonSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    name_kana = fields.String(load_default=None, validate=validate.Regexp(
        r"^[\u30A0-\u30FF\u3000 ー・]{1,100}$", error="katakana only"))
    birth_date = fields.Date(load_default=None)
    phone = fields.String(load_default=None, validate=validate.Regexp(r"^[0-9+\-() ]{6,20}$"))
    address = fields.String(load_default=None, validate=validate.Length(max=200))
    household = fields.List(fields.Nested(HouseholdMemberSchema), load_default=list,
                            validate=validate.Length(max=20))


class ReporterSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(list(REPORTER_KINDS)))
    desk_id = Id(load_default=None)


class RecordConsultationSchema(Schema):
    desk_id = Id(required=True)
    ward = fields.String(required=True, validate=validate.OneOf(list(WARDS)))
    channel = fields.String(required=True, validate=validate.OneOf(list(CHANNELS)))
    concerns = fields.List(fields.String(validate=validate.OneOf(list(CONCERNS))),
                           required=True, validate=validate.Length(min=1))
    urgency = fields.String(load_default="normal", validate=validate.OneOf(list(URGENCIES)))
    summary = fields.String(load_default="", validate=validate.Length(max=4000))
    person = fields.Nested(PersonSchema, required=True)
    reporter = fields.Nested(ReporterSchema, load_default=None)
    outreach_desk_id = Id(load_default=None)
    actor = Id(load_default="unknown")
    # The client's idempotency key: a retry with the same key at the same desk records nothing new.
    request_key = fields.String(load_default=None, validate=validate.Regexp(r"^[A-Za-z0-9._:-]{1,64}$"))

    @validates_schema
    def _concern_reports_name_their_reporter(self, data, **_):
        if data.get("channel") == "concern_report" and not data.get("reporter"):
            raise ValidationError("a concern report names who reported it", "reporter")
        if data.get("channel") != "concern_report" and data.get("reporter"):
            raise ValidationError("only a concern report has a reporter", "reporter")


class LinkSchema(Schema):
    consultation_id_a = Id(required=True)
    consultation_id_b = Id(required=True)
    actor = Id(required=True)
    desk_id = Id(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))

    @validates_schema
    def _two_different(self, data, **_):
        if data.get("consultation_id_a") == data.get("consultation_id_b"):
            raise ValidationError("a consultation cannot be linked to itself", "consultation_id_b")


class UnlinkSchema(Schema):
    link_id = Id(required=True)
    actor = Id(required=True)
    desk_id = Id(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class DisclosePersonSchema(Schema):
    """Checked again, field by field, by the consent service."""
    consultation_id = Id(required=True)
    subject_id = Id(load_default=None)
    recipient_desk_id = Id(required=True)
    purpose = fields.String(required=True)
    categories = fields.List(fields.String(), required=True, validate=validate.Length(min=1))
    basis = fields.String(load_default="consent")
    meeting_id = fields.String(load_default=None)
    justification = fields.String(load_default="")
