"""The AsyncAPI document of the agency feeds, generated from the marshmallow event schemas.

An agency developer needs nothing else to subscribe: the broker, the exchange and its routing
keys, the envelope and every payload's fields, and how to log in.
"""
from __future__ import annotations

from importlib.metadata import version

import yaml
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from .events.catalog import REGISTRY
from .events.envelope import CONTENT_TYPE
from .messaging.topology import FEEDS_EXCHANGE

BINDING_VERSION = "0.2.0"


def _feed_types() -> list[str]:
    from services.notifications.audience import SUBSCRIBED
    return sorted(set(SUBSCRIBED))


def _envelope_schema(data_ref: str, event_type: str, schema_version: int) -> dict:
    return {
        "type": "object",
        "required": ["specversion", "id", "source", "type", "time", "dataschema", "correlationid", "data"],
        "properties": {
            "specversion": {"type": "string", "const": "1.0"},
            "id": {"type": "string", "description": "unique per event; drop repeats by this id"},
            "source": {"type": "string", "examples": ["/tsunagu/referrals"]},
            "type": {"type": "string", "const": event_type},
            "time": {"type": "string", "format": "date-time"},
            "subject": {"type": "string", "description": "the case (consultation id)"},
            "datacontenttype": {"type": "string", "const": "application/json"},
            "dataschema": {"type": "string", "const": f"urn:tsunagu:event:{event_type}:{schema_version}"},
            "correlationid": {"type": "string"},
            "causationid": {"type": "string"},
            "data": {"$ref": data_ref},
        },
    }


def document() -> dict:
    spec = APISpec(title="tsunagu", version=version("tsunagu"), openapi_version="3.1.0",
                   plugins=[MarshmallowPlugin()])
    channels, messages = {}, {}
    for event_type in _feed_types():
        definition = REGISTRY.definition(event_type, REGISTRY.latest_version(event_type))
        schema_name = definition.schema.__name__
        if schema_name not in spec.components.schemas:
            spec.components.schema(schema_name, schema=definition.schema)
        message_name = event_type.replace(".", "_")
        messages[message_name] = {
            "name": event_type, "title": event_type, "summary": definition.description,
            "contentType": CONTENT_TYPE,
            "payload": _envelope_schema(f"#/components/schemas/{schema_name}", event_type, definition.version),
            "bindings": {"amqp": {"messageType": event_type, "bindingVersion": BINDING_VERSION}},
        }
        channels[f"agency.{{deskId}}.{event_type}"] = {
            "description": f"{definition.description} Routing key on the {FEEDS_EXCHANGE} exchange.",
            "parameters": {"deskId": {"$ref": "#/components/parameters/deskId"}},
            "subscribe": {
                "operationId": f"receive_{message_name}",
                "summary": f"Receive {event_type} events meant for your desk.",
                "bindings": {"amqp": {"ack": True, "bindingVersion": BINDING_VERSION}},
                "message": {"$ref": f"#/components/messages/{message_name}"},
            },
            "bindings": {"amqp": {
                "is": "routingKey",
                "exchange": {"name": FEEDS_EXCHANGE, "type": "topic", "durable": True, "autoDelete": False},
                "bindingVersion": BINDING_VERSION}},
        }
    schemas = spec.to_dict()["components"]["schemas"]
    return {
        "asyncapi": "2.6.0",
        "info": {
            "title": "tsunagu agency feeds",
            "version": version("tsunagu"),
            "description": (
                "Events of the hand-offs your desk is part of, delivered to your own case system over AMQP 0-9-1. "
                "Ask the tsunagu administrator for your feed user (`tsunagu provision-feed <desk-id>`). "
                f"Declare a durable queue named `feed.<desk-id>.<anything>`, bind it to the `{FEEDS_EXCHANGE}` "
                "topic exchange with `agency.<desk-id>.#` (or narrower keys), consume with manual acks. The broker "
                "refuses (ACCESS_REFUSED) bindings to any other desk's keys. Messages are CloudEvents 1.0 in "
                "structured JSON mode; delivery is at least once, so drop repeats by `id`. Payloads carry codes "
                "and ids, never personal data: read personal information through the API, where the consent "
                "service decides what your desk may see."),
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {"tsunagu": {
            "url": "{host}:{port}", "protocol": "amqp", "protocolVersion": "0-9-1",
            "variables": {"host": {"default": "localhost"}, "port": {"default": "5672"}},
            "security": [{"feedUser": []}]}},
        "channels": channels,
        "components": {
            "messages": messages,
            "schemas": schemas,
            "parameters": {"deskId": {"description": "your desk id, as in the directory",
                                      "schema": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"}}},
            "securitySchemes": {"feedUser": {"type": "userPassword",
                                             "description": "one RabbitMQ user per agency: feed-<desk-id>"}},
        },
    }


def document_yaml() -> str:
    return yaml.safe_dump(document(), allow_unicode=True, sort_keys=False, width=100)
