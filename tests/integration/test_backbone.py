"""The backbone on the real broker and on both databases: outbox, inbox, dead letters, order."""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid

import pytest
import sqlalchemy as sa

from shared.events import Envelope
from shared.messaging.publisher import ConfirmingPublisher
from shared.outbox import OutboxRelay, pending_count
from shared.persistence.engine import make_engine
from shared.persistence.migrations import upgrade
from shared.persistence.tables import outbox

from .helpers import count, drain, publish, query, wait_for
from .ledger import LedgerService, ledger

pytestmark = pytest.mark.integration
LEDGER_MIGRATIONS = os.path.join(os.path.dirname(__file__), "ledger", "migrations")


def noted(case_id, seq, version=2, **extra):
    data = {"case_id": case_id, "seq": seq, **extra}
    if version >= 2:
        data.setdefault("note_language", "en")
    return Envelope(type="case.noted", version=version, source="/tests", subject=case_id, data=data)


def as_message(event: Envelope):
    return ("case.noted", event.to_json(), event.id)


@pytest.fixture
def ledger_service(container_factory, nameko_config):
    container = container_factory(LedgerService, nameko_config)
    container.start()
    return container


def ledger_rows(settings):
    return query(settings, "ledger", sa.select(ledger).order_by(ledger.c.position))


def test_a_note_written_through_the_outbox_reaches_its_subscriber(ledger_service, settings):
    from nameko.testing.services import entrypoint_hook
    with entrypoint_hook(ledger_service, "note") as note:
        event_id = note("case-1", 1)
    rows = wait_for(lambda: ledger_rows(settings), what="the ledger row")
    assert [(r.event_id, r.case_id, r.seq, r.note_language) for r in rows] == [(event_id, "case-1", 1, "en")]
    engine = make_engine(settings.database_url_for("ledger"))
    with engine.connect() as conn:
        wait_for(lambda: pending_count(conn) == 0, what="the outbox to drain")
    engine.dispose()


def test_the_outbox_survives_a_crash_between_commit_and_publish(settings, container_factory, nameko_config):
    # A process commits 50 events and is SIGKILLed before any relay could publish them.
    script = textwrap.dedent(f"""
        import os, signal
        from shared.events import Envelope
        from shared.persistence.engine import make_engine
        from shared.persistence.migrations import upgrade
        from shared.unit_of_work import UnitOfWork
        from tests.integration.ledger import REGISTRY
        engine = make_engine({settings.database_url_for("ledger")!r})
        upgrade(engine, {LEDGER_MIGRATIONS!r})
        with UnitOfWork(engine, REGISTRY) as uow:
            for seq in range(50):
                uow.emit(Envelope(type="case.noted", version=2, source="/tests", subject="crash-case",
                                  data={{"case_id": "crash-case", "seq": seq, "note_language": "en"}}))
            uow.commit()
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    child = subprocess.run([sys.executable, "-c", script], cwd=os.getcwd(), capture_output=True, text=True)
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert count(settings, "ledger", outbox) == 50

    container = container_factory(LedgerService, nameko_config)
    container.start()
    rows = wait_for(lambda: (r := ledger_rows(settings)) and len(r) == 50 and r, what="50 ledger rows")
    assert [r.seq for r in rows] == list(range(50))


def test_the_outbox_keeps_events_while_the_broker_is_unreachable(settings, amqp_uri, vhost):
    from shared.unit_of_work import UnitOfWork
    from .ledger import REGISTRY
    engine = make_engine(settings.database_url_for("ledger"))
    upgrade(engine, LEDGER_MIGRATIONS)
    with UnitOfWork(engine, REGISTRY) as uow:
        for seq in range(3):
            uow.emit(noted("case-x", seq))
        uow.commit()
    unreachable = OutboxRelay(engine, ConfirmingPublisher("amqp://guest:guest@127.0.0.1:1/", "tsunagu.events"))
    with pytest.raises(OSError):
        unreachable.relay_once()
    with engine.connect() as conn:
        assert pending_count(conn) == 3
    # Once a queue is bound and the broker reachable, the same rows go out.
    from shared.messaging.publisher import connect
    from shared.messaging.topology import declare_service_queues
    connection = connect(amqp_uri)
    declare_service_queues(connection.channel(), "tsunagu.events", "probe", ["case.noted"], "quorum")
    connection.close()
    relay = OutboxRelay(engine, ConfirmingPublisher(amqp_uri, "tsunagu.events"))
    assert relay.relay_once() == 3
    with engine.connect() as conn:
        assert pending_count(conn) == 3  # confirmed, recorded once the relay finds nothing new
    assert relay.relay_once() == 0
    relay.publisher.close()
    with engine.connect() as conn:
        assert pending_count(conn) == 0
        assert conn.scalar(sa.select(sa.func.count()).select_from(outbox).where(outbox.c.published_at.is_not(None))) == 3
    assert [json.loads(m.body)["data"]["seq"] for m in drain(amqp_uri, "tsunagu.probe")] == [0, 1, 2]
    engine.dispose()


def test_two_relays_of_one_service_publish_one_at_a_time(settings, amqp_uri):
    """The second instance's relay stands by while the first holds the lease, then takes over."""
    from shared.unit_of_work import UnitOfWork
    from .ledger import REGISTRY
    engine = make_engine(settings.database_url_for("ledger"))
    upgrade(engine, LEDGER_MIGRATIONS)
    with UnitOfWork(engine, REGISTRY) as uow:
        uow.emit(noted("case-lease", 0))
        uow.commit()
    from shared.messaging.publisher import connect
    from shared.messaging.topology import declare_service_queues
    connection = connect(amqp_uri)
    declare_service_queues(connection.channel(), "tsunagu.events", "probe", ["case.noted"], "quorum")
    connection.close()
    first, second = (OutboxRelay(make_engine(settings.database_url_for("ledger")),
                                 ConfirmingPublisher(amqp_uri, "tsunagu.events"), name="ledger") for _ in range(2))
    assert first.relay_once() == 1
    first.mark_published()  # as it does when idle: the successor does not send it again
    with UnitOfWork(engine, REGISTRY) as uow:
        uow.emit(noted("case-lease", 1))
        uow.commit()
    if engine.dialect.name == "postgresql":
        assert second.relay_once() == 0  # standing by: the first holds the lease
        first.lease.release()  # as when its process dies
    assert second.relay_once() == 1
    for relay in (first, second):
        relay.publisher.close()
        relay.lease.release()
        relay.engine.dispose()
    assert [json.loads(m.body)["data"]["seq"] for m in drain(amqp_uri, "tsunagu.probe")] == [0, 1]
    engine.dispose()


def test_a_redelivered_event_is_applied_once(ledger_service, settings, amqp_uri):
    event = noted("case-dup", 1)
    sentinel = noted("case-dup", 2)
    publish(amqp_uri, [as_message(event)] * 3 + [as_message(sentinel)])
    rows = wait_for(lambda: (r := ledger_rows(settings)) and r[-1].event_id == sentinel.id and r,
                    what="the sentinel behind the duplicates")
    assert [r.event_id for r in rows] == [event.id, sentinel.id]


def test_a_handler_failure_is_retried_and_applied_once(ledger_service, settings, amqp_uri):
    event = noted("case-flaky", 1, fail_times=2)
    publish(amqp_uri, [as_message(event)])
    rows = wait_for(lambda: ledger_rows(settings), what="the retried event")
    assert [r.event_id for r in rows] == [event.id]
    assert drain(amqp_uri, "tsunagu.ledger.dead") == []


def test_poison_of_each_kind_is_dead_lettered_with_its_reason_while_good_messages_flow(
        ledger_service, settings, amqp_uri):
    good = [noted(f"good-{i}", i) for i in range(20)]
    poison = {
        "malformed": ("case.noted", b"{this is not json", "poison-json"),
        "unknown-version": as_message(noted("p", 1).with_data({"case_id": "p", "seq": 1}, version=9)),
        "unknown-type": ("case.noted", Envelope(type="case.vanished", version=1, source="/tests",
                                                data={}).to_json(), "poison-type"),
        "schema-violation": as_message(noted("p", "not a number")),
        "handler-failed": as_message(noted("p-fail", 1, always_fail=True)),
    }
    messages = [as_message(e) for e in good[:10]] + list(poison.values()) + [as_message(e) for e in good[10:]]
    publish(amqp_uri, messages)

    rows = wait_for(lambda: (r := ledger_rows(settings)) and len(r) >= 20 and r, what="the good events")
    assert sorted(r.event_id for r in rows) == sorted(e.id for e in good)
    dead = wait_for(lambda: _dead_letters_so_far(amqp_uri, 5), what="five dead letters")
    reasons = {m.properties["message_id"]: m.headers["x-tsunagu-reason"] for m in dead}
    assert reasons == {
        "poison-json": "malformed",
        poison["unknown-version"][2]: "unknown-event",
        "poison-type": "unknown-event",
        poison["schema-violation"][2]: "schema-violation",
        poison["handler-failed"][2]: "handler-failed",
    }
    failed = next(m for m in dead if m.headers["x-tsunagu-reason"] == "handler-failed")
    assert failed.headers["x-tsunagu-attempts"] == settings.max_attempts
    assert "ledger refused" in failed.headers["x-tsunagu-error"]
    assert failed.body == poison["handler-failed"][1].encode()  # the original, for replay
    assert failed.headers["x-tsunagu-original-routing-key"] == "case.noted"


_collected = {}


def _dead_letters_so_far(amqp_uri, expected):
    bucket = _collected.setdefault(amqp_uri, [])
    bucket.extend(drain(amqp_uri, "tsunagu.ledger.dead"))
    return bucket if len(bucket) >= expected else None


def test_events_of_one_case_are_applied_in_order_with_cases_interleaved(
        ledger_service, settings, amqp_uri):
    cases = [f"case-{c}" for c in range(5)]
    events = [noted(case, seq, dawdle_ms=8) for seq in range(30) for case in cases]
    publish(amqp_uri, [as_message(e) for e in events])
    rows = wait_for(lambda: (r := ledger_rows(settings)) and len(r) == len(events) and r,
                    timeout=60, what="every event")
    for case in cases:
        assert [r.seq for r in rows if r.case_id == case] == list(range(30))
    interleaved = [r.case_id for r in rows]
    assert interleaved != sorted(interleaved), "cases were handled strictly one after another"


def test_two_instances_keep_each_case_in_order_and_the_second_takes_over_when_the_first_dies(
        container_factory, nameko_config, settings, amqp_uri):
    if settings.database_url.startswith("sqlite"):
        pytest.skip("two instances of a service share a PostgreSQL database; a SQLite file has one process")
    first = container_factory(LedgerService, nameko_config)
    first.start()
    second = container_factory(LedgerService, nameko_config)
    second.start()
    cases = [f"case-{c}" for c in range(4)]
    events = [noted(case, seq, dawdle_ms=5) for seq in range(25) for case in cases]
    publish(amqp_uri, [as_message(e) for e in events])
    wait_for(lambda: len(ledger_rows(settings)) >= 20, timeout=30, what="the first instance at work")
    first.kill()  # mid-flow, as a SIGKILL would: its unacked messages go to the other instance
    rows = wait_for(lambda: (r := ledger_rows(settings)) and len(r) == len(events) and r,
                    timeout=60, what="every event, through the second instance")
    for case in cases:
        assert [r.seq for r in rows if r.case_id == case] == list(range(25))
    assert len({r.event_id for r in rows}) == len(events)  # none applied twice


def test_an_old_event_version_is_upcast_before_the_handler_sees_it(ledger_service, settings, amqp_uri):
    publish(amqp_uri, [as_message(noted("case-old", 1, version=1))])
    rows = wait_for(lambda: ledger_rows(settings), what="the upcast event")
    assert rows[0].note_language == "ja"


def test_an_event_with_no_route_fails_loudly(settings, amqp_uri, caplog):
    from shared.unit_of_work import UnitOfWork
    from .ledger import REGISTRY
    # The exchange exists but no queue is bound for the type.
    result = publish(amqp_uri, [("case.noted", noted("lost", 1).to_json(), "nobody-listens")])
    assert result.confirmed == []
    assert "unroutable" in result.failed["nobody-listens"]

    engine = make_engine(settings.database_url_for("ledger"))
    upgrade(engine, LEDGER_MIGRATIONS)
    with UnitOfWork(engine, REGISTRY) as uow:
        uow.emit(noted("lost", 2))
        uow.commit()
    relay = OutboxRelay(engine, ConfirmingPublisher(amqp_uri, "tsunagu.events"))
    assert relay.relay_once() == 0
    relay.publisher.close()
    with engine.connect() as conn:
        row = conn.execute(sa.select(outbox)).one()
    assert row.published_at is None and row.attempts == 1 and "unroutable" in row.last_error
    assert any("was not accepted by the broker" in r.message for r in caplog.records)
    engine.dispose()


def test_an_event_that_breaks_its_schema_never_enters_the_outbox(settings):
    from shared.events import EventSchemaViolation
    from shared.unit_of_work import UnitOfWork
    from .ledger import REGISTRY
    engine = make_engine(settings.database_url_for("ledger"))
    upgrade(engine, LEDGER_MIGRATIONS)
    with pytest.raises(EventSchemaViolation):
        with UnitOfWork(engine, REGISTRY) as uow:
            uow.emit(noted("bad", "x"))
            uow.commit()
    with engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(outbox)) == 0
    engine.dispose()


def _group_sizes(service):
    from prometheus_client import REGISTRY as METRICS
    return (METRICS.get_sample_value("tsunagu_event_group_size_count", {"service": service}) or 0,
            METRICS.get_sample_value("tsunagu_event_group_size_sum", {"service": service}) or 0)


def test_a_backlog_is_applied_in_groups_and_a_failing_event_holds_only_its_own_case(
        container_factory, settings, amqp_uri):
    """Group commit: a waiting backlog commits many events at once (PostgreSQL; SQLite applies
    one at a time). An event whose handler fails rolls its group back; the others are applied
    once each, and the failing one is retried in its case's own lane, which that case's later
    events join, while other cases go on."""
    import dataclasses
    from shared.runtime.settings import nameko_config as build
    slow_retry = dataclasses.replace(settings, retry_delays=(1.5,), max_attempts=3)
    flaky = noted("case-flaky", 3, fail_times=2)  # in its group, then alone: retried in its lane
    events = [flaky if (case, seq) == ("case-flaky", 3) else noted(case, seq)
              for seq in range(10) for case in ["case-flaky"] + [f"case-{c}" for c in range(15)]]
    groups_before, grouped_before = _group_sizes("ledger")
    container = container_factory(LedgerService, build(slow_retry))
    container.start()
    container.stop()  # the queue exists, nobody consumes: a backlog builds up
    publish(amqp_uri, [as_message(e) for e in events])
    container_factory(LedgerService, build(slow_retry)).start()

    rows = wait_for(lambda: (r := ledger_rows(settings)) and len(r) == len(events) and r,
                    timeout=60, what="every event")
    assert sorted(r.event_id for r in rows) == sorted(e.id for e in events)  # each exactly once
    for case in {e.subject for e in events}:
        assert [r.seq for r in rows if r.case_id == case] == list(range(10)), case
    flaky_at = next(i for i, r in enumerate(rows) if r.event_id == flaky.id)
    others_after = [r for r in rows[flaky_at:] if r.case_id != "case-flaky"]
    assert not others_after, "other cases waited for the retried event"
    groups, grouped = _group_sizes("ledger")
    if settings.database_url.startswith("sqlite"):
        assert groups == groups_before
    else:
        assert groups > groups_before and (grouped - grouped_before) / (groups - groups_before) > 1


def test_staged_rows_are_written_together_before_a_read_and_at_the_commit(settings):
    """``uow.insert`` rows wait and go out one statement per table: a read in the same
    transaction sees them; ``collect`` items are written once, just before the commit; nothing
    staged survives a unit of work that is not committed."""
    from shared.unit_of_work import UnitOfWork
    from .ledger import REGISTRY
    engine = make_engine(settings.database_url_for("ledger"))
    upgrade(engine, LEDGER_MIGRATIONS)
    inserts = []
    sa.event.listen(engine, "before_cursor_execute",
                    lambda conn, cursor, statement, *rest: inserts.append(statement)
                    if statement.lstrip().upper().startswith("INSERT INTO LEDGER") else None)
    add = ledger.insert()
    row = {"event_id": "e-staged", "case_id": "case-staged", "note_language": "ja"}
    written = []

    def write(uow, items):
        written.append(list(items))
        for seq in items:
            uow.insert(add, {**row, "seq": seq})

    count = sa.select(sa.func.count()).select_from(ledger).where(ledger.c.case_id == "case-staged")
    with UnitOfWork(engine, REGISTRY) as uow:
        for seq in range(3):
            uow.insert(add, {**row, "seq": seq})
        assert inserts == []  # nothing sent yet
        assert uow.session.scalar(count) == 3  # the read wrote them first, in one statement
        assert len(inserts) == 1
        uow.collect("late", 10, write)
        uow.collect("late", 11, write)
        assert uow.memo("asked", lambda: written.append("read")) is None
        assert uow.memo("asked", lambda: written.append("read again")) is None
        uow.commit()
    assert written == ["read", [10, 11]]
    assert len(inserts) == 2
    with UnitOfWork(engine, REGISTRY) as uow:
        uow.insert(add, {**row, "seq": 99})  # never committed
    with engine.connect() as conn:
        assert sorted(conn.scalars(sa.select(ledger.c.seq).where(ledger.c.case_id == "case-staged"))) == [
            0, 1, 2, 10, 11]
    engine.dispose()


def ledger_with_probe_queue(settings, amqp_uri):
    """The ledger's database, migrated, and a queue (``tsunagu.probe``) bound to its events."""
    from shared.messaging.publisher import connect
    from shared.messaging.topology import declare_service_queues
    engine = make_engine(settings.database_url_for("ledger"))
    upgrade(engine, LEDGER_MIGRATIONS)
    connection = connect(amqp_uri)
    declare_service_queues(connection.channel(), "tsunagu.events", "probe", ["case.noted"], "quorum")
    connection.close()
    return engine


def test_a_relay_that_is_never_idle_still_records_its_confirms(settings, amqp_uri):
    """Under steady load the relay always finds something new: confirms are then recorded a
    second after the oldest (here at once), so the outbox does not look ever more behind."""
    from shared.unit_of_work import UnitOfWork
    from .ledger import REGISTRY
    engine = ledger_with_probe_queue(settings, amqp_uri)
    with UnitOfWork(engine, REGISTRY) as uow:
        uow.emit(noted("case-busy", 0))
        uow.emit(noted("case-busy", 1))
        uow.commit()
    relay = OutboxRelay(engine, ConfirmingPublisher(amqp_uri, "tsunagu.events"))
    relay.MARK_SECONDS = 0.0
    assert relay.relay_once() == 2
    relay.publisher.close()
    with engine.connect() as conn:
        assert pending_count(conn) == 0
    assert [json.loads(m.body)["data"]["seq"] for m in drain(amqp_uri, "tsunagu.probe")] == [0, 1]
    engine.dispose()


def test_confirms_of_many_batches_are_recorded_together_each_with_its_own_moment(settings, amqp_uri):
    """A second of steady load is many small batches: their confirms are recorded in one
    statement on PostgreSQL (one each held the relay up for tens of ms), and every row keeps the
    moment its own batch was confirmed."""
    from shared.unit_of_work import UnitOfWork
    from .ledger import REGISTRY
    engine = ledger_with_probe_queue(settings, amqp_uri)
    relay = OutboxRelay(engine, ConfirmingPublisher(amqp_uri, "tsunagu.events"))
    relay.relay_once()  # the start's full read, with nothing to send
    for seq in range(4):  # four batches, confirmed one after another
        with UnitOfWork(engine, REGISTRY) as uow:
            uow.emit(noted("case-batches", seq))
            uow.commit()
        assert relay.relay_once() == 1
    updates = []
    sa.event.listen(engine, "before_cursor_execute", lambda conn, cursor, statement, *rest: updates.append(statement)
                    if statement.lstrip().upper().startswith("UPDATE") else None)
    relay.mark_published()
    relay.publisher.close()
    assert len(updates) == (1 if engine.dialect.name == "postgresql" else 4)
    with engine.connect() as conn:
        moments = conn.scalars(sa.select(outbox.c.published_at).order_by(outbox.c.position)).all()
    assert None not in moments and len(set(moments)) == 4 and moments == sorted(moments)
    assert [json.loads(m.body)["data"]["seq"] for m in drain(amqp_uri, "tsunagu.probe")] == [0, 1, 2, 3]
    engine.dispose()


def test_an_event_committed_after_a_later_one_is_relayed_without_waiting_for_the_full_read(settings, amqp_uri):
    """Two transactions commit out of position order (the earlier position last): its row is
    below the relay's cursor when it appears, and goes out at the relay's next read, not a
    second later with the full read."""
    from shared.outbox import STAGE, row
    from shared.unit_of_work import UnitOfWork
    from .ledger import REGISTRY
    if settings.database_url.startswith("sqlite"):
        pytest.skip("SQLite has one writer at a time: its transactions commit in position order")
    engine = ledger_with_probe_queue(settings, amqp_uri)
    relay = OutboxRelay(engine, ConfirmingPublisher(amqp_uri, "tsunagu.events"))
    relay.relay_once()  # the start's full read, with nothing to send
    slow = engine.connect()
    slow_transaction = slow.begin()
    slow.execute(STAGE, row(noted("case-slow", 0)))  # takes the lower position, commits last
    with UnitOfWork(engine, REGISTRY) as uow:
        uow.emit(noted("case-quick", 0))
        uow.commit()
    assert relay.relay_once() == 1  # the quicker one; the cursor is now past the slow one's row
    slow_transaction.commit()
    slow.close()
    assert relay.relay_once() == 1  # well within the second before the next full read
    relay.mark_published()
    relay.publisher.close()
    with engine.connect() as conn:
        assert pending_count(conn) == 0
    assert sorted(json.loads(m.body)["subject"] for m in drain(amqp_uri, "tsunagu.probe")) == ["case-quick", "case-slow"]
    engine.dispose()


def test_staged_rows_of_several_tables_go_out_in_one_round_trip_on_postgresql(settings):
    """A note and its event, staged: on PostgreSQL one round trip writes both (each value quoted
    by the driver, JSON and quotes intact); SQLite writes one statement per table."""
    from shared.unit_of_work import UnitOfWork
    from .ledger import REGISTRY
    engine = make_engine(settings.database_url_for("ledger"))
    upgrade(engine, LEDGER_MIGRATIONS)
    sent = []
    sa.event.listen(engine, "before_cursor_execute",
                    lambda conn, cursor, statement, *rest: sent.append(statement)
                    if "INSERT INTO" in statement.upper() else None)
    tricky = "it's 100% \\ \"quoted\"; DROP TABLE ledger"
    with UnitOfWork(engine, REGISTRY) as uow:
        uow.insert(ledger.insert(), {"event_id": "e-trip", "case_id": tricky, "seq": 1, "note_language": "ja"})
        uow.emit(noted("case-trip", 7))
        uow.commit()
    assert len(sent) == (1 if engine.dialect.name == "postgresql" else 2)
    with engine.connect() as conn:
        assert conn.scalar(sa.select(ledger.c.case_id).where(ledger.c.event_id == "e-trip")) == tricky
        body = conn.scalar(sa.select(outbox.c.body).where(outbox.c.subject == "case-trip"))
    assert json.loads(body)["data"]["seq"] == 7
    engine.dispose()


def test_a_relay_lease_closed_in_the_middle_of_its_check_lets_go_without_blocking(settings):
    """A killed container closes its relay's lease while the relay's thread may be checking it.
    Closing the connection under that query used to block the whole process for good; now the
    close returns at once and the checking thread lets the lease go as its query returns."""
    import eventlet
    from shared.outbox import RelayLease
    engine = make_engine(settings.database_url_for("ledger"))
    if engine.dialect.name != "postgresql":
        engine.dispose()
        pytest.skip("a SQLite file has no lease to check: one process holds it")
    lease, successor = RelayLease(engine, "probe"), RelayLease(engine, "probe")
    assert lease.held()
    lease.CHECK_SECONDS, lease.CHECK = 0.0, "SELECT pg_sleep(0.5)"
    checking = eventlet.spawn(lease.held)
    eventlet.sleep(0.1)  # the check's query is on the wire
    started = time.monotonic()
    lease.close()
    assert time.monotonic() - started < 0.2
    assert checking.wait() is False
    assert successor.held()  # the advisory lock was let go
    successor.release()
    engine.dispose()
