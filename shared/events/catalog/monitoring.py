"""Events of the monitor: alerts admins (and their own systems) act on."""
from marshmallow import Schema, fields, validate

from . import REGISTRY

ALERT_KINDS = ["no-consumer", "dead-letters", "outbox-lag", "monitor-degraded"]


class AlertV1(Schema):
    alert_id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(ALERT_KINDS))
    subject = fields.String(required=True)
    detail = fields.String(required=True)
    at = fields.AwareDateTime(required=True)


REGISTRY.register("monitor.alert_raised", 1, AlertV1,
                  "The message flow needs an admin: a queue without a consumer, a growing dead-letter "
                  "queue, or events arriving late.")
REGISTRY.register("monitor.alert_cleared", 1, AlertV1, "The condition of an earlier alert is over.")
