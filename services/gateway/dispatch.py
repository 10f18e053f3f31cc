"""From an HTTP request to an API operation and back: authentication, role, input validation,
error mapping to problem+json, and the audit of every write. No nameko here."""
from __future__ import annotations

import hmac
import json
import logging
import re
import uuid

from werkzeug.exceptions import MethodNotAllowed, NotFound as NoRoute
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from shared.errors import Conflict, InvalidInput, NotFound, NotPermitted, load

from . import handlers, problems, text
from .accounts import secret_hash
from .api import OPERATIONS, PREFIX, Call, Operation
from .ports import Unavailable

log = logging.getLogger(__name__)

SESSION_COOKIE = "tsunagu_session"
LANG_COOKIE = "tsunagu_lang"
CSRF_HEADER = "X-CSRF-Token"
_CORRELATION = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def set_session_cookie(response: Response, token: str, settings) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=int(settings.session_hours * 3600), httponly=True,
                        samesite="Strict", path="/", secure=settings.public_url.startswith("https:"))


def cross_site(request: Request) -> bool:
    """A form posted from another site (the browser says so), e.g. to sign a victim in as someone else."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site not in ("same-origin", "none")
    origin = request.headers.get("Origin")
    return bool(origin) and origin != f"{request.scheme}://{request.host}"


def csrf_token(secret: str) -> str:
    """Bound to the session: a page can only know it if it could read the session's own pages."""
    return secret_hash("csrf:" + secret)[:32]


def rule_path(path: str) -> str:
    return PREFIX + path


URLS = Map([Rule(rule_path(op.path), methods=[op.method], endpoint=op) for op in OPERATIONS],
           strict_slashes=False)


class Requester:
    """Who is asking, and how they proved it."""

    def __init__(self, request: Request, db, now):
        self.secret, self.via_cookie = self._secret(request)
        self.caller = None
        if self.secret:
            with db.unit_of_work() as uow:
                self.caller = handlers.authenticate(uow.session, self.secret, now)

    @staticmethod
    def _secret(request: Request):
        header = request.headers.get("Authorization", "")
        if header[:7].lower() == "bearer ":
            return header[7:].strip(), False
        if request.headers.get("X-API-Key"):
            return request.headers["X-API-Key"].strip(), False
        cookie = request.cookies.get(SESSION_COOKIE)
        return (cookie, True) if cookie else (None, False)

    def csrf_ok(self, request: Request) -> bool:
        if not self.via_cookie or request.method in ("GET", "HEAD"):
            return True
        return hmac.compare_digest(request.headers.get(CSRF_HEADER, ""), csrf_token(self.secret))


def correlation_of(request: Request) -> str:
    given = request.headers.get("X-Correlation-ID", "")
    return given if _CORRELATION.match(given) else uuid.uuid4().hex


def language_of(request: Request) -> str:
    return problems.language(request.headers.get("Accept-Language"), request.cookies.get(LANG_COOKIE))


def problem_response(status: int, lang: str, correlation_id: str, detail=None, errors=None, headers=None,
                     **extra) -> Response:
    body = problems.problem(status, lang, detail, errors, correlation_id, **extra)
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/problem+json",
                    headers={"X-Correlation-ID": correlation_id, **(headers or {})})


def _json_body(request: Request, op: Operation):
    if (request.content_length or 0) > text.MAX_BODY_BYTES:
        raise _Refused(413, f"the body may be at most {text.MAX_BODY_BYTES:,} bytes")
    raw = request.get_data(cache=False)
    if not raw.strip():
        return {}
    mimetype = request.mimetype or "application/json"
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise _Refused(415, "send the body as application/json")
    try:
        return text.parse_json(raw)
    except text.BadText as exc:
        raise _Refused(400, str(exc)) from None


class _Refused(Exception):
    def __init__(self, status: int, detail: str, errors=None, headers=None, **extra):
        self.status, self.detail, self.errors, self.headers, self.extra = status, detail, errors, headers, extra
        super().__init__(detail)


def _idempotency_key(request: Request, op: Operation) -> str | None:
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None or not op.idempotent:
        return None
    if not IDEMPOTENCY_KEY.fullmatch(key):
        raise InvalidInput({IDEMPOTENCY_HEADER: ["1 to 64 characters: letters, digits, '-', '_', '.', ':'"]})
    return key


def _query(request: Request, op: Operation) -> dict:
    if op.query is None:
        return {}
    args = {k: v for k, v in request.args.items()}
    if not text.clean(args):
        raise _Refused(400, "text may not contain NUL characters or unpaired surrogates")
    return load(op.query(), args)


def handle(request: Request, ports, db, settings, now, on_correlation=lambda _cid: None) -> Response:
    correlation_id = correlation_of(request)
    on_correlation(correlation_id)
    lang = language_of(request)
    try:
        op, params = URLS.bind_to_environ(request.environ).match()
    except MethodNotAllowed as exc:
        return problem_response(405, lang, correlation_id, headers={"Allow": ", ".join(exc.valid_methods or [])})
    except NoRoute:
        return problem_response(404, lang, correlation_id)
    call = Call(caller=None, ports=ports, db=db, settings=settings, address=request.remote_addr or "", now=now)
    status, response = 500, None
    try:
        response = _run(op, params, request, call, lang, correlation_id)
        status = response.status_code
        return response
    except _Refused as exc:
        status = exc.status
        return problem_response(exc.status, lang, correlation_id, exc.detail, exc.errors, exc.headers, **exc.extra)
    finally:
        if op.writes and status not in (401, 405):
            audit_write(db, call.caller, op.name, params, correlation_id, status, now)


def _run(op: Operation, params: dict, request: Request, call: Call, lang: str, correlation_id: str) -> Response:
    requester = Requester(request, call.db, call.now)
    call.caller, call.secret = requester.caller, requester.secret
    if op.role is not None:
        if call.caller is None:
            raise _Refused(401, "sign in, or send an API key", headers={"WWW-Authenticate": 'Bearer realm="tsunagu"'})
        if not requester.csrf_ok(request):
            raise _Refused(403, f"a cookie-authenticated write needs the {CSRF_HEADER} header")
        if not call.caller.may(op.role):
            raise _Refused(403, f"needs the {op.role} role")
    if not all(text.ID.match(value) for value in params.values()):
        raise _Refused(404, None)  # no object has such an id
    try:
        if op.body is not None:
            call.body = load(op.body(), _json_body(request, op))
        call.query = _query(request, op)
        call.idempotency_key = _idempotency_key(request, op)
        result = op.handler(call, **params)
    except InvalidInput as exc:
        raise _Refused(422, None, exc.errors) from None
    except NotFound:
        raise _Refused(404, None) from None  # the same answer whether it exists or not
    except NotPermitted as exc:
        raise _Refused(403, str(exc)) from None
    except Conflict as exc:
        raise _Refused(409, str(exc)) from None
    except handlers.TooManyAttempts as exc:
        raise _Refused(429, None, headers={"Retry-After": str(int(exc.retry_after) + 1)},
                       retry_after=round(exc.retry_after, 1)) from None
    except handlers.BadCredentials:
        raise _Refused(401, "wrong username or password" if lang == "en" else "ユーザー名またはパスワードが違います") from None
    except Unavailable as exc:
        log.warning("%s: %s", op.name, exc)
        raise _Refused(503, None, headers={"Retry-After": "5"}) from None
    except _Refused:
        raise
    except Exception:
        log.exception("%s failed (correlation %s)", op.name, correlation_id)
        raise _Refused(500, None) from None
    return _response(op, result, call, correlation_id)


def _response(op: Operation, result, call: Call, correlation_id: str) -> Response:
    headers = {"X-Correlation-ID": correlation_id}
    if op.status == 204:
        return Response(status=204, headers=headers)
    if op.media_type.startswith("text/"):
        return Response(result, status=op.status, mimetype=op.media_type, headers=headers)
    response = Response(json.dumps(result, ensure_ascii=False), status=op.status, mimetype=op.media_type,
                        headers=headers)
    if op.name == "sign_in":
        set_session_cookie(response, result["token"], call.settings)
    return response


EDGE_STATUS = {InvalidInput: 422, NotFound: 404, NotPermitted: 403, Conflict: 409, Unavailable: 503}


def status_of(exc: Exception) -> int:
    """The HTTP status an operation's error answers with (500: a bug)."""
    return next((status for kind, status in EDGE_STATUS.items() if isinstance(exc, kind)), 500)


def audit_write(db, caller, action: str, params: dict, correlation_id: str, status: int, now) -> None:
    """One audit row per write, from the API or a form; the answer is already decided, so a row
    that cannot be written is logged loudly instead of failing it."""
    target = ",".join(f"{k}={v}" for k, v in params.items())[:200] or None
    log.info("%s by %s at %s: %s", action, caller.actor if caller else "anonymous",
             caller.desk_id if caller else "-", status)
    try:
        with db.unit_of_work() as uow:
            handlers.audit(uow, caller, action, target, correlation_id, status, now)
    except Exception:
        log.exception("audit of %s (correlation %s) not written", action, correlation_id)

