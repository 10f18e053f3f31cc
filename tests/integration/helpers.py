"""Small helpers for tests on the real broker."""
import socket
import time

import amqp
import sqlalchemy as sa

from shared.messaging.publisher import ConfirmingPublisher, OutgoingMessage, connect
from shared.persistence.engine import make_engine


def publish(amqp_uri: str, messages, exchange: str = "tsunagu.events"):
    """Publish (routing_key, body, message_id) tuples with confirms; return the BatchResult."""
    publisher = ConfirmingPublisher(amqp_uri, exchange)
    try:
        return publisher.publish_batch([
            OutgoingMessage(message_id=message_id, routing_key=key,
                            body=body if isinstance(body, bytes) else body.encode())
            for key, body, message_id in messages])
    finally:
        publisher.close()


def drain(amqp_uri: str, queue: str) -> list[amqp.Message]:
    """Take every ready message off a queue (by consuming: a single-active-consumer quorum
    queue refuses basic.get)."""
    connection = connect(amqp_uri)
    try:
        channel = connection.channel()
        taken = []
        channel.basic_consume(queue, callback=taken.append, no_ack=True)
        while True:
            try:
                connection.drain_events(timeout=0.5)
            except socket.timeout:
                return taken
    finally:
        connection.close()


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}; last value {value!r}")
        time.sleep(interval)


def query(settings, service: str, statement) -> list:
    engine = make_engine(settings.database_url_for(service))
    try:
        with engine.connect() as conn:
            return conn.execute(statement).all()
    finally:
        engine.dispose()


def count(settings, service: str, table) -> int:
    return query(settings, service, sa.select(sa.func.count()).select_from(table))[0][0]
