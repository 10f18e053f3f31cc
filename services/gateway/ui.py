"""The staff web UI: server-rendered pages (Japanese first) that run the same API operations as
the HTTP API, so the rules and checks are the same; a small script adds live updates."""
from __future__ import annotations

import logging
import re
from datetime import datetime, time
from pathlib import Path
from time import monotonic
from urllib.parse import quote
from zoneinfo import ZoneInfo

import jinja2
from werkzeug.exceptions import MethodNotAllowed, NotFound as NoRoute
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from services.referrals.lifecycle import ACTIONS, EITHER, RECEIVING, REFERRING
from services.referrals.meetings import KINDS
from services.referrals.schemas import CATEGORIES
from shared.errors import Conflict, InvalidInput, NotFound, NotPermitted, load
from shared.vocabulary import CHANNELS, CONCERNS, URGENCIES, WARDS

from . import api, dispatch, handlers, i18n, problems, schemas, text
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
        except InvalidInput:
            status = 422
            raise
        except (NotFound, Conflict, NotPermitted) as exc:
            status = {NotFound: 404, Conflict: 409, NotPermitted: 403}[type(exc)]
            raise
        except Unavailable:
            status = 503
            raise
        finally:
            target = ",".join(f"{k}={v}" for k, v in params.items())[:200] or None
            try:
                with self.db.unit_of_work() as uow:
                    handlers.audit(uow, self.caller, "ui." + handler.__name__, target, self.correlation_id, status,
                                   self.now)
            except Exception:  # the outcome stands; a lost audit row is logged loudly
                log.exception("audit of ui.%s (correlation %s) not written", handler.__name__, self.correlation_id)

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


def _safe_next(target: str | None) -> str:
    """Only a page of this UI (never another site, however the address is spelt)."""
    if not target:
        return "/inbox"
    path = target.split("?", 1)[0]
    try:
        PAGES.bind("localhost").match(path)
    except Exception:
        return "/inbox"
    return target if re.fullmatch(r"/[A-Za-z0-9/_.:\-]*(\?[A-Za-z0-9_=&%.:\-]*)?", target) else "/inbox"


def _language(request: Request) -> tuple[str, bool]:
    """Japanese unless this browser chose English with the switch (staff share browsers whose own
    language settings say nothing about the reader)."""
    asked = request.args.get("lang")
    if asked in ("ja", "en"):
        return asked, True
    return ("en" if request.cookies.get(dispatch.LANG_COOKIE) == "en" else "ja"), False


def handle(request: Request, path: str, ports, db, settings, now, on_correlation) -> Response:
    correlation_id = dispatch.correlation_of(request)
    on_correlation(correlation_id)
    lang, switched = _language(request)
    requester = dispatch.Requester(request, db, now)
    page = Page(request, lang, requester, ports, db, settings, now, correlation_id)
    try:
        endpoint, params = PAGES.bind_to_environ(request.environ).match()
    except (NoRoute, MethodNotAllowed):
        return page.render("error.html", 404, message=page.t("not_found"))
    if not all(text.ID.match(v) for v in params.values()):
        return page.render("error.html", 404, message=page.t("not_found"))
    if not text.clean(dict(request.values.lists())):
        return page.render("error.html", 400, message=problems.TITLES[400][0 if lang == "ja" else 1])
    if endpoint == "login" and request.method == "POST" and dispatch.cross_site(request):
        return page.render("error.html", 403, message=problems.TITLES[403][0 if lang == "ja" else 1])
    if endpoint not in PUBLIC and page.caller is None:
        return redirect("/login?next=" + quote(request.full_path.rstrip("?")))
    if endpoint.startswith("admin") and not page.caller.may("admin"):
        return page.render("error.html", 403, message=problems.TITLES[403][0 if lang == "ja" else 1])
    if request.method == "POST" and endpoint not in PUBLIC:
        if request.form.get("csrf") != dispatch.csrf_token(page.secret):
            return page.render("error.html", 403, message=problems.TITLES[403][0 if lang == "ja" else 1])
    try:
        response = VIEWS[endpoint](page, **params)
    except NotFound:
        response = page.render("error.html", 404, message=page.t("not_found"))
    except Conflict as exc:
        response = page.render("error.html", 409, message=page.t("conflict"), detail=str(exc))
    except NotPermitted as exc:
        response = page.render("error.html", 403, message=problems.TITLES[403][0 if lang == "ja" else 1],
                               detail=str(exc))
    except Unavailable:
        response = page.render("error.html", 503, message=page.t("unavailable"))
    except Exception:  # a bug: logged with the correlation id the page shows
        log.exception("page %s failed (correlation %s)", endpoint, correlation_id)
        response = page.render("error.html", 500, message=problems.TITLES[500][0 if lang == "ja" else 1],
                               detail=correlation_id)
    if switched:
        response.set_cookie(dispatch.LANG_COOKIE, lang, max_age=365 * 86400, samesite="Lax", path="/")
    return response


# ---------------------------------------------------------------- sign-in
def home(page: Page):
    return redirect("/inbox")


def login(page: Page):
    if page.request.method == "GET":
        return page.render("login.html", next=_safe_next(page.request.args.get("next")))
    next_url = _safe_next(page.form.get("next"))
    body = {"username": page.form.get("username", ""), "password": page.form.get("password", "")}
    try:
        result = page.run(api.sign_in, body, schemas.SignInRequest)
    except InvalidInput as exc:
        return page.render("login.html", 422, next=next_url, errors=page.errors(exc), username=body["username"])
    except handlers.BadCredentials:
        return page.render("login.html", 401, next=next_url, message=page.t("bad_login"), username=body["username"])
    except handlers.TooManyAttempts as exc:
        return page.render("login.html", 429, next=next_url, username=body["username"],
                           message=page.t("too_many", seconds=int(exc.retry_after) + 1))
    response = redirect(next_url)
    dispatch.set_session_cookie(response, result["token"], page.settings)
    return response


def logout(page: Page):
    with page.db.unit_of_work() as uow:
        handlers.sign_out(uow, page.secret)
    response = redirect("/login")
    response.delete_cookie(dispatch.SESSION_COOKIE, path="/")
    return response


# ---------------------------------------------------------------- inbox
def inbox(page: Page):
    notices = page.run(api.inbox, {"after": 0, "unacknowledged": False, "newest": 100})
    received = page.run(api.list_referrals, {"role": "receiving", "status": None})
    sent = page.run(api.list_referrals, {"role": "referring", "status": None})
    after = max((n["position"] for n in notices), default=0)
    return page.render("inbox.html", notices=list(reversed(notices)), received=list(reversed(received)),
                       sent=list(reversed(sent)), after=after)


def acknowledge(page: Page, notification_id: str):
    notice = page.write(api.acknowledge, None, None, notification_id=notification_id)
    if notice.get("referral_id") and page.form.get("open"):
        return redirect(f"/referrals/{quote(notice['referral_id'])}")
    return redirect("/inbox")


# ---------------------------------------------------------------- intake
def consultations(page: Page):
    return page.render("consultations.html", consultations=page.run(api.consultations_of_desk))


def _consultation_body(form) -> dict:
    def given(name):
        value = form.get(name, "").strip()
        return value or None
    person = {}
    for name in ("name", "name_kana", "birth_date", "phone", "address"):
        if given(name):
            person[name] = given(name)
    body = {"ward": given("ward"), "channel": given("channel"), "concerns": form.getlist("concerns"),
            "urgency": given("urgency") or "normal", "summary": form.get("summary", ""), "person": person}
    if body["channel"] == "concern_report":
        body["reporter"] = {"kind": given("reporter_kind")}
    return {k: v for k, v in body.items() if v is not None}


def new_consultation(page: Page):
    if page.request.method == "GET":
        return page.render("intake.html", form={}, errors={})
    try:
        recorded = page.write(api.record_consultation, _consultation_body(page.form), schemas.ConsultationRequest)
    except InvalidInput as exc:
        return page.render("intake.html", 422, form=page.form, errors=page.errors(exc))
    return page.render("recorded.html", 201, recorded=recorded, desks=page.desks(), form={}, errors={},
                       suggested={s["desk_id"] for s in recorded["suggested_desks"]})


def refer(page: Page, case_id: str):
    if page.request.method == "GET":
        page.run(api.timeline, case_id=case_id)  # 404 unless this desk is on the case
        return page.render("refer.html", case_id=case_id, desks=page.desks(), form={}, errors={}, suggested=set())
    targets = page.form.getlist("to_desk_id")
    reason = page.form.get("reason", "")
    share = page.form.getlist("share_categories")
    urgency = page.form.get("urgency") or None
    body = {"consultation_id": case_id,
            "referrals": [{"to_desk_id": d, "reason": reason, "share_categories": share,
                           **({"urgency": urgency} if urgency else {})} for d in targets]}
    try:
        page.write(api.refer, body, schemas.ReferralsRequest)
    except InvalidInput as exc:
        return page.render("refer.html", 422, case_id=case_id, desks=page.desks(), form=page.form,
                           errors=page.errors(exc), suggested=set(targets))
    return redirect(f"/cases/{quote(case_id)}")


def case(page: Page, case_id: str):
    entries = page.run(api.timeline, case_id=case_id)
    referral_ids = list(dict.fromkeys(e["referral_id"] for e in entries if e.get("referral_id")))
    referrals = []
    for referral_id in referral_ids:
        try:
            referrals.append(page.run(api.get_referral, referral_id=referral_id))
        except NotFound:
            continue
    own = next((c for c in page.run(api.consultations_of_desk) if c["id"] == case_id), None)
    return page.render("case.html", case_id=case_id, entries=entries, referrals=referrals, own=own)


# ---------------------------------------------------------------- referrals
def _available_actions(referral: dict, desk_id: str) -> list[str]:
    sides = set()
    if referral["to_desk_id"] == desk_id:
        sides |= {RECEIVING, EITHER}
    if referral["from_desk_id"] == desk_id:
        sides |= {REFERRING, EITHER}
    return [name for name, action in ACTIONS.items() if action.by in sides and referral["status"] in action.sources]


def referral(page: Page, referral_id: str, errors=None, status: int = 200):
    found = page.run(api.get_referral, referral_id=referral_id)
    return page.render("referral.html", status, referral=found,
                       actions=_available_actions(found, page.caller.desk_id),
                       requires={n: a.requires for n, a in ACTIONS.items()}, errors=errors or {})


def referral_action(page: Page, referral_id: str):
    body = {"action": page.form.get("action", "")}
    for detail in ("reason", "outcome", "note"):
        if page.form.get(detail, "").strip():
            body[detail] = page.form[detail].strip()
    try:
        page.write(api.transition, body, schemas.TransitionRequest, referral_id=referral_id)
    except InvalidInput as exc:
        return referral(page, referral_id, errors=page.errors(exc), status=422)
    return redirect(f"/referrals/{quote(referral_id)}")


def referral_information(page: Page, referral_id: str):
    found = page.run(api.get_referral, referral_id=referral_id)
    information = page.run(api.referral_information, referral_id=referral_id)
    return page.render("information.html", referral=found, information=information)


# ---------------------------------------------------------------- consent
def _end_of_day(value: str | None, zone: str) -> str | None:
    if not value:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return value  # the schema names it
    return datetime.combine(day, time(23, 59, 59), ZoneInfo(zone)).isoformat()


def new_consent(page: Page):
    person_ref = page.request.values.get("person_ref", "")
    if page.request.method == "GET":
        return page.render("consent_form.html", person_ref=person_ref, desks=page.desks(), form={}, errors={})
    form = page.form
    body = {"person_ref": person_ref, "granted_by": form.get("granted_by", ""), "method": form.get("method", ""),
            "purpose": form.get("purpose", ""),
            "provision": {"type": "permit", "recipients": form.getlist("recipients"),
                          "categories": form.getlist("categories")}}
    for name in ("guardian_name", "witness"):
        if form.get(name, "").strip():
            body[name] = form[name].strip()
    until = _end_of_day(form.get("valid_until"), page.settings.timezone)
    if until:
        body["valid_until"] = until
    try:
        recorded = page.write(api.record_consent, body, schemas.ConsentRequest)
    except InvalidInput as exc:
        return page.render("consent_form.html", 422, person_ref=person_ref, desks=page.desks(), form=form,
                           errors=page.errors(exc))
    return redirect(f"/consents/{quote(recorded['consent_id'])}")


def consent(page: Page, consent_id: str, errors=None, status: int = 200):
    versions = page.run(api.consent_history, consent_id=consent_id)
    return page.render("consent.html", status, consent_id=consent_id, versions=versions, latest=versions[-1],
                       errors=errors or {})


def withdraw_consent(page: Page, consent_id: str):
    try:
        page.write(api.withdraw_consent, {"reason": page.form.get("reason", "")}, schemas.WithdrawalRequest,
                   consent_id=consent_id)
    except InvalidInput as exc:
        return consent(page, consent_id, errors=page.errors(exc), status=422)
    return redirect(f"/consents/{quote(consent_id)}")


# ---------------------------------------------------------------- meetings
def new_meeting(page: Page):
    consultation_id = page.request.values.get("consultation_id", "")
    if page.request.method == "GET":
        page.run(api.timeline, case_id=consultation_id)
        return page.render("meeting_form.html", consultation_id=consultation_id, desks=page.desks(), kinds=KINDS,
                           form={}, errors={})
    body = {"consultation_id": consultation_id, "kind": page.form.get("kind", ""),
            "member_desk_ids": page.form.getlist("member_desk_ids"), "agenda": page.form.get("agenda", "")}
    try:
        created = page.write(api.convene_meeting, body, schemas.MeetingRequest)
    except InvalidInput as exc:
        return page.render("meeting_form.html", 422, consultation_id=consultation_id, desks=page.desks(),
                           kinds=KINDS, form=page.form, errors=page.errors(exc))
    return redirect(f"/meetings/{quote(created['meeting_id'])}")


def meeting(page: Page, meeting_id: str, errors=None, status: int = 200):
    found = page.run(api.get_meeting, meeting_id=meeting_id)
    return page.render("meeting.html", status, meeting=found, kinds=KINDS, desks=page.desks(), errors=errors or {},
                       form=page.form if errors else {})


def decide(page: Page, meeting_id: str):
    body = {"text": page.form.get("text", "")}
    if page.form.get("to_desk_id"):
        body["action"] = {"to_desk_id": page.form["to_desk_id"], "reason": page.form.get("reason", "")}
    try:
        page.write(api.record_decision, body, schemas.DecisionRequest, meeting_id=meeting_id)
    except InvalidInput as exc:
        return meeting(page, meeting_id, errors=page.errors(exc), status=422)
    return redirect(f"/meetings/{quote(meeting_id)}")


def report(page: Page, person_ref: str):
    html = page.run(api.disclosure_report, person_ref=person_ref)
    return Response(html, mimetype="text/html", headers={"Cache-Control": "no-store"})


# ---------------------------------------------------------------- the admin monitor
def _chart_labels(page: Page) -> dict:
    """How each chart names its bars, in the page's language."""
    return {"type_label": lambda r: page.label(r["type"], i18n.EVENT_LABELS),
            "pair_label": lambda r: f"{page.desk_name(r['from_desk_id'])} → {page.desk_name(r['to_desk_id'])}",
            "ward_label": lambda r: page.label(r["ward"]), "channel_label": lambda r: page.label(r["channel"]),
            "concern_label": lambda r: page.label(r["concern"]), "month_label": lambda r: r["month"],
            "bucket_label": lambda r: page.label(r["bucket"], i18n.PICKUP_LABELS)}


def admin(page: Page, errors=None, status: int = 200):
    return page.render("admin.html", status, flow=page.run(api.monitor_flow, {"window_minutes": 60}),
                       queues=page.run(api.monitor_queues),
                       dead=page.run(api.dead_letters, {"status": "open"}),
                       indicators=page.run(api.indicators), csv_tables=CSV_TABLES, errors=errors or {},
                       **_chart_labels(page))


def admin_trace(page: Page):
    key = page.request.args.get("key", "").strip()
    hops = page.run(api.monitor_trace, key=key) if key else []
    return page.render("trace.html", key=key, hops=hops)


def admin_dead_letter(page: Page, dead_letter_id: str, errors=None, status: int = 200):
    return page.render("dead_letter.html", status, dead=page.run(api.dead_letter, dead_letter_id=dead_letter_id),
                       errors=errors or {})


def admin_replay(page: Page):
    body = {"ids": [int(i) for i in page.form.getlist("ids") if text.NUMBER.match(i)], "note": page.form.get("note", "")}
    try:
        page.write(api.replay_dead_letters, body, schemas.ReplayRequest)
    except InvalidInput as exc:
        return admin(page, errors=page.errors(exc), status=422)
    return redirect("/admin#dead-letters")


def admin_discard(page: Page, dead_letter_id: str):
    try:
        page.write(api.discard_dead_letter, {"note": page.form.get("note", "")}, schemas.DiscardRequest,
                   dead_letter_id=dead_letter_id)
    except InvalidInput as exc:
        return admin_dead_letter(page, dead_letter_id, errors=page.errors(exc), status=422)
    return redirect("/admin#dead-letters")


CSV_TABLES = ("consultations_by_ward", "consultations_by_channel", "consultations_by_concern",
              "consultations_by_month", "referrals_by_pair", "pickup")

VIEWS = {name: globals()[name] for name in {rule.endpoint for rule in PAGES.iter_rules()}}
