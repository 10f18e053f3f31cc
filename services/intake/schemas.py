"""Wire schema of the intake commands: a malformed request is refused field by field and
nothing is written; any well-formed consultation is accepted, whatever its concern."""
from marshmallow import Schema, fields, validate

from shared.vocabulary import CHANNELS, CONCERNS, URGENCIES, WARDS


class PersonSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    name_kana = fields.String(load_default=None, validate=validate.Length(max=100))
    birth_date = fields.Date(load_default=None)
    phone = fields.String(load_default=None, validate=validate.Regexp(r"^[0-9+\-() ]{6,20}$"))


class RecordConsultationSchema(Schema):
    desk_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    ward = fields.String(required=True, validate=validate.OneOf(list(WARDS)))
    channel = fields.String(required=True, validate=validate.OneOf(list(CHANNELS)))
    concerns = fields.List(fields.String(validate=validate.OneOf(list(CONCERNS))),
                           required=True, validate=validate.Length(min=1))
    urgency = fields.String(load_default="normal", validate=validate.OneOf(list(URGENCIES)))
    summary = fields.String(load_default="", validate=validate.Length(max=4000))
    person = fields.Nested(PersonSchema, required=True)
