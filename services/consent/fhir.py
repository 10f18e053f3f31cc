"""A consent as a FHIR R4 Consent resource: its scope and category, the person by reference,
the recording desk, and the provision tree (permit/deny, recipients as actors, purposes,
categories as codes, periods). Pure."""
from __future__ import annotations

DESK = "urn:tsunagu:desk"
PERSON = "urn:tsunagu:person"
CATEGORY = "urn:tsunagu:data-category"
PURPOSE = "urn:tsunagu:purpose"
STATUS = {"active": "active", "withdrawn": "inactive", "expired": "inactive", "superseded": "inactive"}


def _provision(provision: dict) -> dict:
    out = {"type": provision["type"]}
    if provision.get("start") or provision.get("end"):
        out["period"] = {k: provision[k] for k in ("start", "end") if provision.get(k)}
    if provision.get("recipients"):
        out["actor"] = [{"role": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                                              "code": "IRCP"}]},
                         "reference": {"identifier": {"system": DESK, "value": r}}} for r in provision["recipients"]]
    if provision.get("purposes"):
        out["purpose"] = [{"system": PURPOSE, "code": p} for p in provision["purposes"]]
    if provision.get("categories"):
        out["code"] = [{"coding": [{"system": CATEGORY, "code": c}]} for c in provision["categories"]]
    if provision.get("provisions"):
        out["provision"] = [_provision(p) for p in provision["provisions"]]
    return out


def consent(version: dict) -> dict:
    """The latest version of a consent (as consent_history returns it)."""
    provision = _provision(version["provision"])
    provision["period"] = {**({"start": version["valid_from"]}),
                           **({"end": version["valid_until"]} if version.get("valid_until") else {}),
                           **provision.get("period", {})}
    return {
        "resourceType": "Consent", "id": version["consent_id"],
        "meta": {"versionId": str(version["version"])},
        "status": STATUS.get(version["status"], "inactive"),
        "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy"}]},
        "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}],
        "patient": {"identifier": {"system": PERSON, "value": version["person_ref"]}},
        "dateTime": version["recorded_at"],
        "organization": [{"identifier": {"system": DESK, "value": version["desk_id"]}}],
        "policyRule": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "OPTIN"}]},
        "provision": provision,
    }
