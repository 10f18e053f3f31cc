"""The gateway nameko service: the HTTP API, the live stream and the staff web UI, on their own
address. Everything else is delegated: dispatch (API), ui (pages), ports (the other services)."""
from __future__ import annotations

import functools
import json
import mimetypes
import re
from pathlib import Path

import requests
from nameko.extensions import DependencyProvider
from nameko.rpc import RpcProxy
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer, parse_address
from werkzeug.routing import Map, PathConverter
from werkzeug.wrappers import Response

from shared import logs
from shared.clock import utc_now
from shared.runtime import Database
from shared.runtime.database import CORRELATION_KEY
from shared.runtime.settings import settings_of

from . import dispatch, openapi, ui
from .ports import Ports

STATIC = Path(__file__).parent / "web" / "static"
RPC_TIMEOUT = 15.0
STREAM_READ_TIMEOUT = 60.0  # the notifications stream sends a keep-alive every 15 s


class AnyPath(PathConverter):
    """Any rest of a path, control characters included, so every request reaches the gateway's
    own routing (and gets its problem+json answer) instead of werkzeug's HTML 404."""
    regex = r"[^/][\s\S]*?"


class GatewayWebServer(WebServer):
    """A web server of its own, so the gateway can share a process with the notifications service."""

    @property
    def bind_addr(self):
        return parse_address(settings_of(self.container).gateway_address)

    def make_url_map(self):
        url_map = Map(converters={"any_path": AnyPath})
        for provider in self._providers:
            rule = provider.get_url_rule()
            rule.endpoint = provider
            url_map.add(rule)
        return url_map


class GatewayRoute(HttpRequestHandler):
    server = GatewayWebServer()


route = GatewayRoute.decorator
ALL_METHODS = "GET,POST,PUT,PATCH,DELETE,OPTIONS"


class Correlation(DependencyProvider):
    """Sets the request's correlation id on the worker, so every RPC it makes carries it."""

    def get_dependency(self, worker_ctx):
        def correlate(correlation_id: str) -> None:
            worker_ctx.data[CORRELATION_KEY] = correlation_id
            logs.bind(correlation_id)
        return correlate


@functools.lru_cache(maxsize=1)
def _openapi_document() -> str:
    """Built once: the document depends only on the code."""
    return json.dumps(openapi.build(), ensure_ascii=False)


class GatewayService:
    name = "gateway"
    db = Database(Path(__file__).parent / "migrations")
    correlation = Correlation()
    directory = RpcProxy("directory")
    intake = RpcProxy("intake")
    referrals = RpcProxy("referrals")
    consent = RpcProxy("consent")
    notifications = RpcProxy("notifications")
    monitor = RpcProxy("monitor")

    def _ports(self) -> Ports:
        return Ports(RPC_TIMEOUT, directory=self.directory, intake=self.intake, referrals=self.referrals,
                     consent=self.consent, notifications=self.notifications, monitor=self.monitor)

    @route(ALL_METHODS, "/api/<any_path:path>")
    def api(self, request, path):
        if request.method == "GET" and path == "v1/openapi.json":
            return Response(_openapi_document(), mimetype="application/json")
        if request.method == "GET" and path == "docs":
            return Response((STATIC / "api-docs.html").read_text(), mimetype="text/html")
        if request.method == "GET" and path == "v1/inbox/stream":
            return self._stream(request)
        return dispatch.handle(request, self._ports(), self.db, self.db.settings, utc_now(), self.correlation)

    def _stream(self, request):
        """The desk's notification stream, relayed from the notifications service after sign-in."""
        correlation_id, lang = dispatch.correlation_of(request), dispatch.language_of(request)
        caller = dispatch.Requester(request, self.db, utc_now()).caller
        if caller is None:
            return dispatch.problem_response(401, lang, correlation_id)
        last = request.headers.get("Last-Event-ID") or request.args.get("after") or "0"
        if not re.fullmatch(r"[0-9]{1,15}|latest", last):
            return dispatch.problem_response(400, lang, correlation_id, "Last-Event-ID must be a notification position")
        try:
            upstream = requests.get(f"{self.db.settings.notifications_url.rstrip('/')}/desks/{caller.desk_id}/stream",
                                    headers={"Last-Event-ID": last}, stream=True, timeout=(5, STREAM_READ_TIMEOUT))
        except requests.RequestException:
            return dispatch.problem_response(503, lang, correlation_id, headers={"Retry-After": "5"})
        if upstream.status_code != 200:
            upstream.close()
            return dispatch.problem_response(503, lang, correlation_id, headers={"Retry-After": "5"})

        def relay():
            try:
                yield from upstream.iter_content(chunk_size=None)
            except requests.RequestException:
                return  # the browser reconnects with Last-Event-ID and misses nothing
            finally:
                upstream.close()

        request.environ["eventlet.minimum_write_chunk_size"] = 0
        return Response(relay(), mimetype="text/event-stream",
                        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no",
                                 "X-Correlation-ID": correlation_id})

    @route("GET", "/static/<path:path>")
    def static(self, request, path):
        try:
            target = (STATIC / path).resolve()
            found = STATIC.resolve() in target.parents and target.is_file()
        except (ValueError, OSError):  # a NUL byte, a name too long
            found = False
        if not found:
            return Response("not found", status=404, mimetype="text/plain")
        mimetype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return Response(target.read_bytes(), mimetype=mimetype, headers={"Cache-Control": "public, max-age=3600"})

    @route("GET,POST", "/")
    def home(self, request):
        return ui.handle(request, "", self._ports(), self.db, self.db.settings, utc_now(), self.correlation)

    @route("GET,POST", "/<any_path:path>")
    def page(self, request, path):
        return ui.handle(request, path, self._ports(), self.db, self.db.settings, utc_now(), self.correlation)
