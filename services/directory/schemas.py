"""Wire schemas of the directory's queries and commands."""
from marshmallow import Schema, fields, validate

from shared.vocabulary import CONCERNS, WARDS

from .domain import CAPACITIES


class SearchSchema(Schema):
    concern = fields.String(load_default=None, validate=validate.OneOf(list(CONCERNS)))
    ward = fields.String(load_default=None, validate=validate.OneOf(list(WARDS)))
    capacity = fields.String(load_default=None, validate=validate.OneOf(CAPACITIES))


class SuggestSchema(Schema):
    concerns = fields.List(fields.String(validate=validate.OneOf(list(CONCERNS))),
                           required=True, validate=validate.Length(min=1))
    ward = fields.String(required=True, validate=validate.OneOf(list(WARDS)))
    exclude = fields.List(fields.String(), load_default=list)
    limit = fields.Integer(load_default=5, validate=validate.Range(1, 50))


class UpdateCapacitySchema(Schema):
    desk_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    capacity = fields.String(required=True, validate=validate.OneOf(CAPACITIES))
    actor = fields.String(required=True, validate=validate.Length(min=1, max=64))
