"""nameko's RPC, made to survive broker faults (each found by the fault suite, benchmarks/faults.py).

* A reply that cannot be sent (the broker went away while the worker ran) is logged instead of
  killing the whole service container. The caller times out and may retry; the request, never
  acked, is delivered again once the broker is back.
* An ack or requeue on a connection that broke is dropped (the broker reclaims the message)
  instead of killing the container: nameko catches only amqp's ConnectionError there, not the
  socket's own errors (a broken pipe).
* Consumers reconnect within 2 s of the broker's return, not kombu's 30 s.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager

from nameko import rpc as nameko_rpc
from nameko.messaging import QueueConsumer

log = logging.getLogger(__name__)


class _RpcConsumer(nameko_rpc.RpcConsumer):
    def handle_result(self, message, result, exc_info):
        try:
            return super().handle_result(message, result, exc_info)
        except Exception as exc:  # the reply's connection is gone
            log.warning("reply to %s not sent (%s); the caller will time out",
                        message.delivery_info.get("routing_key"), exc)
            return result, exc_info


class Rpc(nameko_rpc.Rpc):
    rpc_consumer = _RpcConsumer()


rpc = Rpc.decorator

RECONNECT_SECONDS = (0.5, 0.5, 2.0)  # first wait, step, longest wait


@contextmanager
def _establish_connection(self):
    """kombu's consumer waits up to 30 s between reconnection attempts, which would leave RPC
    deaf for half a minute after the broker is back; tsunagu's own consumers wait at most 5 s."""
    start, step, longest = RECONNECT_SECONDS
    with self.create_connection() as conn:
        conn.ensure_connection(self.on_connection_error, self.connect_max_retries,
                               interval_start=start, interval_step=step, interval_max=longest)
        yield conn


def _unless_the_connection_broke(settle):
    def settle_quietly(self, message):
        try:
            settle(self, message)
        except OSError as exc:
            log.info("%s of an RPC message dropped (%s); the broker reclaims it", settle.__name__, exc)
    return settle_quietly


# nameko's QueueConsumer serves every RPC entrypoint and reply listener of a container.
QueueConsumer.establish_connection = _establish_connection
QueueConsumer.ack_message = _unless_the_connection_broke(QueueConsumer.ack_message)
QueueConsumer.requeue_message = _unless_the_connection_broke(QueueConsumer.requeue_message)


def reply_queues(container) -> list[str]:
    """The queues only this process consumes: where the replies to its RPC calls arrive."""
    return [ext.queue.name for ext in container.subextensions if isinstance(ext, nameko_rpc.ReplyListener)]


class DeafnessCheck:
    """Counts how long a process's reply queues have had no consumer while the broker answers.

    Found by the fault suite: after a cut followed by a black-holed network, nameko's consumer
    can end up never consuming again, so every RPC call times out although the broker is back.
    A process in that state is restarted (crash-only) rather than left alive but deaf."""

    def __init__(self, queues: list[str], patience: int):
        self.queues, self.patience, self.silent = queues, patience, 0

    def observe(self, consumers: dict[str, int] | None) -> bool:
        """``consumers`` per queue (None: the broker did not answer); True once deaf too long."""
        if consumers is None:
            self.silent = 0  # the broker is away: nothing this process can mend
            return False
        self.silent = self.silent + 1 if any(consumers.get(q, 0) == 0 for q in self.queues) else 0
        return self.silent >= self.patience
