"""Directory suggestions with reasons, and same-person match suggestions."""
from datetime import date

import pytest

from services.directory import domain
from services.directory.seed import chiba_directory
from services.intake.domain import Person, match_reasons
from shared.vocabulary import CONCERNS, WARDS

pytestmark = pytest.mark.unit
TODAY = date(2026, 11, 28)
DESKS = chiba_directory()


def test_the_seed_has_every_wards_own_desks_and_the_citywide_agencies():
    ids = {d.id for d in DESKS}
    for ward in WARDS:
        assert f"{ward}-life-independence-center" in ids and f"{ward}-anshin-care-center" in ids
    assert {"hikikomori-center", "hello-work-chiba", "municipal-housing", "housing-support-council"} <= ids
    assert any(not d.formal for d in DESKS)
    assert all(d.phone.startswith("043-000-") for d in DESKS)  # invented numbers only
    assert len(ids) == len(DESKS)


@pytest.mark.parametrize("concern", list(CONCERNS))
@pytest.mark.parametrize("ward", list(WARDS))
def test_every_concern_in_every_ward_gets_a_suggestion_with_reasons(concern, ward):
    suggestions = domain.suggest(DESKS, [concern], ward, TODAY, 90)
    assert suggestions, (concern, ward)
    assert all(s.reasons for s in suggestions)
    assert all(s.desk.ward in (ward, None) for s in suggestions[:1])  # the best is near the person


def test_hikikomori_and_employment_in_wakaba_are_ranked_with_reasons_and_exclusions():
    ranked = domain.suggest(DESKS, ["hikikomori", "employment"], "wakaba", TODAY, 90,
                            exclude={"wakaba-life-independence-center"})
    ids = [s.desk.id for s in ranked]
    assert ids[0] == "employment-preparation"
    assert "wakaba-life-independence-center" not in ids
    assert {"hikikomori-center", "hello-work-chiba"} & set(ids)
    assert "serves hikikomori, employment" in ranked[0].reasons


def test_a_full_desk_ranks_below_one_with_room_and_stale_capacity_is_flagged():
    ranked = domain.suggest(DESKS, ["housing"], "chuo", TODAY, 90)
    by_id = {s.desk.id: s for s in ranked}
    assert by_id["housing-support-council"].score > by_id["municipal-housing"].score
    informal = [d for d in DESKS if not d.formal][0]
    assert informal.is_stale(TODAY, 90)
    assert "capacity not confirmed recently" in domain.suggest(
        [informal], list(informal.concerns), informal.ward, TODAY, 90)[0].reasons


def test_search_by_ward_includes_citywide_desks_and_filters_capacity():
    found = [d for d in DESKS if domain.matches(d, "housing", "mihama", "full")]
    assert [d.id for d in found] == ["municipal-housing"]


def test_same_kana_and_birth_date_or_same_phone_is_a_possible_match_with_its_reason():
    person = Person(name="見本 花子", name_kana="ミホン ハナコ", birth_date=date(1968, 4, 2), phone="043-000-0001")
    assert match_reasons(person, "ﾐﾎﾝﾊﾅｺ", date(1968, 4, 2), None) == ["same name (kana) and birth date"]
    assert match_reasons(person, None, None, "(043) 000 0001") == ["same phone number"]
    assert match_reasons(person, "ミホン ハナコ", date(1970, 1, 1), "090-0000-0000") == []
