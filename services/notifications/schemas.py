"""Wire schemas of the notification service."""
from marshmallow import Schema, fields, validate

Id = lambda **kw: fields.String(validate=validate.Length(min=1, max=64), **kw)  # noqa: E731


class AcknowledgeSchema(Schema):
    notification_id = Id(required=True)
    desk_id = Id(required=True)
    actor = Id(required=True)


class SubscribeWebhookSchema(Schema):
    desk_id = Id(required=True)
    url = fields.Url(required=True, require_tld=False, schemes={"http", "https"})
