"""Events of the notification service."""
from marshmallow import Schema, fields

from . import REGISTRY


class NotificationAcknowledgedV1(Schema):
    notification_id = fields.String(required=True)
    kind = fields.String(required=True)
    referral_id = fields.String(load_default=None, allow_none=True)
    desk_id = fields.String(required=True)
    actor = fields.String(required=True)
    at = fields.AwareDateTime(required=True)


REGISTRY.register("notification.acknowledged", 1, NotificationAcknowledgedV1,
                  "Staff at a desk acknowledged a notification; for a new referral this makes it received.")
