"""The OpenAPI 3.1 document, generated from the operation table and the marshmallow schemas."""
from __future__ import annotations

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from . import problems, text
from .api import OPERATIONS, PREFIX
from .dispatch import CSRF_HEADER, SESSION_COOKIE
from .schemas import Problem

TITLE = "tsunagu HTTP API"
VERSION = "1.0.0"
_STATUS_TEXT = {200: "OK", 201: "Created", 204: "No content"}
_ID_PATTERN = text.ID.pattern


def _path(rule: str) -> tuple[str, list[str]]:
    names = re.findall(r"<(\w+)>", rule)
    return PREFIX + re.sub(r"<(\w+)>", r"{\1}", rule), names


def _schema_name(resolver_schema) -> str:
    cls = resolver_schema if isinstance(resolver_schema, type) else type(resolver_schema)
    return cls.__name__


def build(server_url: str | None = None) -> dict:
    spec = APISpec(title=TITLE, version=VERSION, openapi_version="3.1.0",
                   plugins=[MarshmallowPlugin(schema_name_resolver=_schema_name)],
                   info={"description": "Everything staff and agency systems do in tsunagu. Every call acts for "
                                        "the caller's desk; objects of other desks answer 404. Errors are RFC 9457 "
                                        "problem details with per-field messages (Japanese unless "
                                        "`Accept-Language: en`).",
                         "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"}},
                   servers=[{"url": server_url or "/"}])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer",
                                               "description": "a token from POST /api/v1/sessions"})
    spec.components.security_scheme("apiKey", {"type": "apiKey", "in": "header", "name": "X-API-Key",
                                               "description": "an agency system's key (tsk_…)"})
    spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE,
                                                "description": f"browser session; writes also need {CSRF_HEADER}"})
    spec.components.schema("Problem", schema=Problem)
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        path, names = _path(op.path)
        paths.setdefault(path, {})[op.method.lower()] = _operation(op, names)
    paths[PREFIX + "/inbox/stream"] = {"get": _stream_operation()}
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def _problems(codes) -> dict:
    return {str(code): {"description": problems.TITLES[code][1],
                        "content": {"application/problem+json": {"schema": "Problem"}}} for code in codes}


def _operation(op, names: list[str]) -> dict:
    doc = {"operationId": op.name, "summary": op.summary, "tags": [op.tag],
           "parameters": [{"in": "path", "name": n, "required": True,
                           "schema": {"type": "string", "pattern": _ID_PATTERN}} for n in names]}
    if op.query is not None:
        doc["parameters"].append({"in": "query", "schema": op.query})
    if op.idempotent:
        doc["parameters"].append({
            "in": "header", "name": "Idempotency-Key", "required": False,
            "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{1,64}$"},
            "description": "Send the same key when retrying after a timeout or a dropped connection: the "
                           "request is applied once, and the retry answers with what was recorded the first time "
                           "(keys are kept per desk)."})
    if op.body is not None:
        doc["requestBody"] = {"required": True, "content": {"application/json": {"schema": op.body}}}
    ok = {"description": _STATUS_TEXT.get(op.status, "OK")}
    if op.status != 204:
        if op.media_type.startswith("text/"):
            ok["content"] = {op.media_type: {"schema": {"type": "string"}}}
        elif op.response is not None:
            schema = {"type": "array", "items": op.response} if op.many else op.response
            ok["content"] = {op.media_type: {"schema": schema}}
    codes = set(op.errors) | {405} | ({400, 413, 415} if op.body is not None else set())
    if op.role is not None:
        codes |= {401, 403}
    if op.path.find("<") >= 0:
        codes.add(404)
    codes.add(503)
    doc["responses"] = {str(op.status): ok, **_problems(sorted(codes))}
    if op.role is None:
        doc["security"] = []
    else:
        doc["security"] = [{"bearer": []}, {"apiKey": []}, {"session": []}]
        if op.role != "staff":
            doc["description"] = f"Needs the {op.role} role."
    return doc


def _stream_operation() -> dict:
    return {"operationId": "inbox_stream", "tags": ["notifications"],
            "summary": "Server-Sent Events: this desk's notifications after Last-Event-ID, in order, then live",
            "description": "Each event is `event: notification`, `id: <position>` and `data:` a Notification "
                           "(see the schema). Reconnect with `Last-Event-ID` (browsers do) to resume exactly "
                           "after the last one received.",
            "parameters": [{"in": "header", "name": "Last-Event-ID", "required": False,
                            "schema": {"type": "string", "pattern": r"^[0-9]{1,15}$"}},
                           {"in": "query", "name": "after", "required": False,
                            "description": "a position to start after, or `latest` for only new ones",
                            "schema": {"type": "string", "pattern": r"^([0-9]{1,15}|latest)$"}}],
            "security": [{"bearer": []}, {"apiKey": []}, {"session": []}],
            "responses": {"200": {"description": "an endless event stream",
                                  "content": {"text/event-stream": {"schema": {
                                      "type": "object", "required": ["event", "id", "data"],
                                      "properties": {
                                          "event": {"const": "notification"},
                                          "id": {"type": "string", "pattern": "^[0-9]+$"},
                                          "data": {"type": "string", "contentMediaType": "application/json",
                                                   "contentSchema": {"$ref": "#/components/schemas/Notification"}}}}}}},
                          **_problems([400, 401, 503])}}
