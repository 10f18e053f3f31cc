"""One registry of event schemas: a marshmallow schema per (type, version), plus upcasters.

Producers validate before an event enters the outbox; consumers validate (after upcasting an
old version to the newest) before a handler sees it. An event whose type or version is unknown,
or whose data breaks its schema, is refused at both ends instead of travelling on.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable

from marshmallow import Schema, ValidationError

from .envelope import Envelope

Upcaster = Callable[[dict], dict]


class UnknownEvent(ValueError):
    """No schema is registered for this event type and version."""


class EventSchemaViolation(ValueError):
    """The event's data does not match its schema; ``errors`` holds per-field messages."""

    def __init__(self, event_type: str, version: int, errors: dict):
        self.errors = errors
        super().__init__(f"{event_type} v{version} data is invalid: {errors}")


@dataclass(frozen=True)
class EventDefinition:
    type: str
    version: int
    schema: type[Schema]
    description: str
    upcast_from_previous: Upcaster | None = None

    @cached_property
    def validator(self) -> Schema:
        """One schema instance, reused: building a marshmallow schema costs more than using it."""
        return self.schema()


class EventRegistry:
    def __init__(self):
        self._definitions: dict[tuple[str, int], EventDefinition] = {}
        self._latest: dict[str, int] = {}

    def register(self, event_type: str, version: int, schema: type[Schema], description: str,
                 upcast_from_previous: Upcaster | None = None) -> EventDefinition:
        """Add a schema; every version after the first must say how to upcast its predecessor."""
        key = (event_type, version)
        if key in self._definitions:
            raise ValueError(f"{event_type} v{version} is already registered")
        if version > 1 and (event_type, version - 1) in self._definitions and upcast_from_previous is None:
            raise ValueError(f"{event_type} v{version} needs an upcaster from v{version - 1}")
        definition = EventDefinition(event_type, version, schema, description, upcast_from_previous)
        self._definitions[key] = definition
        self._latest[event_type] = max(version, self._latest.get(event_type, 0))
        return definition

    def definitions(self) -> list[EventDefinition]:
        return sorted(self._definitions.values(), key=lambda d: (d.type, d.version))

    def latest_version(self, event_type: str) -> int:
        try:
            return self._latest[event_type]
        except KeyError:
            raise UnknownEvent(f"unknown event type {event_type!r}") from None

    def definition(self, event_type: str, version: int) -> EventDefinition:
        try:
            return self._definitions[(event_type, version)]
        except KeyError:
            raise UnknownEvent(f"unknown event {event_type!r} version {version}") from None

    def check(self, envelope: Envelope) -> Envelope:
        """Validate an outgoing event in its wire (JSON) form; return it unchanged."""
        errors = self.definition(envelope.type, envelope.version).validator.validate(envelope.data)
        if errors:
            raise EventSchemaViolation(envelope.type, envelope.version, errors)
        return envelope

    def to_wire(self, envelope: Envelope) -> Envelope:
        """A loaded event back in its JSON form (to pass it on unchanged, e.g. to an agency feed)."""
        return envelope.with_data(self.definition(envelope.type, envelope.version).validator.dump(envelope.data))

    def load(self, envelope: Envelope) -> Envelope:
        """Upcast an incoming event to the newest version and load its data through the schema."""
        latest = self.latest_version(envelope.type)
        data, version = envelope.data, envelope.version
        if version != latest:
            self.check(envelope)  # unknown versions and bad data are refused before upcasting
        while version < latest:
            version += 1
            data = self.definition(envelope.type, version).upcast_from_previous(dict(data))
        try:
            loaded = self.definition(envelope.type, version).validator.load(data)
        except ValidationError as exc:
            raise EventSchemaViolation(envelope.type, version, exc.messages) from exc
        return envelope.with_data(loaded, version)
