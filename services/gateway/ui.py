"""The staff web UI: server-rendered pages (Japanese first) that run the same API operations as
the HTTP API, so the rules and checks are the same; a small script adds live updates. This module
takes a request to its page; the pages live in staff_pages and admin_pages."""
from __future__ import annotations

from urllib.parse import quote

from werkzeug.exceptions import MethodNotAllowed, NotFound as NoRoute
from werkzeug.wrappers import Request, Response

from shared.errors import Conflict, NotFound, NotPermitted

from . import admin_pages, dispatch, problems, staff_pages, text
from .page import PAGES, PUBLIC, Page, log, redirect
from .ports import Unavailable


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


VIEWS = {rule.endpoint: getattr(staff_pages, rule.endpoint, None) or getattr(admin_pages, rule.endpoint)
         for rule in PAGES.iter_rules()}
