"""Notifications: inboxes, live push with resume, agency AMQP feeds and signed webhooks."""
import json
import mailbox
from email.header import decode_header, make_header
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import pika
import pytest
import requests

from services.notifications import webhooks
from services.notifications.feeds import provision
from shared.demo import DEMO_CONSULTATIONS
from shared.messaging.management import Management

from .helpers import wait_for

pytestmark = pytest.mark.integration
WAKABA = "wakaba-life-independence-center"


def refer(proxy, to_desk, case=None):
    case = case or DEMO_CONSULTATIONS[0]
    recorded = proxy.intake.record_consultation(case)
    [referral] = proxy.referrals.refer({"consultation_id": recorded["consultation_id"], "from_desk_id": case["desk_id"],
                                        "actor": "wakaba-staff", "referrals": [{"to_desk_id": to_desk, "reason": "r"}]})
    return recorded["consultation_id"], referral["referral_id"]


def test_a_new_referral_reaches_the_receiving_inbox_and_acknowledging_it_marks_it_received(network):
    proxy, _ = network
    case_id, referral_id = refer(proxy, "hello-work-chiba")
    [notice] = wait_for(lambda: proxy.notifications.inbox("hello-work-chiba"), what="the new-referral notice")
    assert (notice["kind"], notice["referral_id"], notice["case_id"]) == ("new_referral", referral_id, case_id)
    proxy.notifications.acknowledge({"notification_id": notice["id"], "desk_id": "hello-work-chiba", "actor": "hw-1"})
    wait_for(lambda: proxy.referrals.get_referral(referral_id, WAKABA)["status"] == "received", what="received")
    back = wait_for(lambda: [n for n in proxy.notifications.inbox(WAKABA) if n["event_type"] == "referral.received"],
                    what="the referring desk's notice")
    assert back[0]["referral_id"] == referral_id
    with pytest.raises(Exception):  # another desk cannot acknowledge it
        proxy.notifications.acknowledge({"notification_id": notice["id"], "desk_id": WAKABA, "actor": "x"})


class SseClient:
    """A minimal Server-Sent Events reader, as a browser's EventSource would behave."""

    def __init__(self, url, last_event_id=None):
        headers = {"Last-Event-ID": str(last_event_id)} if last_event_id else {}
        self.response = requests.get(url, stream=True, headers=headers, timeout=30)
        self.events, self.last_id = [], last_event_id
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self):
        event = {}
        try:
            for line in self.response.iter_lines(decode_unicode=True):
                if line.startswith("id: "):
                    event["id"] = int(line[4:])
                elif line.startswith("data: "):
                    event["data"] = json.loads(line[6:])
                elif line == "" and "data" in event:
                    self.events.append(event)
                    self.last_id, event = event["id"], {}
        except (requests.RequestException, AttributeError, ValueError, OSError):
            pass  # closed by the test

    def close(self):
        """Drop the connection as a browser tab would: shut the socket, then let the reader end."""
        connection = getattr(self.response.raw, "_connection", None)
        if connection is not None and connection.sock is not None:
            connection.sock.shutdown(socket.SHUT_RDWR)
        self._thread.join(5)
        self.response.close()


def test_a_desk_that_reconnects_gets_every_missed_notification_once_in_order(network, settings):
    proxy, _ = network
    url = f"http://{settings.http_address}/desks/hikikomori-center/stream"
    first = SseClient(url)
    refer(proxy, "hikikomori-center")
    wait_for(lambda: len(first.events) == 1, what="the first notice, live")
    resume_from = first.last_id
    first.close()

    missed = [refer(proxy, "hikikomori-center", dict(DEMO_CONSULTATIONS[i % 3]))[1] for i in range(6)]
    wait_for(lambda: len(proxy.notifications.inbox("hikikomori-center")) == 7, what="the missed notices")
    again = SseClient(url, last_event_id=resume_from)
    wait_for(lambda: len(again.events) == 6, what="the replay")
    assert [e["data"]["referral_id"] for e in again.events] == missed
    ids = [e["id"] for e in again.events]
    assert ids == sorted(ids) and len(set(ids)) == 6 and ids[0] > resume_from
    _, live = refer(proxy, "hikikomori-center")
    wait_for(lambda: len(again.events) == 7, what="a live notice after the replay")
    assert again.events[-1]["data"]["referral_id"] == live
    time.sleep(0.3)
    assert len(again.events) == 7  # nothing twice
    again.close()


def test_an_outside_pika_client_gets_its_own_agency_feed_and_is_refused_another(network, settings, vhost):
    proxy, _ = network
    management = Management(settings.management_uri)
    access = provision(management, vhost, "hikikomori-center")
    provision(management, vhost, "hello-work-chiba")
    host, port = settings.amqp_uri.split("@")[1].split("/")[0].split(":")
    params = pika.ConnectionParameters(host=host, port=int(port), virtual_host=vhost,
                                       credentials=pika.PlainCredentials(access["user"], access["password"]))
    connection = pika.BlockingConnection(params)
    channel = connection.channel()
    channel.queue_declare("feed.hikikomori-center.casework", durable=True)
    wait_for(lambda: _feeds_exchange_exists(management, vhost), what="the feeds exchange")
    channel.queue_bind("feed.hikikomori-center.casework", "tsunagu.feeds", routing_key="agency.hikikomori-center.#")

    case_id, referral_id = refer(proxy, "hikikomori-center")
    refer(proxy, "hello-work-chiba")  # another agency's hand-off: must not arrive here
    received = []

    def take():
        method, properties, body = channel.basic_get("feed.hikikomori-center.casework", auto_ack=True)
        if body:
            received.append((method.routing_key, properties.content_type, json.loads(body)))
        return received
    wait_for(take, what="the feed message")
    time.sleep(0.5)
    take()
    assert [(k, t) for k, t, _ in received] == [("agency.hikikomori-center.referral.requested",
                                                 "application/cloudevents+json")]
    event = received[0][2]
    assert event["data"]["referral_id"] == referral_id and event["subject"] == case_id
    assert event["specversion"] == "1.0" and "person" not in json.dumps(event)

    with pytest.raises(pika.exceptions.ChannelClosedByBroker) as refused:
        channel.queue_bind("feed.hikikomori-center.casework", "tsunagu.feeds", routing_key="agency.hello-work-chiba.#")
    assert refused.value.reply_code == 403 and "ACCESS_REFUSED" in refused.value.reply_text
    connection.close()


def _feeds_exchange_exists(management, vhost):
    try:
        management._call("GET", f"exchanges/{requests.utils.quote(vhost, safe='')}/tsunagu.feeds")
        return True
    except requests.HTTPError:
        return False


class Receiver(BaseHTTPRequestHandler):
    """A webhook receiver that fails a set number of times, verifying every signature."""
    failures_left = 0
    secret = ""
    accepted: list = []
    verified: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        ok = webhooks.verify(type(self).secret, self.headers["X-Tsunagu-Timestamp"], body,
                             self.headers["X-Tsunagu-Signature"], time.time())
        type(self).verified.append(ok)
        if type(self).failures_left > 0:
            type(self).failures_left -= 1
            self.send_response(500)
        else:
            type(self).accepted.append(json.loads(body)["id"])
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def serve(failures):
    handler = type("ThisReceiver", (Receiver,), {"failures_left": failures, "accepted": [], "verified": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, handler


def test_a_webhook_that_fails_three_times_then_succeeds_is_delivered_once_with_a_valid_signature(network):
    proxy, _ = network
    server, receiver = serve(failures=3)
    hook = proxy.notifications.subscribe_webhook({"desk_id": "hikikomori-center",
                                                  "url": f"http://127.0.0.1:{server.server_port}/tsunagu"})
    receiver.secret = hook["secret"]
    refer(proxy, "hikikomori-center")
    wait_for(lambda: receiver.accepted, timeout=20, what="the delivery")
    # the outcome is recorded once the receiver has answered
    [delivery] = wait_for(lambda: (d := proxy.notifications.webhook_deliveries(hook["subscription_id"]))
                          and d[0]["status"] == "delivered" and d, what="the delivery recorded")
    assert delivery["attempts"] == 4
    time.sleep(0.5)  # nothing more arrives
    assert len(receiver.accepted) == 1 and receiver.verified == [True] * 4
    server.shutdown()


def test_a_webhook_that_always_fails_is_dead_lettered_and_an_admin_replay_delivers_it(network):
    proxy, _ = network
    server, receiver = serve(failures=10_000)
    hook = proxy.notifications.subscribe_webhook({"desk_id": "hello-work-chiba",
                                                  "url": f"http://127.0.0.1:{server.server_port}/down"})
    receiver.secret = hook["secret"]
    refer(proxy, "hello-work-chiba")
    [dead] = wait_for(lambda: proxy.notifications.dead_webhook_deliveries(), timeout=20, what="the dead letter")
    assert dead["attempts"] == 4 and dead["last_error"] == "HTTP 500"
    assert dead["event"]["type"] == "referral.requested"
    receiver.failures_left = 0  # the receiver recovers
    proxy.notifications.replay_webhook_delivery(dead["id"])
    wait_for(lambda: receiver.accepted, what="the replayed delivery")
    assert receiver.accepted == [dead["event"]["id"]]
    assert proxy.notifications.dead_webhook_deliveries() == []
    server.shutdown()


@pytest.fixture
def smtp_server(settings, tmp_path):
    """A real SMTP server (aiosmtpd) writing every message it accepts to a Maildir."""
    maildir = tmp_path / "maildir"
    server = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{settings.smtp_port}",
                               "-c", "aiosmtpd.handlers.Mailbox", str(maildir)])
    wait_for(lambda: _listening(settings.smtp_port), what="the SMTP server")
    yield maildir
    server.terminate()
    server.wait(10)


def _listening(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _mails(maildir):
    box = mailbox.Maildir(str(maildir), create=False) if maildir.exists() else []
    return [(m["To"], str(make_header(decode_header(m["Subject"]))), m.get_payload(decode=True).decode())
            for m in box]


def quiet_hours_around_now(settings) -> dict:
    """Quiet hours from an hour ago to an hour from now, local time (across midnight if need be)."""
    now = datetime.now(ZoneInfo(settings.timezone))
    return {"quiet_start": (now - timedelta(hours=1)).strftime("%H:%M"),
            "quiet_end": (now + timedelta(hours=1)).strftime("%H:%M")}


def test_urgent_notices_are_e_mailed_at_once_quiet_hours_wait_for_the_digest_and_a_life_at_risk_does_not(
        network, smtp_server, settings):
    proxy, _ = network
    proxy.notifications.set_preferences({"staff_id": "hw-day", "desk_id": "hello-work-chiba",
                                         "email": "hw-day@example.org", "channels": ["inbox", "email"]})
    proxy.notifications.set_preferences({"staff_id": "hw-night", "desk_id": "hello-work-chiba",
                                         "email": "hw-night@example.org", "channels": ["inbox", "email"],
                                         **quiet_hours_around_now(settings)})
    proxy.notifications.set_preferences({"staff_id": "hw-inbox-only", "desk_id": "hello-work-chiba",
                                         "email": "hw-inbox@example.org", "channels": ["inbox"]})
    refer(proxy, "hello-work-chiba", dict(DEMO_CONSULTATIONS[0], urgency="urgent"))
    alerts = wait_for(lambda: [m for m in _mails(smtp_server) if "未確認の通知" not in m[1]], what="the urgent alert")
    # The digest (every second here) may already have gone to hw-night; alerts are the rest.
    assert [(to, subject) for to, subject, _ in alerts] == [("hw-day@example.org", "[tsunagu] 新しいつなぎが届きました")]
    refer(proxy, "hello-work-chiba", dict(DEMO_CONSULTATIONS[0], urgency="risk_to_life"))
    wait_for(lambda: len([m for m in _mails(smtp_server) if "未確認の通知" not in m[1]]) >= 3,
             what="the risk-to-life alerts")
    digest = wait_for(lambda: [m for m in _mails(smtp_server) if "未確認の通知" in m[1]], what="the digest")
    assert [to for to, _, _ in digest] == ["hw-night@example.org"]
    everything = _mails(smtp_server)
    assert {to for to, _, _ in everything} == {"hw-day@example.org", "hw-night@example.org"}
    for _, _, body in everything:
        assert "/inbox?notification=n-" in body
        for secret in (DEMO_CONSULTATIONS[0]["person"]["name"], DEMO_CONSULTATIONS[0]["person"]["phone"],
                       DEMO_CONSULTATIONS[0]["summary"]):
            assert secret not in body


def test_a_new_referral_notice_reads_twice_and_writes_its_rows_together(settings):
    """The statements of one referral's notices, past the desk's first: a read of the desk's
    e-mail readers and one of its webhooks (apart from the rows staged so far), the desk's
    numbers, then the notice, its feed copy and every other row together, in one round trip on
    PostgreSQL."""
    import sqlalchemy as sa
    from services.notifications import handlers
    from shared.events import Envelope
    from shared.events.catalog import REGISTRY
    from shared.persistence.engine import make_engine
    from shared.persistence.migrations import upgrade
    from shared.unit_of_work import UnitOfWork
    engine = make_engine(settings.database_url_for("notifications"))
    upgrade(engine, Path(handlers.__file__).parent / "migrations")
    now = datetime.now(ZoneInfo("UTC"))

    def referral(n):
        return Envelope(type="referral.requested", version=1, source="/tsunagu/referrals", subject=f"c-{n}", data={
            "referral_id": f"r-{n}", "consultation_id": f"c-{n}", "from_desk_id": WAKABA,
            "to_desk_id": "hikikomori-center", "reason": "r", "urgency": "normal",
            "pickup_deadline": now.isoformat(), "escalation_deadline": now.isoformat(),
            "shared": {"concerns": ["housing"], "ward": "wakaba", "urgency": "normal"}, "meeting_id": None,
            "share_categories": [], "actor": "s", "at": now.isoformat()})

    statements = []
    sa.event.listen(engine, "before_cursor_execute",
                    lambda conn, cursor, statement, *rest: statements.append(" ".join(statement.split()[:3]).upper()))
    for n in range(2):  # the desk's first notice creates its counter; the second is measured
        statements.clear()
        with UnitOfWork(engine, REGISTRY) as uow:
            assert handlers.on_event(REGISTRY.load(referral(n)), uow, REGISTRY, now) == 1
            uow.commit()
    reads = [s for s in statements if s.startswith("SELECT")]
    writes = [s for s in statements if s.startswith("INSERT")]
    assert len(reads) == 2 and statements[:2] == reads  # before any staged row is written
    assert statements[2].startswith("UPDATE DESK_SEQUENCES")
    assert len(writes) == (1 if engine.dialect.name == "postgresql" else 2)  # the notice; its feed copy
    with engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(handlers.notifications)) == 2
    engine.dispose()
