"""The consent decision point: nothing permitted that no live provision permits; deny wins."""
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings, strategies as st

from services.consent import policy
from services.consent.policy import CATEGORIES, Consent, Provision, Request, decide

pytestmark = pytest.mark.unit
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)
DESKS = ("hikikomori-center", "hello-work-chiba", "wakaba-health-center")
KINDS = {"hikikomori-center": "hikikomori_center", "hello-work-chiba": "hello_work",
         "wakaba-health-center": "health_center"}
PURPOSES = ("referral", "case_reading", "notification")

windows = st.one_of(st.none(), st.integers(-30, 30).map(lambda d: NOW + timedelta(days=d)))


@st.composite
def provisions(draw, depth=2):
    return Provision(
        type=draw(st.sampled_from(["permit", "deny"])),
        recipients=tuple(draw(st.lists(st.sampled_from(DESKS + ("kind:hello_work",)), max_size=2, unique=True))),
        purposes=tuple(draw(st.lists(st.sampled_from(PURPOSES), max_size=2, unique=True))),
        categories=tuple(draw(st.lists(st.sampled_from(CATEGORIES), max_size=4, unique=True))),
        start=draw(windows), end=draw(windows),
        provisions=tuple(draw(st.lists(provisions(depth=depth - 1), max_size=2))) if depth > 0 else ())


@st.composite
def consents(draw):
    start = NOW + timedelta(days=draw(st.integers(-10, 2)))
    return Consent(id=f"cs-{draw(st.integers(0, 999))}", version=1, person_ref="p-1",
                   status=draw(st.sampled_from(["active", "active", "withdrawn", "expired"])),
                   valid_from=start, valid_until=draw(st.one_of(st.none(), st.just(start + timedelta(days=5)))),
                   provision=draw(provisions()))


@st.composite
def requests(draw):
    recipient = draw(st.sampled_from(DESKS))
    return Request(person_ref="p-1", recipient=recipient, recipient_kind=KINDS[recipient],
                   purpose=draw(st.sampled_from(PURPOSES)),
                   categories=tuple(draw(st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=5, unique=True))),
                   at=NOW + timedelta(days=draw(st.integers(-2, 4))))


def _in(value, allowed):
    return not allowed or value in allowed


def _live_matches(provision, request, kind, inherited=None):
    """Every (type, categories) of provisions whose whole chain of scopes covers the request."""
    scope = dict(inherited or {"recipients": None, "purposes": None, "categories": None, "start": None, "end": None})
    for key in ("recipients", "purposes", "categories"):
        mine = set(getattr(provision, key)) or None
        scope[key] = mine if scope[key] is None else (scope[key] if mine is None else scope[key] & mine)
    scope["start"] = max(filter(None, (scope["start"], provision.start)), default=None)
    scope["end"] = min(filter(None, (scope["end"], provision.end)), default=None)
    applies = ((scope["recipients"] is None or request.recipient in scope["recipients"]
                or f"kind:{kind}" in scope["recipients"])
               and (scope["purposes"] is None or request.purpose in scope["purposes"])
               and (scope["start"] is None or request.at >= scope["start"])
               and (scope["end"] is None or request.at < scope["end"]))
    if applies:
        yield provision.type, (set(request.categories) if scope["categories"] is None
                               else set(request.categories) & scope["categories"])
    for child in provision.provisions:
        yield from _live_matches(child, request, kind, scope)


@settings(max_examples=400)
@given(st.lists(consents(), max_size=3), requests())
def test_no_decision_permits_a_category_no_live_provision_permits_and_deny_always_wins(consents_, request):
    decision = decide(request, consents_)
    live = [c for c in consents_ if c.live(request.at)]
    permitted, denied = set(), set()
    for consent in live:
        for kind, categories in _live_matches(consent.provision, request, request.recipient_kind):
            (permitted if kind == "permit" else denied).update(categories)
    assert set(decision.permitted) <= set(request.categories)
    assert set(decision.permitted) <= permitted
    assert not set(decision.permitted) & denied
    assert set(decision.permitted) == permitted - denied
    if not decision.permit:
        assert decision.reason


@given(st.lists(consents(), min_size=1, max_size=3), requests())
def test_after_withdrawal_nothing_is_ever_permitted(consents_, request):
    withdrawn = [Consent(c.id, c.version + 1, c.person_ref, "withdrawn", c.valid_from, c.valid_until, c.provision)
                 for c in consents_]
    assert decide(request, withdrawn).permitted == ()


def _consent(provision, **changes):
    values = dict(id="cs-1", version=1, person_ref="p-1", status="active",
                  valid_from=NOW - timedelta(days=1), valid_until=None, provision=provision)
    values.update(changes)
    return Consent(**values)


def _request(**changes):
    values = dict(person_ref="p-1", recipient="hikikomori-center", recipient_kind="hikikomori_center",
                  purpose="referral", categories=("identity", "contact", "health"), at=NOW)
    values.update(changes)
    return Request(**values)


def test_a_nested_deny_carves_out_of_a_permit():
    consent = _consent(Provision("permit", recipients=("hikikomori-center",), purposes=("referral",),
                                 provisions=(Provision("deny", categories=("health",)),)))
    decision = decide(_request(), [consent])
    assert decision.permitted == ("identity", "contact")
    assert decision.denied == ("health",)
    assert decision.consent_ref == "cs-1/v1"


def test_a_deny_wins_even_over_a_permit_nested_inside_it():
    consent = _consent(Provision("deny", categories=("health",), provisions=(
        Provision("permit", recipients=("hello-work-chiba",)),)))
    hello = _request(recipient="hello-work-chiba", recipient_kind="hello_work")
    assert decide(hello, [consent]).permitted == ()  # the permit is scoped inside the deny's categories
    assert decide(_request(), [consent]).permitted == ()


def test_a_nested_permit_cannot_reach_beyond_its_parent():
    consent = _consent(Provision("permit", recipients=("hikikomori-center",), categories=("identity",), provisions=(
        Provision("permit", categories=("identity", "health")),)))
    assert decide(_request(), [consent]).permitted == ("identity",)
    hello = _request(recipient="hello-work-chiba", recipient_kind="hello_work")
    assert decide(hello, [consent]).permitted == ()


def test_recipients_may_be_named_by_kind_and_consents_expire():
    consent = _consent(Provision("permit", recipients=("kind:hello_work",), categories=("employment",)),
                       valid_until=NOW + timedelta(hours=1))
    hello = _request(recipient="hello-work-chiba", recipient_kind="hello_work", categories=("employment",))
    assert decide(hello, [consent]).permitted == ("employment",)
    later = _request(recipient="hello-work-chiba", recipient_kind="hello_work", categories=("employment",),
                     at=NOW + timedelta(hours=2))
    assert decide(later, [consent]).permitted == ()


def test_a_support_meeting_shares_only_among_its_members_for_its_purpose():
    members = ("wakaba-life-independence-center", "hikikomori-center")
    base = dict(basis="support_meeting", purpose="support_meeting", meeting_members=members,
                discloser="wakaba-life-independence-center")
    assert decide(_request(**base), []).permitted == ("identity", "contact", "health")
    outsider = dict(base, recipient="hello-work-chiba", recipient_kind="hello_work")
    assert decide(_request(**outsider), []).permitted == ()
    assert decide(_request(**dict(base, purpose="referral")), []).permitted == ()


def test_an_emergency_needs_a_written_justification_and_is_flagged_for_review():
    refused = decide(_request(basis="emergency", justification="急いで"), [])
    assert refused.permitted == () and "justification" in refused.reason
    allowed = decide(_request(basis="emergency", justification="本人が自宅で倒れている可能性があり、安否確認のため緊急に連絡先を共有する"), [])
    assert allowed.permitted == ("identity", "contact", "health") and allowed.needs_review


def test_unknown_categories_are_never_permitted():
    consent = _consent(Provision("permit"))
    assert decide(_request(categories=("dna",)), [consent]).permitted == ()
    assert policy.CATEGORIES[0] == "identity"
