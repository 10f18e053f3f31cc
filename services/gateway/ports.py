"""The other services, as the gateway calls them: every call bounded in time, and their edge
errors (carried by name in nameko's RemoteError) turned back into tsunagu's own."""
from __future__ import annotations

import ast

from amqp.exceptions import AMQPError
from kombu.exceptions import KombuError
from nameko.exceptions import RemoteError, UnknownService

from shared.errors import Conflict, InvalidInput, NotFound, NotPermitted


class Unavailable(Exception):
    """A service did not answer in time, or is not running."""


_EDGE_ERRORS = {"NotFound": NotFound, "NotPermitted": NotPermitted, "Conflict": Conflict}


def _edge_error(exc: RemoteError) -> Exception:
    if exc.exc_type == "InvalidInput":
        try:
            errors = ast.literal_eval(exc.value)  # str() of the errors dict
        except (ValueError, SyntaxError):
            errors = None
        return InvalidInput(errors if isinstance(errors, dict) else {"_schema": [exc.value]})
    if exc.exc_type in _EDGE_ERRORS:
        return _EDGE_ERRORS[exc.exc_type](exc.value)
    return exc


class Service:
    def __init__(self, proxy, timeout: float):
        self._proxy, self._timeout = proxy, timeout

    def __getattr__(self, method: str):
        def call(*args, **kwargs):
            import eventlet  # only the running service needs it; the OpenAPI build does not
            try:
                # The request is published outside the timeout (nameko's retry policy bounds it):
                # a timeout firing in the middle of writing a frame would corrupt the connection.
                reply = getattr(self._proxy, method).call_async(*args, **kwargs)
                with eventlet.Timeout(self._timeout):
                    return reply.result()
            except (OSError, KombuError, AMQPError) as exc:  # the broker is away
                raise Unavailable(f"the broker did not take the call ({exc})") from None
            except eventlet.Timeout:
                raise Unavailable(f"{self._proxy.target_service if hasattr(self._proxy, 'target_service') else 'a service'} "
                                  f"did not answer within {self._timeout:g}s") from None
            except UnknownService as exc:
                raise Unavailable(str(exc)) from None
            except RemoteError as exc:
                raise _edge_error(exc) from exc
        return call


class Ports:
    """One attribute per service, each a bounded RPC client."""

    def __init__(self, timeout: float, **proxies):
        for name, proxy in proxies.items():
            setattr(self, name, Service(proxy, timeout))
