"""Settings for every tsunagu process, read in this one place.

Values come from an optional YAML file (``TSUNAGU_CONFIG``) overlaid by ``TSUNAGU_*``
environment variables. They are validated at start so a bad setting stops the process with a
message that names the setting and the expected form, instead of failing later mid-flow.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path

import yaml
from marshmallow import Schema, ValidationError, fields as mf, validate, validates, validates_schema


class ConfigError(Exception):
    """A setting is missing or malformed; the message says which and what is expected."""


DEFAULT_DATABASE_URL = "sqlite:///{data_dir}/{service}.sqlite3"


@dataclass(frozen=True)
class Settings:
    amqp_uri: str = "amqp://guest:guest@127.0.0.1:5672/"
    management_uri: str = "http://guest:guest@127.0.0.1:15672/"
    database_url: str = DEFAULT_DATABASE_URL
    data_dir: str = "var"
    exchange: str = "tsunagu.events"
    queue_type: str = "quorum"
    prefetch: int = 200
    group_commit: int = 100
    max_workers: int = 10
    max_attempts: int = 4
    retry_delays: tuple[float, ...] = (1.0, 5.0, 30.0)
    relay_batch_size: int = 500
    relay_poll_interval: float = 0.2
    log_level: str = "INFO"
    timezone: str = "Asia/Tokyo"
    pickup_deadlines: str = "risk_to_life=1h,urgent=1bd,normal=3bd"
    deadline_check_interval: float = 30.0
    capacity_stale_after_days: int = 90
    data_keys: str = ""
    lookup_key: str = ""
    http_address: str = "127.0.0.1:8000"
    webhook_max_attempts: int = 6
    webhook_base_delay: float = 1.0
    delivery_poll_interval: float = 0.5
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    mail_from: str = "tsunagu@localhost"
    public_url: str = "http://127.0.0.1:8080"
    digest_interval: float = 3600.0
    gateway_address: str = "127.0.0.1:8080"
    notifications_url: str = "http://127.0.0.1:8000"
    session_hours: float = 8.0
    login_attempts: int = 5
    login_window: float = 900.0
    log_format: str = "text"
    metrics_address: str = ""
    flow_check_interval: float = 10.0
    alert_lag_seconds: float = 30.0

    def database_url_for(self, service: str) -> str:
        """Each service owns its own database: the URL template names it."""
        return self.database_url.format(service=service, data_dir=self.data_dir)


_DESCRIPTIONS = {
    "amqp_uri": "an AMQP URI such as amqp://user:password@host:5672/vhost",
    "management_uri": "the RabbitMQ management HTTP base URL, such as http://guest:guest@127.0.0.1:15672/",
    "database_url": "an SQLAlchemy URL template containing {service}, such as "
    "postgresql+psycopg2://127.0.0.1/tsunagu_{service}",
    "data_dir": "a directory for the embedded SQLite files",
    "exchange": "the name of the topic exchange that carries every event",
    "queue_type": "quorum or classic",
    "prefetch": "a whole number from 1 to 10000",
    "group_commit": "the most events a consumer applies in one transaction, a whole number from 1 to 1000 "
    "(1: a transaction per event)",
    "max_workers": "a whole number from 1 to 1000",
    "max_attempts": "a whole number from 1 to 50 (handler tries before dead-lettering)",
    "retry_delays": "comma-separated seconds between tries, such as 1,5,30",
    "relay_batch_size": "a whole number from 1 to 10000",
    "relay_poll_interval": "seconds between outbox polls, such as 0.2",
    "log_level": "DEBUG, INFO, WARNING or ERROR",
    "timezone": "an IANA time zone for business days and deadlines, such as Asia/Tokyo",
    "pickup_deadlines": "urgency=duration pairs; durations in s, m, h or bd (business days), "
    "such as risk_to_life=1h,urgent=1bd,normal=3bd",
    "deadline_check_interval": "seconds between checks for missed pick-up deadlines, such as 30",
    "capacity_stale_after_days": "days after which a desk's capacity is flagged stale, such as 90",
    "data_keys": "comma-separated Fernet keys for personal data at rest, newest first "
    "(empty: keys generated once in the data directory, for local use only)",
    "lookup_key": "a secret of 32+ characters for keyed look-up hashes (required with TSUNAGU_DATA_KEYS)",
    "http_address": "host:port the internal notification streams listen on (reached only by the gateway)",
    "webhook_max_attempts": "tries before a webhook delivery is dead-lettered, such as 6",
    "webhook_base_delay": "seconds before the second try; doubled each time, with jitter",
    "delivery_poll_interval": "seconds between looks for webhook deliveries and e-mail alerts that are due",
    "smtp_host": "the SMTP server for e-mail alerts and digests",
    "smtp_port": "its port, such as 25 or 587",
    "mail_from": "the sender address of tsunagu's e-mail",
    "public_url": "the base URL staff open from an e-mail (links only; e-mail carries no personal data)",
    "digest_interval": "seconds between e-mail digests of non-urgent notices, such as 3600",
    "gateway_address": "host:port the gateway (HTTP API and staff web UI) listens on",
    "notifications_url": "the base URL at which the gateway reaches the notifications service's streams",
    "session_hours": "hours a staff sign-in (session or token) stays valid, such as 8",
    "login_attempts": "failed sign-ins allowed per account and address within the login window, such as 5",
    "login_window": "seconds over which failed sign-ins are counted, such as 900",
    "log_format": "text, or json for one JSON object per line with correlation and event ids",
    "metrics_address": "host:port of the Prometheus /metrics endpoint of this process (empty: off)",
    "flow_check_interval": "seconds between the monitor's looks at queues, dead letters and delivery lag",
    "alert_lag_seconds": "an alert is raised when 95% of recent events took longer than this to arrive",
}


class _SettingsSchema(Schema):
    amqp_uri = mf.String(validate=validate.Regexp(r"^amqps?://"))
    management_uri = mf.String(validate=validate.Regexp(r"^https?://"))
    database_url = mf.String()
    data_dir = mf.String(validate=validate.Length(min=1))
    exchange = mf.String(validate=validate.Length(min=1))
    queue_type = mf.String(validate=validate.OneOf(["quorum", "classic"]))
    prefetch = mf.Integer(strict=False, validate=validate.Range(1, 10000))
    group_commit = mf.Integer(strict=False, validate=validate.Range(1, 1000))
    max_workers = mf.Integer(strict=False, validate=validate.Range(1, 1000))
    max_attempts = mf.Integer(strict=False, validate=validate.Range(1, 50))
    retry_delays = mf.List(mf.Float(validate=validate.Range(min=0)), validate=validate.Length(min=1))
    relay_batch_size = mf.Integer(strict=False, validate=validate.Range(1, 10000))
    relay_poll_interval = mf.Float(validate=validate.Range(min=0.001, max=60))
    log_level = mf.String(validate=validate.OneOf(["DEBUG", "INFO", "WARNING", "ERROR"]))
    timezone = mf.String()
    pickup_deadlines = mf.String()
    deadline_check_interval = mf.Float(validate=validate.Range(min=0.05, max=3600))
    capacity_stale_after_days = mf.Integer(strict=False, validate=validate.Range(1, 3650))
    data_keys = mf.String()
    lookup_key = mf.String()
    http_address = mf.String(validate=validate.Regexp(r"^[^:\s]+:\d{1,5}$"))
    webhook_max_attempts = mf.Integer(strict=False, validate=validate.Range(1, 50))
    webhook_base_delay = mf.Float(validate=validate.Range(min=0.01, max=3600))
    delivery_poll_interval = mf.Float(validate=validate.Range(min=0.05, max=3600))
    smtp_host = mf.String(validate=validate.Length(min=1))
    smtp_port = mf.Integer(strict=False, validate=validate.Range(1, 65535))
    mail_from = mf.Email()
    public_url = mf.Url(require_tld=False)
    digest_interval = mf.Float(validate=validate.Range(min=0.1, max=86400))
    gateway_address = mf.String(validate=validate.Regexp(r"^[^:\s]+:\d{1,5}$"))
    notifications_url = mf.Url(require_tld=False)
    session_hours = mf.Float(validate=validate.Range(min=0.01, max=720))
    login_attempts = mf.Integer(strict=False, validate=validate.Range(1, 1000))
    login_window = mf.Float(validate=validate.Range(min=1, max=86400))
    log_format = mf.String(validate=validate.OneOf(["text", "json"]))
    metrics_address = mf.String(validate=validate.Regexp(r"^([^:\s]*:\d{1,5})?$"))
    flow_check_interval = mf.Float(validate=validate.Range(min=0.1, max=3600))
    alert_lag_seconds = mf.Float(validate=validate.Range(min=0.1, max=86400))

    @validates_schema
    def _keys_together(self, data, **_):
        if data.get("data_keys") and len(data.get("lookup_key") or "") < 32:
            raise ValidationError("must be set (32+ characters) when TSUNAGU_DATA_KEYS is", "lookup_key")
        from cryptography.fernet import Fernet
        for key in filter(None, (data.get("data_keys") or "").split(",")):
            try:
                Fernet(key.encode())
            except ValueError as exc:
                raise ValidationError("each key must be a Fernet key (32 url-safe base64-encoded bytes)",
                                      "data_keys") from exc

    @validates("timezone")
    def _known_timezone(self, value, **_):
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError("unknown time zone") from exc

    @validates("pickup_deadlines")
    def _parsable_deadlines(self, value, **_):
        from .deadlines import parse_policy
        try:
            parse_policy(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc

    @validates("database_url")
    def _has_service_placeholder(self, value, **_):
        if "{service}" not in value:
            raise ValidationError("must contain {service}")
        if not value.split(":", 1)[0].startswith(("sqlite", "postgresql")):
            raise ValidationError("must be an sqlite or postgresql URL")


def _from_environment(environ) -> dict:
    raw = {}
    for f in fields(Settings):
        value = environ.get(f"TSUNAGU_{f.name.upper()}")
        if value is None:
            continue
        raw[f.name] = value.split(",") if f.name == "retry_delays" else value
    return raw


def load(environ=None, **overrides) -> Settings:
    """Read, validate and return the settings; raise ConfigError naming every bad one."""
    environ = os.environ if environ is None else environ
    raw: dict = {}
    path = environ.get("TSUNAGU_CONFIG")
    if path:
        try:
            raw.update(yaml.safe_load(Path(path).read_text()) or {})
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"TSUNAGU_CONFIG: cannot read {path!r} as YAML ({exc})") from exc
        unknown = set(raw) - {f.name for f in fields(Settings)}
        if unknown:
            raise ConfigError(f"TSUNAGU_CONFIG: unknown settings {sorted(unknown)}")
    raw.update(_from_environment(environ))
    raw.update(overrides)
    try:
        loaded = _SettingsSchema().load(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"TSUNAGU_{name.upper()}={raw.get(name)!r}: {' '.join(map(str, _flatten(msgs)))}; "
            f"expected {_DESCRIPTIONS.get(name, 'a valid value')}"
            for name, msgs in exc.messages.items()
        )
        raise ConfigError(f"invalid configuration: {problems}") from exc
    if "retry_delays" in loaded:
        loaded["retry_delays"] = tuple(loaded["retry_delays"])
    return Settings(**loaded)


def _flatten(messages):
    if isinstance(messages, dict):
        for value in messages.values():
            yield from _flatten(value)
    elif isinstance(messages, list):
        for value in messages:
            yield from _flatten(value)
    else:
        yield messages


def describe() -> list[tuple[str, str, str]]:
    """(variable, default, meaning) rows for the README's configuration table."""
    defaults = Settings()
    return [
        (f"TSUNAGU_{f.name.upper()}", _render(getattr(defaults, f.name)), _DESCRIPTIONS[f.name])
        for f in fields(Settings)
    ]


def _render(value) -> str:
    return ",".join(f"{v:g}" for v in value) if isinstance(value, tuple) else str(value)
