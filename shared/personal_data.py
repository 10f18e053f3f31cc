"""Which data category each personal field belongs to, so a payload can be cut down to exactly
what a disclosure decision permits before it leaves the service that owns it. No I/O."""

FIELD_CATEGORIES = {
    "name": "identity",
    "name_kana": "identity",
    "birth_date": "identity",
    "phone": "contact",
    "address": "contact",
    "household": "household",
    "summary": "case_notes",
}


def minimise(record: dict, permitted_categories) -> dict:
    """Only the fields whose category is permitted; a field with no known category never leaves."""
    allowed = set(permitted_categories)
    return {k: v for k, v in record.items() if FIELD_CATEGORIES.get(k) in allowed}
