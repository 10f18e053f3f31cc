"""The notifications nameko service: entrypoints and adapters only."""
from __future__ import annotations

import json
import smtplib
import threading
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import requests
from nameko.extensions import DependencyProvider
from nameko.web.handlers import http
from werkzeug.wrappers import Response

from shared.clock import utc_now
from shared.messaging.publisher import connect
from shared.messaging.topology import declare_feeds
from shared.runtime import Database, rpc, subscribe
from shared.runtime.settings import settings_of
from shared.runtime.timer import SettingsTimer

from . import audience, handlers

KEEP_ALIVE_SECONDS = 15


def smtp_mailer(settings):
    def mail(to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = settings.mail_from, to, subject
        message.set_content(body)
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as server:
            server.send_message(message)
    return mail


def post(url: str, headers: dict, body: bytes) -> tuple[bool, str]:
    try:
        response = requests.post(url, data=body, headers=headers, timeout=10)
    except requests.RequestException as exc:
        return False, f"{type(exc).__name__}: {exc}"
    return (200 <= response.status_code < 300), f"HTTP {response.status_code}"


class LiveStreams(DependencyProvider):
    """Wakes every open stream when this service commits new notifications."""

    def setup(self):
        self._changed = threading.Condition()
        database = next(d for d in self.container.dependencies if isinstance(d, Database))
        database.commit_listeners.append(self.notify)

    def get_dependency(self, worker_ctx):
        return self

    def notify(self, _emitted: int) -> None:
        with self._changed:
            self._changed.notify_all()

    def wait(self, timeout: float) -> None:
        with self._changed:
            self._changed.wait(timeout)


class AgencyFeeds(DependencyProvider):
    """Declares the agency-feed exchange at start, so agencies can bind before the first event."""

    def setup(self):
        connection = connect(settings_of(self.container).amqp_uri)
        try:
            declare_feeds(connection.channel())
        finally:
            connection.close()


class NotificationService:
    name = "notifications"
    db = Database(Path(__file__).parent / "migrations")
    streams = LiveStreams()
    feeds = AgencyFeeds()

    def on_event(self, event, uow):
        """Inbox rows, agency-feed copies and webhook deliveries, in the event's transaction."""
        now = utc_now()
        handlers.on_event(event, uow, self.db.registry, now, now.astimezone(ZoneInfo(self.db.settings.timezone)))

    for _event_type in audience.SUBSCRIBED:
        on_event = subscribe(_event_type)(on_event)
    del _event_type

    @rpc
    def inbox(self, desk_id: str, after: int = 0, unacknowledged: bool = False, newest: int = 0) -> list:
        with self.db.unit_of_work() as uow:
            return handlers.inbox(uow.session, desk_id, after, unacknowledged=unacknowledged, newest=newest)

    @rpc
    def acknowledge(self, payload: dict) -> dict:
        """Acknowledging a new referral makes it *received* (via ``notification.acknowledged``)."""
        with self.db.unit_of_work() as uow:
            return handlers.acknowledge(payload, uow, utc_now())

    @http("GET", "/desks/<string:desk_id>/stream")
    def stream(self, request, desk_id):
        """Server-Sent Events: everything after ``Last-Event-ID`` (or ``?after=``, which may be
        ``latest``), in order, then live."""
        last = request.headers.get("Last-Event-ID") or request.args.get("after") or "0"
        try:
            if last == "latest":  # only what arrives from now on
                with self.db.unit_of_work() as uow:
                    last = handlers.latest_position(uow.session, desk_id)
            after = int(last)
        except ValueError:
            return Response(json.dumps({"title": "Last-Event-ID must be a notification position"}), status=400,
                            mimetype="application/problem+json")
        request.environ["eventlet.minimum_write_chunk_size"] = 0  # send each event at once
        return Response(self._events(desk_id, after), mimetype="text/event-stream",
                        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    def _events(self, desk_id: str, after: int):
        yield "retry: 1000\n\n"
        while True:
            with self.db.reading() as connection:
                batch = handlers.inbox(connection, desk_id, after)
            for notification in batch:
                after = notification["position"]
                yield (f"id: {after}\nevent: notification\n"
                       f"data: {json.dumps(notification, ensure_ascii=False)}\n\n")
            if not batch:
                self.streams.wait(KEEP_ALIVE_SECONDS)
                yield ": keep-alive\n\n"

    @rpc
    def subscribe_webhook(self, payload: dict) -> dict:
        """The secret is returned once; keep it to verify signatures."""
        with self.db.unit_of_work() as uow:
            return handlers.subscribe_webhook(payload, uow, utc_now())

    @rpc
    def webhook_deliveries(self, subscription_id: str, desk_id: str | None = None) -> list:
        with self.db.unit_of_work() as uow:
            return handlers.deliveries_for(uow.session, subscription_id, desk_id)

    @rpc
    def dead_webhook_deliveries(self) -> list:
        with self.db.unit_of_work() as uow:
            return handlers.dead_deliveries(uow.session)

    @rpc
    def replay_webhook_delivery(self, delivery_id: str) -> None:
        with self.db.unit_of_work() as uow:
            handlers.replay(delivery_id, uow, utc_now())

    @rpc
    def set_preferences(self, payload: dict) -> dict:
        """Channels (inbox, email), e-mail address and quiet hours of one staff member."""
        with self.db.unit_of_work() as uow:
            return handlers.set_preferences(payload, uow)

    @SettingsTimer.decorator(setting="delivery_poll_interval")
    def send_alerts(self):
        handlers.send_emails(self.db, smtp_mailer(self.db.settings), self.db.settings.public_url, "alert", utc_now())

    @SettingsTimer.decorator(setting="digest_interval")
    def send_digests(self):
        handlers.send_emails(self.db, smtp_mailer(self.db.settings), self.db.settings.public_url, "digest-item",
                             utc_now())

    @SettingsTimer.decorator(setting="delivery_poll_interval")
    def deliver_webhooks(self):
        """Network calls happen outside any transaction; each outcome is recorded after."""
        settings = self.db.settings
        with self.db.unit_of_work() as uow:
            due = handlers.due_deliveries(uow.session, utc_now())
        for delivery in due:
            accepted, detail = handlers.attempt(delivery, post, utc_now())
            with self.db.unit_of_work() as uow:
                handlers.record_attempt(uow, delivery, accepted, detail, utc_now(),
                                        settings.webhook_max_attempts, settings.webhook_base_delay)
