"""Events of the directory service."""
from marshmallow import Schema, fields, validate

from . import REGISTRY


class DeskCapacityUpdatedV1(Schema):
    desk_id = fields.String(required=True)
    capacity = fields.String(required=True, validate=validate.OneOf(["available", "waitlist", "full"]))
    confirmed_on = fields.Date(required=True)
    actor = fields.String(required=True)
    at = fields.AwareDateTime(required=True)


REGISTRY.register("desk.capacity.updated", 1, DeskCapacityUpdatedV1,
                  "A desk's capacity (available, waitlist, full) was confirmed or changed.")
