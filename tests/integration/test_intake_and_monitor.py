"""Intake records consultations through the outbox; the monitor logs and traces them."""
import pytest
import sqlalchemy as sa
from nameko.exceptions import RemoteError
from nameko.standalone.rpc import ClusterRpcProxy

from services.intake.service import IntakeService
from services.intake.tables import consultations
from services.monitor.service import MonitorService
from shared.demo import DEMO_CONSULTATIONS
from shared.persistence.tables import outbox

from .helpers import count, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def cluster(runner_factory, nameko_config):
    runner = runner_factory(nameko_config, IntakeService, MonitorService)
    runner.start()
    with ClusterRpcProxy(nameko_config, timeout=20) as proxy:
        yield proxy


def test_a_consultation_at_any_desk_is_recorded_and_traced(cluster):
    recorded = [cluster.intake.record_consultation(case) for case in DEMO_CONSULTATIONS]
    for result in recorded:
        hops = wait_for(lambda: cluster.monitor.trace(result["consultation_id"]), what="the trace")
        assert [h["type"] for h in hops] == ["consultation.recorded"]
        assert hops[0]["source"] == "/tsunagu/intake"
        assert hops[0]["subject"] == result["consultation_id"]


def test_malformed_input_is_refused_field_by_field_and_nothing_is_written(cluster, settings):
    bad = dict(DEMO_CONSULTATIONS[0], ward="osaka", concerns=[], person={"phone": "x"})
    with pytest.raises(RemoteError) as error:
        cluster.intake.record_consultation(bad)
    assert error.value.exc_type == "InvalidInput"
    for field in ("ward", "concerns", "person"):
        assert field in error.value.value
    assert count(settings, "intake", consultations) == 0
    assert count(settings, "intake", outbox) == 0


def test_the_other_concern_is_never_refused(cluster, settings):
    case = dict(DEMO_CONSULTATIONS[0], concerns=["other"], channel="sns_chat")
    result = cluster.intake.record_consultation(case)
    assert result["consultation_id"].startswith("c-")
    assert count(settings, "intake", consultations) == 1
