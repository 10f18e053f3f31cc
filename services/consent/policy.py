"""Deciding whether one disclosure is lawful, and of exactly which data. No I/O.

Three bases, as in the plan:

* the person's **consent** (shaped after FHIR Consent): provisions that permit or deny data
  categories to recipients for purposes within a period, nested — a nested provision applies
  only inside its parent's scope — and a matching deny always wins. Nothing is shared without
  a permit, so a deny is an explicit block (for example "never health data to anyone");
* a **support meeting** (支援会議) under Article 9 of the Act on Self-Reliance Support for Needy
  Persons: members may share without consent, only among members and for the meeting's case;
* an **emergency** to protect life or body when consent cannot be obtained (an exception in the
  Act on the Protection of Personal Information): needs a written justification and is flagged
  for supervisor review afterwards.

The answer is a permit with exactly which categories, or a deny with the reason.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

CATEGORIES = ("identity", "contact", "household", "income", "health", "mental_health",
              "employment", "housing", "child", "case_notes")
PURPOSES = ("referral", "support_meeting", "support_coordination", "outreach", "case_reading",
            "notification", "emergency")
BASES = ("consent", "support_meeting", "emergency")
MIN_JUSTIFICATION = 20


@dataclass(frozen=True)
class Provision:
    """Permit or deny; empty recipients/purposes/categories mean 'any' within the parent."""
    type: str  # "permit" | "deny"
    recipients: tuple[str, ...] = ()  # desk ids, or "kind:<desk kind>"
    purposes: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    provisions: tuple["Provision", ...] = ()


@dataclass(frozen=True)
class Consent:
    id: str
    version: int
    person_ref: str
    status: str  # "active" | "withdrawn"
    valid_from: datetime
    valid_until: datetime | None
    provision: Provision

    def live(self, at: datetime) -> bool:
        return (self.status == "active" and self.valid_from <= at
                and (self.valid_until is None or at < self.valid_until))


@dataclass(frozen=True)
class Request:
    person_ref: str
    recipient: str
    recipient_kind: str
    purpose: str
    categories: tuple[str, ...]
    at: datetime
    basis: str = "consent"
    meeting_members: tuple[str, ...] = ()  # for a support meeting: its member desks
    discloser: str = ""
    justification: str = ""


@dataclass(frozen=True)
class Decision:
    permitted: tuple[str, ...]
    basis: str
    reason: str
    consent_ref: str | None = None
    needs_review: bool = False
    denied: tuple[str, ...] = field(default=())

    @property
    def permit(self) -> bool:
        return bool(self.permitted)


@dataclass(frozen=True)
class _Scope:
    recipients: frozenset | None
    purposes: frozenset | None
    categories: frozenset | None
    start: datetime | None
    end: datetime | None


def _narrow(scope: _Scope, p: Provision) -> _Scope:
    def meet(outer, inner):
        inner = frozenset(inner) if inner else None
        if outer is None:
            return inner
        return outer if inner is None else outer & inner
    start = max(filter(None, (scope.start, p.start)), default=None)
    end = min(filter(None, (scope.end, p.end)), default=None)
    return _Scope(meet(scope.recipients, p.recipients), meet(scope.purposes, p.purposes),
                  meet(scope.categories, p.categories), start, end)


def _applies(scope: _Scope, request: Request) -> bool:
    if scope.recipients is not None and not (
            request.recipient in scope.recipients or f"kind:{request.recipient_kind}" in scope.recipients):
        return False
    if scope.purposes is not None and request.purpose not in scope.purposes:
        return False
    if scope.start and request.at < scope.start:
        return False
    return not (scope.end and request.at >= scope.end)


def _walk(provision: Provision, scope: _Scope, request: Request, permitted: set, denied: set) -> None:
    scope = _narrow(scope, provision)
    if _applies(scope, request):
        categories = set(request.categories) if scope.categories is None else set(request.categories) & scope.categories
        (permitted if provision.type == "permit" else denied).update(categories)
    for child in provision.provisions:
        _walk(child, scope, request, permitted, denied)


def evaluate_consent(consents: list[Consent], request: Request) -> tuple[set[str], set[str], list[str]]:
    """Categories permitted and denied by the person's live consents, and which consents spoke."""
    permitted, denied, refs = set(), set(), []
    for consent in consents:
        if consent.person_ref != request.person_ref or not consent.live(request.at):
            continue
        before = (len(permitted), len(denied))
        _walk(consent.provision, _Scope(None, None, None, None, None), request, permitted, denied)
        if (len(permitted), len(denied)) != before:
            refs.append(f"{consent.id}/v{consent.version}")
    return permitted, denied, refs


def decide(request: Request, consents: list[Consent]) -> Decision:
    """The single decision point: permit exactly these categories, or deny with the reason."""
    unknown = set(request.categories) - set(CATEGORIES)
    if unknown or not request.categories:
        return Decision((), request.basis, f"unknown or no data categories: {sorted(unknown)}")
    if request.basis == "support_meeting":
        if request.discloser not in request.meeting_members or request.recipient not in request.meeting_members:
            return Decision((), request.basis, "a support meeting shares only among its members")
        if request.purpose != "support_meeting":
            return Decision((), request.basis, "a support meeting shares only for the meeting's purpose")
        return Decision(tuple(c for c in CATEGORIES if c in request.categories), request.basis,
                        "member of the support meeting (Article 9, statutory confidentiality)")
    if request.basis == "emergency":
        if len(request.justification.strip()) < MIN_JUSTIFICATION:
            return Decision((), request.basis,
                            f"an emergency disclosure needs a written justification of at least {MIN_JUSTIFICATION} characters")
        return Decision(tuple(c for c in CATEGORIES if c in request.categories), request.basis,
                        "emergency to protect life or body; flagged for supervisor review", needs_review=True)
    if request.basis != "consent":
        return Decision((), request.basis, f"unknown basis {request.basis!r}")
    permitted, denied, refs = evaluate_consent(consents, request)
    allowed = tuple(c for c in CATEGORIES if c in permitted - denied)
    refused = tuple(c for c in CATEGORIES if c in set(request.categories) - set(allowed))
    if not allowed:
        reason = "no live consent permits this" if not refs else "the person's consent denies this"
        return Decision((), "consent", reason, denied=refused)
    return Decision(allowed, "consent", "permitted by the person's consent",
                    consent_ref=",".join(refs), denied=refused)
