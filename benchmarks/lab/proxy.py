"""A TCP proxy between the services and the broker that can cut every connection at once or
black-hole them (bytes stop flowing both ways, new connections hang) until healed."""
from __future__ import annotations

import socket
import threading


class FaultyLink:
    def __init__(self, listen_port: int, target_ports: list[int], host: str = "127.0.0.1"):
        """Connections go to the first of ``target_ports`` that accepts, in turn (the nodes of a
        cluster behind one address, as a load balancer or a Kubernetes Service does)."""
        self.listen_port, self.host, self.targets = listen_port, host, list(target_ports)
        self._turn = 0
        self._healed = threading.Event()
        self._healed.set()
        self._lock = threading.Lock()
        self._pairs: set[tuple[socket.socket, socket.socket]] = set()
        self._listener = socket.create_server((host, listen_port), reuse_port=False)
        self._closed = False
        threading.Thread(target=self._accept, daemon=True, name="link-accept").start()

    def cut(self) -> int:
        """Reset every open connection, as a broken network does; returns how many."""
        with self._lock:
            pairs, self._pairs = self._pairs, set()
        for pair in pairs:
            for side in pair:
                _close(side)
        return len(pairs)

    def black_hole(self) -> None:
        self._healed.clear()

    def heal(self) -> None:
        self._healed.set()

    def close(self) -> None:
        self._closed = True
        self.heal()
        _close(self._listener)
        self.cut()

    def _accept(self):
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._connect, args=(client,), daemon=True, name="link-connect").start()

    def _connect(self, client):
        self._healed.wait()  # a new connection hangs while the link is a black hole
        upstream = None
        self._turn += 1
        for i in range(len(self.targets)):
            port = self.targets[(self._turn + i) % len(self.targets)]
            try:
                upstream = socket.create_connection((self.host, port), timeout=5)
                upstream.settimeout(None)
                break
            except OSError:
                continue
        if upstream is None:
            _close(client)
            return
        pair = (client, upstream)
        with self._lock:
            self._pairs.add(pair)
        for source, sink in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pump, args=(source, sink, pair), daemon=True, name="link-pump").start()

    def _pump(self, source, sink, pair):
        try:
            while True:
                self._healed.wait()
                data = source.recv(65536)
                if not data:
                    break
                self._healed.wait()  # held, not dropped: TCP would retransmit once the path is back
                sink.sendall(data)
        except OSError:
            pass
        with self._lock:
            self._pairs.discard(pair)
        _close(source)
        _close(sink)


def _close(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass
