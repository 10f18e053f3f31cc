import json

import pytest
from marshmallow import Schema, fields

from shared.events import Envelope, EventRegistry, EventSchemaViolation, MalformedEnvelope, UnknownEvent
from shared.events.catalog import REGISTRY

pytestmark = pytest.mark.unit


class NotedV1(Schema):
    case_id = fields.String(required=True)
    text = fields.String(required=True)


class NotedV2(Schema):
    case_id = fields.String(required=True)
    text = fields.String(required=True)
    language = fields.String(required=True)


class NotedV3(Schema):
    case_id = fields.String(required=True)
    body = fields.String(required=True)
    language = fields.String(required=True)


def registry_with_three_versions():
    registry = EventRegistry()
    registry.register("note.taken", 1, NotedV1, "a note")
    registry.register("note.taken", 2, NotedV2, "a note with its language",
                      upcast_from_previous=lambda d: {**d, "language": "ja"})
    registry.register("note.taken", 3, NotedV3, "text renamed to body",
                      upcast_from_previous=lambda d: {"case_id": d["case_id"], "body": d["text"],
                                                      "language": d["language"]})
    return registry


def test_an_envelope_survives_a_json_round_trip_with_every_attribute():
    cause = Envelope(type="note.taken", version=1, source="/tsunagu/test", subject="case-1",
                     data={"case_id": "case-1", "text": "こんにちは"})
    event = cause.caused("note.taken", 2, "/tsunagu/test", {"case_id": "case-1", "text": "x", "language": "ja"})
    again = Envelope.from_json(event.to_json())
    assert again == event
    assert again.causationid == cause.id and again.correlationid == cause.id
    assert again.subject == "case-1"


def test_the_envelope_is_cloudevents_structured_json_that_the_sdk_parses():
    from cloudevents.core.formats.json import JSONFormat

    event = Envelope(type="consultation.recorded", version=1, source="/tsunagu/intake",
                     subject="c-1", data={"a": 1})
    parsed = JSONFormat().read(None, event.to_json().encode())
    assert parsed.get_specversion() == "1.0"
    assert parsed.get_type() == "consultation.recorded"
    assert parsed.get_dataschema() == "urn:tsunagu:event:consultation.recorded:1"
    assert parsed.get_subject() == "c-1"
    assert parsed.get_extension("correlationid") == event.id
    assert parsed.get_time() == event.time
    assert parsed.get_data() == {"a": 1}


@pytest.mark.parametrize("body, message", [
    (b"{not json", "not JSON"),
    (b"[1, 2]", "not a JSON object"),
    (json.dumps({"specversion": "1.0", "id": "x", "source": "s", "type": "t"}).encode(), "dataschema"),
    (json.dumps({"specversion": "0.3", "id": "x", "source": "s", "type": "t",
                 "dataschema": "urn:tsunagu:event:t:1"}).encode(), "specversion"),
    (json.dumps({"specversion": "1.0", "id": "x", "source": "s", "type": "t",
                 "dataschema": "urn:tsunagu:event:other:1", "time": "2026-01-01T00:00:00Z"}).encode(),
     "does not match"),
    (json.dumps({"specversion": "1.0", "id": "x", "source": "s", "type": "t",
                 "dataschema": "urn:tsunagu:event:t:v1", "time": "2026-01-01T00:00:00Z"}).encode(),
     "<version>"),
])
def test_malformed_envelopes_are_refused_with_the_reason(body, message):
    with pytest.raises(MalformedEnvelope, match=message):
        Envelope.from_json(body)


def test_an_old_version_is_upcast_step_by_step_to_the_newest():
    registry = registry_with_three_versions()
    old = Envelope(type="note.taken", version=1, source="s", data={"case_id": "c", "text": "hello"})
    loaded = registry.load(old)
    assert loaded.version == 3
    assert loaded.data == {"case_id": "c", "body": "hello", "language": "ja"}
    assert loaded.id == old.id


def test_unknown_types_and_versions_are_refused():
    registry = registry_with_three_versions()
    with pytest.raises(UnknownEvent):
        registry.load(Envelope(type="note.lost", version=1, source="s", data={}))
    with pytest.raises(UnknownEvent):
        registry.load(Envelope(type="note.taken", version=9, source="s", data={}))


def test_data_that_breaks_its_schema_is_refused_on_publish_and_on_consume():
    registry = registry_with_three_versions()
    bad = Envelope(type="note.taken", version=2, source="s", data={"case_id": "c"})
    with pytest.raises(EventSchemaViolation) as publish_error:
        registry.check(bad)
    assert set(publish_error.value.errors) == {"text", "language"}
    with pytest.raises(EventSchemaViolation):
        registry.load(bad)


def test_a_new_version_without_an_upcaster_cannot_be_registered():
    registry = EventRegistry()
    registry.register("x.done", 1, NotedV1, "x")
    with pytest.raises(ValueError, match="upcaster"):
        registry.register("x.done", 2, NotedV2, "x")
    with pytest.raises(ValueError, match="already"):
        registry.register("x.done", 1, NotedV1, "x")


def test_every_published_event_type_is_past_tense_dotted_and_documented():
    for definition in REGISTRY.definitions():
        assert definition.type.count(".") >= 1, definition.type
        last = definition.type.split(".")[-1]
        assert last.endswith("ed") or last in {"withdrawn", "sent", "held"}, definition.type
        assert definition.description
