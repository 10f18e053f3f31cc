"""The directory as Open Referral HSDS 3.0: each desk a service of its organization, with its
phone, hours, the ward it serves and its concerns as attributes. Pure; identifiers are stable
UUIDs derived from the desk ids, so a consumer can follow a service across exports."""
from __future__ import annotations

import uuid

from shared.vocabulary import CONCERNS, WARDS

from .domain import KINDS, Desk

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:tsunagu:directory")
CONCERN_TAXONOMY = "urn:tsunagu:concern"


def _id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(parts)))


def organization(name: str) -> dict:
    return {"id": _id("organization", name), "name": name, "description": f"{name}（千葉市の相談支援機関）"}


def service(desk: Desk) -> dict:
    service_id = _id("service", desk.id)
    area = WARDS.get(desk.ward, "千葉市全域") if desk.ward else "千葉市全域"
    return {
        "id": service_id,
        "organization_id": _id("organization", desk.organization),
        "name": desk.name,
        "alternate_name": desk.name_en,
        "description": f"{KINDS[desk.kind][0]}。相談できること: {'、'.join(CONCERNS[c] for c in desk.concerns)}",
        "status": "active" if desk.capacity != "full" else "temporarily closed",
        "organization": organization(desk.organization),
        "phones": [{"id": _id("phone", desk.id), "number": desk.phone, "type": "voice",
                    "languages": [{"id": _id("language", desk.id), "name": "Japanese", "code": "ja"}]}],
        "schedules": [{"id": _id("schedule", desk.id), "service_id": service_id, "description": desk.hours}],
        "service_areas": [{"id": _id("area", desk.id), "service_id": service_id, "name": area,
                           "description": "区" if desk.ward else "市全域"}],
        "languages": [{"id": _id("service-language", desk.id), "service_id": service_id, "name": "Japanese",
                       "code": "ja"}],
        "attributes": [{"id": _id("attribute", desk.id, concern), "link_id": service_id, "link_type": "service",
                        "link_entity": "service", "value": concern,
                        "taxonomy_term": {"id": _id("term", concern), "code": concern, "name": CONCERNS[concern],
                                          "description": CONCERNS[concern], "taxonomy": CONCERN_TAXONOMY}}
                       for concern in desk.concerns],
    }


def service_list(desks: list[Desk]) -> dict:
    """The HSDS API's paginated list, as one page holding every service."""
    contents = [service(d) for d in desks]
    return {"total_items": len(contents), "total_pages": 1, "page_number": 1, "size": len(contents),
            "first_page": True, "last_page": True, "empty": not contents, "contents": contents}
