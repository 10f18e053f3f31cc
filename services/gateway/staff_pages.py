"""The staff's pages: sign-in, inbox, intake, cases, referrals, consent, meetings, the report."""
from __future__ import annotations

from datetime import datetime, time
from urllib.parse import quote
from zoneinfo import ZoneInfo

from werkzeug.wrappers import Response

from services.referrals.lifecycle import ACTIONS, EITHER, RECEIVING, REFERRING
from services.referrals.meetings import KINDS
from shared.errors import InvalidInput, NotFound

from . import api, dispatch, handlers, schemas
from .page import Page, redirect, safe_next


# ---------------------------------------------------------------- sign-in
def home(page: Page):
    return redirect("/inbox")


def login(page: Page):
    if page.request.method == "GET":
        return page.render("login.html", next=safe_next(page.request.args.get("next")))
    next_url = safe_next(page.form.get("next"))
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
    return page.submit(api.transition, body, schemas.TransitionRequest,
                       lambda errors: referral(page, referral_id, errors=errors, status=422),
                       f"/referrals/{quote(referral_id)}", referral_id=referral_id)


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
    return page.submit(api.withdraw_consent, {"reason": page.form.get("reason", "")}, schemas.WithdrawalRequest,
                       lambda errors: consent(page, consent_id, errors=errors, status=422),
                       f"/consents/{quote(consent_id)}", consent_id=consent_id)


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
    return page.submit(api.record_decision, body, schemas.DecisionRequest,
                       lambda errors: meeting(page, meeting_id, errors=errors, status=422),
                       f"/meetings/{quote(meeting_id)}", meeting_id=meeting_id)


def report(page: Page, person_ref: str):
    html = page.run(api.disclosure_report, person_ref=person_ref)
    return Response(html, mimetype="text/html", headers={"Cache-Control": "no-store"})


