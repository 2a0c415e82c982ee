"""Slow clients for tests and bench/: connections that send a request one byte a second.

    with SlowClients("127.0.0.1", port, 50):
        ...  # 50 connections trickle in, half still in their headers, half in their body

Half of them send the request line and headers one byte at a time (and never finish);
the other half send complete headers announcing a 4 KiB body, then the body one byte at
a time. One thread feeds them all; leaving the block closes them.
"""

from __future__ import annotations

import socket
import threading


class SlowClients:
    def __init__(self, host: str, port: int, count: int, interval: float = 1.0) -> None:
        self.host, self.port, self.count, self.interval = host, port, count, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._feed, name="slow-clients", daemon=True)
        self._socks: list[tuple[socket.socket, bytes]] = []
        self.connected = 0
        self.closed_by_server = 0

    def __enter__(self) -> SlowClients:
        head = (f"POST /slack/events HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                "X-Slack-Request-Timestamp: 1700000000\r\n")  # fmt: skip
        for i in range(self.count):
            sock = socket.create_connection((self.host, self.port), timeout=5)
            if i % 2:  # complete headers, then the body byte by byte
                sock.sendall((head + "Content-Length: 4096\r\n\r\n").encode())
                rest = b"x" * 4096
            else:  # the headers byte by byte
                rest = (head + "X-Padding: " + "p" * 4096).encode()
            self._socks.append((sock, rest))
            self.connected += 1
        self._thread.start()
        return self

    def _feed(self) -> None:
        position = 0
        while not self._stop.wait(self.interval):
            for sock, rest in self._socks:
                if sock.fileno() < 0 or position >= len(rest):
                    continue
                try:
                    sock.send(rest[position : position + 1])
                except OSError:
                    self.closed_by_server += 1
                    sock.close()
            position += 1

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for sock, _ in self._socks:
            sock.close()
