"""Field types the wire schemas of every service share."""
from marshmallow import fields, validate


def Id(**kwargs) -> fields.String:  # noqa: N802  (reads as a field type, like fields.String)
    """An identifier: a desk, consultation, referral or staff id (1–64 characters)."""
    return fields.String(validate=validate.Length(min=1, max=64), **kwargs)
