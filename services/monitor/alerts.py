"""When the flow needs an admin: pure rules over queue statistics and delivery lag."""
from __future__ import annotations

import re
from dataclasses import dataclass

SERVICE_QUEUE = re.compile(r"^tsunagu\.[a-z_]+$")  # a service's event queue (not .dead, not the feeds' holding queue)


@dataclass(frozen=True)
class Alert:
    kind: str      # no-consumer, dead-letters, outbox-lag, monitor-degraded
    subject: str   # the queue, or "events"
    detail: str


def queue_alerts(queues: list[dict]) -> list[Alert]:
    """A service's event queue that nobody consumes (its messages wait for nobody)."""
    return [Alert("no-consumer", q["name"], f"{q['messages']} waiting, no consumer") for q in queues
            if SERVICE_QUEUE.match(q["name"]) and not q.get("consumers")]


def dead_letter_alerts(open_by_queue: dict[str, int]) -> list[Alert]:
    """Dead letters nobody has replayed or discarded yet, per queue they failed on."""
    return [Alert("dead-letters", queue, f"{n} dead letter(s) waiting for an admin")
            for queue, n in sorted(open_by_queue.items()) if n]


def lag_alert(lags_seconds: list[float], threshold: float) -> Alert | None:
    """Events reaching the monitor long after they were committed mean an outbox or a queue lags."""
    if not lags_seconds:
        return None
    ordered = sorted(lags_seconds)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    if p95 <= threshold:
        return None
    return Alert("outbox-lag", "events", f"95% of recent events arrived within {p95:.1f}s (threshold {threshold:g}s)")
