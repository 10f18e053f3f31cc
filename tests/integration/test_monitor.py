"""The monitor on the real network: a scripted day traced hop by hop and counted in the plan's
indicators; a poisoned message captured as a dead letter, alerted on, and replayed once after
the fix, every admin action recorded."""
import pytest
import sqlalchemy as sa
from cloudevents.core.formats.json import JSONFormat

from shared.demo import WAKABA, day

from .helpers import publish, query, wait_for
from .ledger import LedgerService, ledger
from .test_backbone import as_message, noted


def test_a_scripted_day_is_traced_hop_by_hop_and_counted(network):
    proxy, _ = network
    cases = day(proxy)
    first = cases[0]["consultation_id"]
    expected = len(proxy.referrals.timeline(first, WAKABA))
    hops = wait_for(lambda: (h := proxy.monitor.trace(first)) and len(h) >= expected and h,
                    what="every hop of the first case")
    types = [h["type"] for h in hops]
    assert types[0] == "consultation.recorded"
    for step in ("referral.requested", "notification.acknowledged", "referral.received", "referral.accepted",
                 "referral.rejected"):
        assert step in types, f"{step} missing from {types}"
    assert types.index("referral.requested") < types.index("referral.received") < types.index("referral.accepted")
    times = [h["time"] for h in hops]
    assert times == sorted(times)
    assert all(h["seconds_since_previous"] >= 0 for h in hops[1:])
    logged = {h["event_id"] for h in hops}
    caused = [h for h in hops if h["causationid"] in logged]
    assert caused, "a hop caused by another (e.g. received by the acknowledgement) names its cause"
    assert all(types.index(h["type"]) >= 0 for h in caused)

    indicators = wait_for(lambda: (i := proxy.monitor.indicators()) and i["referrals"] >= 5 and i,
                          what="the day's referrals counted")
    assert {r["ward"]: r["count"] for r in indicators["consultations_by_ward"]} == {"wakaba": 1, "mihama": 1, "inage": 1}
    rejected = [p for p in indicators["referrals_by_pair"] if p.get("rejected")]
    assert [(p["from_desk_id"], p["to_desk_id"]) for p in rejected] == [(WAKABA, "hello-work-chiba")]
    assert indicators["rates"]["rejection"] == pytest.approx(1 / indicators["referrals"], abs=1e-3)
    flow = proxy.monitor.flow(60)
    assert {"type": "consultation.recorded", "count": 3} .items() <= {
        **next(r for r in flow["event_rates"] if r["type"] == "consultation.recorded")}.items()
    assert all(w["to_desk_id"] for w in flow["waiting"])
    csv = proxy.monitor.indicators_csv("consultations_by_ward").splitlines()
    assert csv[0] == "ward,count" and sorted(csv[1:]) == ["inage,1", "mihama,1", "wakaba,1"]


def test_a_poisoned_message_is_captured_alerted_and_replayed_once_after_the_fix(
        network, container_factory, nameko_config, settings, amqp_uri):
    proxy, _ = network
    ledger_service = container_factory(LedgerService, nameko_config)
    ledger_service.start()
    # fails as many times as the subscriber tries, then is "fixed": the next delivery succeeds
    poison = noted("case-poison", 1, fail_times=settings.max_attempts)
    publish(amqp_uri, [as_message(poison)])
    [dead] = wait_for(lambda: proxy.monitor.dead_letters("open"), what="the dead letter in the monitor")
    assert (dead["original_queue"], dead["reason"], dead["attempts"], dead["event_type"]) == (
        "tsunagu.ledger", "handler-failed", settings.max_attempts, "case.noted")
    detail = proxy.monitor.dead_letter(dead["id"])
    assert JSONFormat().read(None, detail["body"].encode()).get_id() == poison.id  # the original CloudEvent, intact
    assert "ledger refused" in detail["error"]
    alert = wait_for(lambda: [a for a in proxy.monitor.queues()["alerts"] if a["kind"] == "dead-letters"],
                     what="the dead-letter alert")
    assert alert[0]["subject"] == "tsunagu.ledger"
    assert query(settings, "ledger", sa.select(ledger)) == []

    assert proxy.monitor.replay_dead_letters([dead["id"]], "admin-1", "handler fixed") == [dead["id"]]
    rows = wait_for(lambda: query(settings, "ledger", sa.select(ledger)), what="the replayed event applied")
    assert [r.event_id for r in rows] == [poison.id]
    assert proxy.monitor.dead_letters("open") == []
    replayed = proxy.monitor.dead_letter(dead["id"])
    assert replayed["status"] == "replayed"
    assert [(a["actor"], a["action"], a["note"]) for a in replayed["actions"]] == [("admin-1", "replay", "handler fixed")]
    wait_for(lambda: not [a for a in proxy.monitor.queues()["alerts"] if a["kind"] == "dead-letters"],
             what="the alert cleared")
    # the clearing event reaches the trace through the broker, after the alert list already shows it cleared
    raised = wait_for(lambda: (h := proxy.monitor.trace("alert-" + str(alert[0]["id"]))) and len(h) >= 2 and h,
                      what="both alert events in the trace")
    assert [h["type"] for h in raised][:2] == ["monitor.alert_raised", "monitor.alert_cleared"]
    with pytest.raises(Exception, match="already replayed"):
        proxy.monitor.replay_dead_letters([dead["id"]], "admin-1", "again")
    import time
    time.sleep(0.5)
    assert len(query(settings, "ledger", sa.select(ledger))) == 1  # applied once
