"""A local stand-in for Slack's Socket Mode WebSocket server (RFC 6455, standard library).

Point ``apps.connections.open`` of a ``SlackStandIn`` at ``url`` and the real Socket Mode
client (slack_sdk's builtin one, used by Bolt's ``SocketModeHandler``) connects here.
The stand-in says ``hello``, answers pings, and lets a test push envelopes and read
the client's acknowledgements::

    with SocketStandIn() as ws:
        slack.answer("apps.connections.open", {"ok": True, "url": ws.url})
        ...
        envelope_id = ws.send_command({...})
        ack = ws.wait_for_ack(envelope_id)
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import struct
import threading
import uuid
from typing import Any

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


def _frame(opcode: int, payload: bytes) -> bytes:
    head = bytes([0x80 | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([n])
    elif n < 65536:
        head += bytes([126]) + struct.pack("!H", n)
    else:
        head += bytes([127]) + struct.pack("!Q", n)
    return head + payload


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def _read_frame(sock: socket.socket) -> tuple[int, bytes]:
    b0, b1 = _recv_exact(sock, 2)
    opcode, masked, n = b0 & 0x0F, b1 & 0x80, b1 & 0x7F
    if n == 126:
        (n,) = struct.unpack("!H", _recv_exact(sock, 2))
    elif n == 127:
        (n,) = struct.unpack("!Q", _recv_exact(sock, 8))
    mask = _recv_exact(sock, 4) if masked else b"\0\0\0\0"
    data = _recv_exact(sock, n)
    return opcode, bytes(b ^ mask[i % 4] for i, b in enumerate(data))


class SocketStandIn:
    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        port = self._listener.getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}/link/?ticket=standin"
        self.acks: dict[str, dict[str, Any]] = {}
        self.connections = 0
        self._client: socket.socket | None = None
        self._send_lock = threading.Lock()
        self._cond = threading.Condition()
        self._closing = False
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> SocketStandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closing = True
        self._listener.close()
        if self._client:
            try:
                self._client.close()
            except OSError:
                pass

    # -- what tests use -------------------------------------------------------------

    def wait_connected(self, timeout: float = 10) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: self._client is not None, timeout):
                raise AssertionError("the Socket Mode client did not connect")

    def send(self, kind: str, payload: dict[str, Any], accepts_response_payload: bool) -> str:
        envelope_id = uuid.uuid4().hex
        envelope = {"envelope_id": envelope_id, "type": kind, "payload": payload,
                    "accepts_response_payload": accepts_response_payload}  # fmt: skip
        if kind == "events_api":
            envelope.update(retry_attempt=0, retry_reason="")
        self.wait_connected()
        with self._send_lock:
            assert self._client is not None
            self._client.sendall(_frame(TEXT, json.dumps(envelope).encode()))
        return envelope_id

    def send_command(self, payload: dict[str, Any]) -> str:
        return self.send("slash_commands", payload, True)

    def send_event(self, payload: dict[str, Any]) -> str:
        return self.send("events_api", payload, False)

    def send_interactive(self, payload: dict[str, Any]) -> str:
        return self.send("interactive", payload, False)

    def wait_for_ack(self, envelope_id: str, timeout: float = 5) -> dict[str, Any]:
        with self._cond:
            if not self._cond.wait_for(lambda: envelope_id in self.acks, timeout):
                raise AssertionError(f"no ack for envelope {envelope_id} within {timeout}s")
            return self.acks[envelope_id]

    # -- serving ----------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._closing:
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _handshake(self, sock: socket.socket) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = sock.recv(1024)
            if not chunk:
                raise ConnectionError("closed during handshake")
            request += chunk
        headers = {}
        for line in request.decode().split("\r\n")[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        accept = base64.b64encode(
            hashlib.sha1((headers["sec-websocket-key"] + _GUID).encode()).digest()  # noqa: S324 (RFC 6455)
        ).decode()
        sock.sendall(
            (
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Accept: {accept}\r\n\r\n"
            ).encode()
        )

    def _serve(self, sock: socket.socket) -> None:
        try:
            self._handshake(sock)
            hello = {"type": "hello", "num_connections": 1,
                     "debug_info": {"host": "standin", "approximate_connection_time": 3600},
                     "connection_info": {"app_id": "A0STANDIN"}}  # fmt: skip
            with self._send_lock:
                sock.sendall(_frame(TEXT, json.dumps(hello).encode()))
            with self._cond:
                self._client = sock
                self.connections += 1
                self._cond.notify_all()
            while True:
                opcode, data = _read_frame(sock)
                if opcode == PING:
                    with self._send_lock:
                        sock.sendall(_frame(PONG, data))
                elif opcode == CLOSE:
                    with self._send_lock:
                        sock.sendall(_frame(CLOSE, data[:2]))
                    return
                elif opcode == TEXT:
                    message = json.loads(data)
                    with self._cond:
                        self.acks[message.get("envelope_id", "")] = message
                        self._cond.notify_all()
        except (ConnectionError, OSError, ValueError):
            return
        finally:
            try:
                sock.close()
            except OSError:
                pass
