"""What every page of the staff web UI shares: the page map, a Page (the signed-in caller, the
language, and a way to run the API's operations with the API's checks), rendering, redirects."""
from __future__ import annotations

import logging
import re
from datetime import datetime
from pathlib import Path
from time import monotonic
from zoneinfo import ZoneInfo

import jinja2
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from services.referrals.schemas import CATEGORIES
from shared.errors import InvalidInput, load
from shared.vocabulary import CHANNELS, CONCERNS, URGENCIES, WARDS

from . import api, dispatch, i18n, problems
from .ports import Unavailable

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).parent / "web" / "templates"
ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                         trim_blocks=True, lstrip_blocks=True)

PAGES = Map([
    Rule("/", endpoint="home"),
    Rule("/login", endpoint="login", methods=["GET", "POST"]),
    Rule("/logout", endpoint="logout", methods=["POST"]),
    Rule("/inbox", endpoint="inbox"),
    Rule("/inbox/<notification_id>/ack", endpoint="acknowledge", methods=["POST"]),
    Rule("/consultations", endpoint="consultations"),
    Rule("/consultations/new", endpoint="new_consultation", methods=["GET", "POST"]),
    Rule("/cases/<case_id>", endpoint="case"),
    Rule("/cases/<case_id>/refer", endpoint="refer", methods=["GET", "POST"]),
    Rule("/referrals/<referral_id>", endpoint="referral"),
    Rule("/referrals/<referral_id>/action", endpoint="referral_action", methods=["POST"]),
    Rule("/referrals/<referral_id>/information", endpoint="referral_information"),
    Rule("/consents/new", endpoint="new_consent", methods=["GET", "POST"]),
    Rule("/consents/<consent_id>", endpoint="consent"),
    Rule("/consents/<consent_id>/withdraw", endpoint="withdraw_consent", methods=["POST"]),
    Rule("/meetings/new", endpoint="new_meeting", methods=["GET", "POST"]),
    Rule("/meetings/<meeting_id>", endpoint="meeting"),
    Rule("/meetings/<meeting_id>/decisions", endpoint="decide", methods=["POST"]),
    Rule("/persons/<person_ref>/report", endpoint="report"),
    Rule("/admin", endpoint="admin"),
    Rule("/admin/trace", endpoint="admin_trace"),
    Rule("/admin/dead-letters/<dead_letter_id>", endpoint="admin_dead_letter"),
    Rule("/admin/dead-letters/replay", endpoint="admin_replay", methods=["POST"]),
    Rule("/admin/dead-letters/<dead_letter_id>/discard", endpoint="admin_discard", methods=["POST"]),
], strict_slashes=False)

PUBLIC = {"login"}


class Page:
    """One page request: the signed-in caller, the language, and a way to run API operations."""

    def __init__(self, request: Request, lang: str, requester, ports, db, settings, now, correlation_id):
        self.request, self.lang, self.ports, self.db, self.settings, self.now = request, lang, ports, db, settings, now
        self.caller, self.secret, self.correlation_id = requester.caller, requester.secret, correlation_id
        self.t, self.label = i18n.translator(lang)
        self._desks = None

    # ---- running operations
    def run(self, handler, body=None, schema=None, **params):
        call = api.Call(caller=self.caller, ports=self.ports, db=self.db, settings=self.settings, now=self.now,
                        address=self.request.remote_addr or "", secret=self.secret)
        if schema is not None:
            call.body = load(schema(), body)
        elif body is not None:
            call.query = body
        result = handler(call, **params)
        self.caller = call.caller or self.caller
        return result

    def write(self, handler, body=None, schema=None, **params):
        """A write from a form, audited like an API write."""
        status = 500
        try:
            result = self.run(handler, body, schema, **params)
            status = 200
            return result
        except Exception as exc:
            status = dispatch.status_of(exc)
            raise
        finally:
            dispatch.audit_write(self.db, self.caller, "ui." + handler.__name__, params, self.correlation_id,
                                 status, self.now)

    def submit(self, handler, body, schema, redisplay, done: str, **params) -> Response:
        """A form's write: then on to ``done``, or the form again with each field's error (422)."""
        try:
            self.write(handler, body, schema, **params)
        except InvalidInput as exc:
            return redisplay(self.errors(exc))
        return redirect(done)

    # ---- rendering
    def desk_name(self, desk_id: str | None) -> str:
        if not desk_id:
            return ""
        if self._desks is None:
            self._desks = _directory(self.ports)
        desk = self._desks.get(desk_id)
        if desk is None:
            return desk_id
        return desk["name"] if self.lang == "ja" else desk["name_en"]

    def desks(self) -> list[dict]:
        self.desk_name("-")
        return sorted(self._desks.values(), key=lambda d: (d["ward"] or "~", d["id"]))

    def render(self, template: str, status: int = 200, **context) -> Response:
        html = ENV.get_template(template).render(
            t=self.t, label=self.label, lang=self.lang, caller=self.caller, desk_name=self.desk_name,
            csrf=dispatch.csrf_token(self.secret) if self.secret else "", path=self.request.path,
            timezone=self.settings.timezone,
            vocab={"wards": WARDS, "channels": CHANNELS, "concerns": CONCERNS, "urgencies": URGENCIES},
            categories=CATEGORIES, category_labels=i18n.CATEGORY_LABELS, status_labels=i18n.STATUS_LABELS,
            action_labels=i18n.ACTION_LABELS, event_labels=i18n.EVENT_LABELS, local_time=self.local_time, values=_values, **context)
        return Response(html, status=status, mimetype="text/html",
                        headers={"Content-Language": self.lang, "X-Correlation-ID": self.correlation_id,
                                 "Cache-Control": "no-store"})

    def local_time(self, iso: str | None) -> str:
        if not iso:
            return ""
        moment = datetime.fromisoformat(iso).astimezone(ZoneInfo(self.settings.timezone))
        return moment.strftime("%Y-%m-%d %H:%M")

    def errors(self, exc: InvalidInput) -> dict:
        return problems.translate_errors(exc.errors, self.lang)

    @property
    def form(self):
        return self.request.form


DIRECTORY_CACHE_SECONDS = 60.0
_directory_cache: dict = {}


def _directory(ports) -> dict:
    """Every desk by id, asked of the directory at most once a minute (names change rarely; every
    page shows many)."""
    cached = _directory_cache.get("desks")
    if cached and monotonic() - cached[0] < DIRECTORY_CACHE_SECONDS:
        return cached[1]
    try:
        desks = {d["id"]: d for d in ports.directory.search({})}
    except Unavailable:
        return cached[1] if cached else {}
    _directory_cache["desks"] = (monotonic(), desks)
    return desks


def _values(form, name: str) -> list:
    """Every value of a multi-valued form field (a re-rendered form), or none (a new one)."""
    return form.getlist(name) if hasattr(form, "getlist") else list(form.get(name, []))


def redirect(location: str, status: int = 303) -> Response:
    return Response(status=status, headers={"Location": location})


def safe_next(target: str | None) -> str:
    """Only a page of this UI (never another site, however the address is spelt)."""
    if not target:
        return "/inbox"
    path = target.split("?", 1)[0]
    try:
        PAGES.bind("localhost").match(path)
    except Exception:
        return "/inbox"
    return target if re.fullmatch(r"/[A-Za-z0-9/_.:\-]*(\?[A-Za-z0-9_=&%.:\-]*)?", target) else "/inbox"


