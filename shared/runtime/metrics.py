"""Prometheus metrics of every service in the process, served on ``TSUNAGU_METRICS_ADDRESS``
(``/metrics``) by ``tsunagu run``. Each series is labelled with the service it belongs to."""
from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram, start_http_server

HANDLED = Counter("tsunagu_events_handled_total", "Events applied by a handler (committed)",
                  ["service", "event_type"])
FAILED = Counter("tsunagu_event_failures_total", "Handler attempts that failed (each retry counts)",
                 ["service", "event_type"])
REDELIVERED = Counter("tsunagu_events_redelivered_total",
                      "Deliveries of an event already applied, dropped by the consumer's inbox", ["service", "event_type"])
DEAD_LETTERED = Counter("tsunagu_events_dead_lettered_total", "Messages moved to a dead-letter queue",
                        ["service", "reason"])
HANDLING = Histogram("tsunagu_event_handling_seconds", "Time to apply one event (or one group), retries included",
                     ["service"], buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
GROUPED = Histogram("tsunagu_event_group_size", "Events applied together in one transaction (group commit)",
                    ["service"], buckets=(2, 5, 10, 25, 50, 100, 250, 500, 1000))
RELAYED = Counter("tsunagu_outbox_published_total", "Outbox rows confirmed by the broker", ["service"])
OUTBOX_PENDING = Gauge("tsunagu_outbox_pending", "Outbox rows not yet confirmed by the broker", ["service"])
OUTBOX_LAG = Gauge("tsunagu_outbox_lag_seconds", "Age of the oldest unpublished outbox row (0 when none)",
                   ["service"])
CONNECTED = Gauge("tsunagu_broker_connected", "1 while the connection is up, else 0", ["service", "role"])


def serve(address: str) -> None:
    """Start the /metrics endpoint (host:port); an empty address leaves it off."""
    if not address:
        return
    host, _, port = address.rpartition(":")
    start_http_server(int(port), addr=host or "0.0.0.0")
