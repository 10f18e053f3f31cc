"""A small client of the RabbitMQ management HTTP API (vhosts, queues).

Tests and benchmarks use it for throwaway vhosts; the monitor and agency-feed provisioning
build on it."""
from __future__ import annotations

from urllib.parse import quote, urlsplit

import requests


class Management:
    def __init__(self, uri: str, timeout: float = 10.0):
        parts = urlsplit(uri)
        self.base = f"{parts.scheme}://{parts.hostname}:{parts.port or 15672}/api/"
        self.auth = (parts.username or "guest", parts.password or "guest")
        self.timeout = timeout

    def _call(self, method: str, path: str, **kwargs) -> requests.Response:
        response = requests.request(method, self.base + path, auth=self.auth,
                                    timeout=self.timeout, **kwargs)
        response.raise_for_status()
        return response

    def create_vhost(self, name: str, user: str | None = None) -> None:
        """Create a vhost and give ``user`` (default: the API user) full rights in it."""
        self._call("PUT", f"vhosts/{quote(name, safe='')}")
        self._call("PUT", f"permissions/{quote(name, safe='')}/{quote(user or self.auth[0], safe='')}",
                   json={"configure": ".*", "write": ".*", "read": ".*"})

    def delete_vhost(self, name: str) -> None:
        self._call("DELETE", f"vhosts/{quote(name, safe='')}")

    def put_user(self, name: str, password: str, tags: str = "") -> None:
        self._call("PUT", f"users/{quote(name, safe='')}", json={"password": password, "tags": tags})

    def set_permissions(self, vhost: str, user: str, configure: str, write: str, read: str) -> None:
        self._call("PUT", f"permissions/{quote(vhost, safe='')}/{quote(user, safe='')}",
                   json={"configure": configure, "write": write, "read": read})

    def set_topic_permissions(self, vhost: str, user: str, exchange: str, write: str, read: str) -> None:
        self._call("PUT", f"topic-permissions/{quote(vhost, safe='')}/{quote(user, safe='')}",
                   json={"exchange": exchange, "write": write, "read": read})

    def overview(self) -> dict:
        return self._call("GET", "overview").json()

    def queues(self, vhost: str) -> list[dict]:
        """Every queue of the vhost: name, messages (ready + unacked), ready, unacked, consumers."""
        rows = self._call("GET", f"queues/{quote(vhost, safe='')}",
                          params={"columns": "name,messages,messages_ready,messages_unacknowledged,consumers"}).json()
        return [{"name": q["name"], "messages": q.get("messages", 0), "ready": q.get("messages_ready", 0),
                 "unacked": q.get("messages_unacknowledged", 0), "consumers": q.get("consumers", 0)} for q in rows]
