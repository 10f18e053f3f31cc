"""Hands the validated settings to nameko containers."""
from .. import config

SETTINGS_KEY = "TSUNAGU_SETTINGS"


def nameko_config(settings: config.Settings) -> dict:
    return {
        "AMQP_URI": settings.amqp_uri,
        "max_workers": settings.max_workers,
        "PREFETCH_COUNT": settings.prefetch,
        "serializer": "json",
        "HEARTBEAT": 10,  # a dead RPC connection (a black-holed network) is noticed within ~20 s
        "WEB_SERVER_ADDRESS": settings.http_address,
        SETTINGS_KEY: settings,
    }


def settings_of(container) -> config.Settings:
    return container.config.get(SETTINGS_KEY) or config.load()


def event_registry_of(container):
    """The published catalog, unless the service class names another (tests do)."""
    from ..events.catalog import REGISTRY
    return getattr(container.service_cls, "event_registry", REGISTRY)
