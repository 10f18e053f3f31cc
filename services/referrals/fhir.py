"""A referral as FHIR R4: the ServiceRequest (what was asked, of whom) and the Task that tracks
it, in a collection Bundle. Pure. Desks are identified, not resolved; the person is referred to
by the consultation only, never by name."""
from __future__ import annotations

DESK = "urn:tsunagu:desk"
CONSULTATION = "urn:tsunagu:consultation"
PRIORITY = {"normal": "routine", "urgent": "urgent", "risk_to_life": "stat"}
REQUEST_STATUS = {"requested": "active", "received": "active", "accepted": "active", "in-progress": "active",
                  "on-hold": "on-hold", "completed": "completed", "rejected": "revoked", "failed": "revoked",
                  "cancelled": "revoked", "entered-in-error": "entered-in-error"}


def _desk(desk_id: str) -> dict:
    return {"identifier": {"system": DESK, "value": desk_id}, "display": desk_id}


def service_request(referral: dict) -> dict:
    return {
        "resourceType": "ServiceRequest", "id": referral["id"],
        "status": REQUEST_STATUS[referral["status"]], "intent": "order",
        "priority": PRIORITY.get(referral["urgency"], "routine"),
        "subject": {"identifier": {"system": CONSULTATION, "value": referral["consultation_id"]}},
        "authoredOn": referral["created_at"],
        "requester": _desk(referral["from_desk_id"]),
        "performer": [_desk(referral["to_desk_id"])],
        "reasonCode": [{"text": referral["reason"]}],
    }


def task(referral: dict) -> dict:
    resource = {
        "resourceType": "Task", "id": f"{referral['id']}-task",
        "status": referral["status"], "intent": "order",
        "priority": PRIORITY.get(referral["urgency"], "routine"),
        "focus": {"reference": f"ServiceRequest/{referral['id']}"},
        "basedOn": [{"reference": f"ServiceRequest/{referral['id']}"}],
        "authoredOn": referral["created_at"], "lastModified": referral["updated_at"],
        "requester": _desk(referral["from_desk_id"]), "owner": _desk(referral["to_desk_id"]),
    }
    if referral.get("pickup_deadline"):
        resource["restriction"] = {"period": {"end": referral["pickup_deadline"]}}
    if referral.get("outcome"):
        resource["output"] = [{"type": {"text": "outcome"}, "valueString": referral["outcome"]}]
    return resource


def bundle(referral: dict) -> dict:
    return {"resourceType": "Bundle", "type": "collection",
            "entry": [{"fullUrl": f"urn:uuid:{referral['id']}", "resource": service_request(referral)},
                      {"fullUrl": f"urn:uuid:{referral['id']}-task", "resource": task(referral)}]}
