"""Wire schemas of the notification service."""
from marshmallow import Schema, fields, validate

from shared.wire import Id


class AcknowledgeSchema(Schema):
    notification_id = Id(required=True)
    desk_id = Id(required=True)
    actor = Id(required=True)


class SubscribeWebhookSchema(Schema):
    desk_id = Id(required=True)
    url = fields.Url(required=True, require_tld=False, schemes={"http", "https"})


class PreferencesSchema(Schema):
    staff_id = Id(required=True)
    desk_id = Id(required=True)
    email = fields.Email(load_default=None)
    channels = fields.List(fields.String(validate=validate.OneOf(["inbox", "email"])), load_default=lambda: ["inbox"])
    quiet_start = fields.String(load_default=None, validate=validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$"))
    quiet_end = fields.String(load_default=None, validate=validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$"))
    supervisor = fields.Boolean(load_default=False)
