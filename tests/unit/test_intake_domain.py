import pytest
from hypothesis import given, strategies as st

from services.intake.domain import Consultation
from shared.events.catalog import REGISTRY
from shared.events import Envelope
from shared.vocabulary import CHANNELS, CONCERNS, URGENCIES, WARDS

pytestmark = pytest.mark.unit

commands = st.fixed_dictionaries({
    "desk_id": st.text(min_size=1, max_size=64),
    "ward": st.sampled_from(list(WARDS)),
    "channel": st.sampled_from(list(CHANNELS)),
    "concerns": st.lists(st.sampled_from(list(CONCERNS)), min_size=1),
    "urgency": st.sampled_from(list(URGENCIES)),
    "person": st.fixed_dictionaries({"name": st.text(min_size=1, max_size=100)}),
})


@given(commands)
def test_any_well_formed_consultation_is_recorded_and_its_event_is_valid(command):
    consultation = Consultation.record(command)
    assert consultation.concerns == tuple(dict.fromkeys(command["concerns"]))
    event = Envelope(type="consultation.recorded", version=1, source="/t",
                     data=consultation.recorded_event_data())
    REGISTRY.check(event)


def test_the_recorded_event_carries_no_personal_details():
    consultation = Consultation.record({
        "desk_id": "d", "ward": "chuo", "channel": "phone", "concerns": ["other"],
        "urgency": "normal", "person": {"name": "見本 花子", "phone": "043-000-0001"}})
    text = str(consultation.recorded_event_data())
    assert "見本" not in text and "043" not in text
    assert consultation.person.ref in text
