"""What text the gateway lets through: no NUL characters or unpaired surrogates anywhere (neither
PostgreSQL nor the password hasher can store them), identifiers of a safe shape, and JSON of a
sane depth and size. Pure."""
from __future__ import annotations

import json
import re

ID = re.compile(r"^[A-Za-z0-9._:\-]{1,64}$")
NUMBER = re.compile(r"^[0-9]{1,12}$")
MAX_BODY_BYTES = 1_000_000


class BadText(ValueError):
    pass


def clean(value) -> bool:
    """True when every string inside is storable text."""
    if isinstance(value, str):
        if "\x00" in value:
            return False
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(clean(k) and clean(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return all(clean(v) for v in value)
    return True


def parse_json(raw: bytes):
    """The body as JSON, or BadText saying why not."""
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadText(f"the body is not valid JSON ({exc})") from None
    except RecursionError:
        raise BadText("the body is nested too deeply") from None
    if not clean(document):
        raise BadText("text may not contain NUL characters or unpaired surrogates")
    return document
