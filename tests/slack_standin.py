"""A local stand-in for Slack's Web API, for tests that go over the real wire.

``SlackStandIn`` serves Slack's Web API on 127.0.0.1 (a free port, a background
thread) and records every call, so a test can run the real Bolt app / slack_sdk
``WebClient`` against it (``SLACK_API_URL=standin.url`` or ``WebClient(base_url=...)``)
and assert what was sent where::

    with SlackStandIn() as slack:
        client = WebClient(token="xoxb-test", base_url=slack.url)
        client.chat_postMessage(channel="C1", text="hoi")
        [call] = slack.calls_to("chat.postMessage")
        assert call.params["text"] == "hoi"

What it offers:

- ``url``: the base URL, ending in ``/api/``.
- ``calls`` / ``calls_to(method)``: recorded calls (``Call``: method, params, headers,
  body, path). ``params`` merges the query string with the JSON body or form fields;
  form fields that Slack takes as JSON text (``blocks``, ``attachments``, ``files``,
  ``metadata``) are decoded, so tests see the same shape for both encodings.
- ``wait_for(method, count=1, timeout=5.0)``: block until that many calls arrived
  (for replies sent after the ack, e.g. through ``response_url``).
- ``fail(method, status=429, retry_after=1, times=1, body=None)``: the next ``times``
  calls of ``method`` get that HTTP status (429 with a ``Retry-After`` header).
  ``status=200`` with ``body={"ok": False, "error": "..."}`` makes an API-level error.
- ``response_url(name="r1")``: a URL on the stand-in; POSTs to it are recorded as
  calls with method ``"response_url"`` (the name is in ``call.path``).
- ``answer(method, payload)``: replace the default answer of a method (a dict, or a
  callable taking the params dict and returning one).
- Default answers are ``{"ok": true, ...}`` with the fields slack_sdk and Bolt read:
  ``auth.test`` (user_id, bot_id, team_id), ``chat.postMessage`` / ``chat.postEphemeral``
  / ``chat.update`` (channel, ts incrementing), ``files.getUploadURLExternal``
  (an ``upload_url`` on the stand-in, ``file_id``), ``files.completeUploadExternal``
  (``files``), ``views.publish`` (the ``view`` with an id and hash), ``conversations.*``
  (``conversations.open``: a new ``D…`` channel); uploads to ``upload_url`` are recorded as method
  ``"upload"``. Any other method answers ``{"ok": true}``.

Only the standard library: it has no dependencies.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

TEAM_ID = "T0STANDIN"
BOT_USER_ID = "U0STANDINBOT"
BOT_ID = "B0STANDIN"

# Form fields Slack accepts as JSON text; decoded so tests read lists/dicts either way.
_JSON_FIELDS = ("blocks", "attachments", "files", "metadata", "view", "prompts")

Payload = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class Call:
    """One request the stand-in received."""

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    body: bytes
    path: str = ""

    def json(self) -> Any:
        """The body parsed as JSON (for response_url posts)."""
        return json.loads(self.body or b"null")


@dataclass
class _Failure:
    status: int
    retry_after: int | None
    times: int
    body: Any


@dataclass
class _State:
    calls: list[Call] = field(default_factory=list)
    failures: dict[str, list[_Failure]] = field(default_factory=dict)
    answers: dict[str, Payload] = field(default_factory=dict)
    lock: threading.Condition = field(default_factory=threading.Condition)
    counter: itertools.count = field(default_factory=lambda: itertools.count(1))


def _parse_params(query: str, body: bytes, content_type: str) -> dict[str, Any]:
    params: dict[str, Any] = {k: v[-1] for k, v in parse_qs(query).items()}
    if not body:
        return params
    if "application/json" in content_type:
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if isinstance(data, dict):
            params.update(data)
    elif "application/x-www-form-urlencoded" in content_type:
        form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        params.update({k: v[-1] for k, v in form.items()})
    for key in _JSON_FIELDS:
        if isinstance(params.get(key), str):
            try:
                params[key] = json.loads(params[key])
            except ValueError:
                pass
    return params


class SlackStandIn:
    """Slack's Web API on 127.0.0.1, recording every call. Use as a context manager."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._state = _State()
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="slack-standin", daemon=True
        )
        bound_host, bound_port = self._server.server_address[:2]
        self.origin = f"http://{bound_host}:{bound_port}"
        self.url = f"{self.origin}/api/"

    # -- lifecycle ----------------------------------------------------------------

    def start(self) -> SlackStandIn:
        self._thread.start()
        return self

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what tests use -----------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        with self._state.lock:
            return list(self._state.calls)

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """The calls to ``method`` once there are at least ``count``; AssertionError on timeout."""

        def enough() -> bool:
            return sum(c.method == method for c in self._state.calls) >= count

        with self._state.lock:
            if not self._state.lock.wait_for(enough, timeout=timeout):
                seen = [c.method for c in self._state.calls]
                raise AssertionError(
                    f"expected {count} call(s) to {method} within {timeout}s; got {seen}"
                )
        return self.calls_to(method)

    def clear(self) -> None:
        with self._state.lock:
            self._state.calls.clear()

    def fail(
        self,
        method: str,
        status: int = 429,
        retry_after: int | None = 1,
        times: int = 1,
        body: Any = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` answer with HTTP ``status``."""
        with self._state.lock:
            self._state.failures.setdefault(method, []).append(
                _Failure(status, retry_after if status == 429 else None, times, body)
            )

    def answer(self, method: str, payload: Payload) -> None:
        """Replace the default answer of ``method`` (a dict or ``params -> dict``)."""
        with self._state.lock:
            self._state.answers[method] = payload

    def response_url(self, name: str = "r1") -> str:
        return f"{self.origin}/response_url/{name}"

    # -- serving ------------------------------------------------------------------

    def _next(self) -> int:
        with self._state.lock:
            return next(self._state.counter)

    def _ts(self) -> str:
        n = self._next()
        return f"{1700000000 + n}.{n:06d}"

    def _default_answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        channel = params.get("channel", "C0STANDIN")
        if method == "auth.test":
            return {
                "url": "https://econ071-standin.slack.com/",
                "team": "Economie071 (stand-in)",
                "user": "econ071",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        if method in ("chat.postMessage", "chat.update", "chat.meMessage"):
            ts = params.get("ts") if method == "chat.update" else None
            ts = ts or self._ts()
            message = {
                "type": "message",
                "user": BOT_USER_ID,
                "bot_id": BOT_ID,
                "text": params.get("text", ""),
                "ts": ts,
            }
            if "blocks" in params:
                message["blocks"] = params["blocks"]
            if params.get("thread_ts"):
                message["thread_ts"] = params["thread_ts"]
            return {"channel": channel, "ts": ts, "message": message, "text": message["text"]}
        if method == "chat.postEphemeral":
            ts = self._ts()
            return {"channel": channel, "ts": ts, "message_ts": ts}
        if method == "chat.scheduleMessage":
            return {"channel": channel, "scheduled_message_id": f"Q{self._next():08d}"}
        if method == "chat.delete":
            return {"channel": channel, "ts": params.get("ts", "")}
        if method == "chat.getPermalink":
            ts = str(params.get("message_ts", "")).replace(".", "")
            return {"channel": channel, "permalink": f"{self.origin}/archives/{channel}/p{ts}"}
        if method == "files.getUploadURLExternal":
            file_id = f"F{self._next():08d}"
            return {"upload_url": f"{self.origin}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = params.get("files") or []
            return {
                "files": [
                    {"id": f.get("id"), "title": f.get("title", ""), "name": f.get("title", "")}
                    for f in files
                    if isinstance(f, dict)
                ]
            }
        if method == "views.publish":
            view = params.get("view")
            if isinstance(view, str):
                view = json.loads(view)
            n = self._next()
            return {"view": {**(view or {}), "id": f"V{n:08d}", "hash": f"{n}.hash",
                             "team_id": TEAM_ID}}  # fmt: skip
        if method == "conversations.info":
            return {
                "channel": {
                    "id": channel,
                    "name": "standin",
                    "is_channel": True,
                    "is_member": True,
                    "is_im": str(channel).startswith("D"),
                }
            }
        if method in ("conversations.join",):
            return {"channel": {"id": channel, "name": "standin", "is_member": True}}
        if method == "conversations.open":
            return {"channel": {"id": f"D{self._next():08d}"}}
        if method == "conversations.list":
            return {"channels": [], "response_metadata": {"next_cursor": ""}}
        if method in ("conversations.history", "conversations.replies"):
            return {"messages": [], "has_more": False, "response_metadata": {"next_cursor": ""}}
        if method == "conversations.members":
            return {"members": [], "response_metadata": {"next_cursor": ""}}
        return {}

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        split = urlsplit(request.path)
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        headers = {k: v for k, v in request.headers.items()}
        content_type = request.headers.get("Content-Type", "")
        path = split.path
        if path.startswith("/api/"):
            method = path[len("/api/") :]
        elif path.startswith("/response_url/"):
            method = "response_url"
        elif path.startswith("/upload/"):
            method = "upload"
        else:
            request.send_error(404)
            return
        params = _parse_params(split.query, body, content_type)
        with self._state.lock:
            self._state.calls.append(Call(method, params, headers, body, path))
            self._state.lock.notify_all()
            failure = None
            queue = self._state.failures.get(method)
            if queue:
                failure = queue[0]
                failure.times -= 1
                if failure.times <= 0:
                    queue.pop(0)
            custom = self._state.answers.get(method)

        if failure is not None:
            payload = failure.body
            if payload is None:
                error = "ratelimited" if failure.status == 429 else f"http_{failure.status}"
                payload = {"ok": False, "error": error}
            extra = {}
            if failure.retry_after is not None:
                extra = {"Retry-After": str(failure.retry_after)}
            self._send(request, failure.status, payload, extra)
            return
        if method in ("response_url", "upload"):
            # Slack answers these with a plain "ok".
            self._send(request, 200, b"ok" if custom is None else custom)
            return
        if custom is not None:
            payload = custom(params) if callable(custom) else custom
            self._send(request, 200, payload)
            return
        self._send(request, 200, {"ok": True, **self._default_answer(method, params)})

    @staticmethod
    def _send(
        request: BaseHTTPRequestHandler,
        status: int,
        payload: Any,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        if isinstance(payload, bytes):
            data, content_type = payload, "text/plain; charset=utf-8"
        elif isinstance(payload, str):
            data, content_type = payload.encode(), "text/plain; charset=utf-8"
        else:
            data, content_type = json.dumps(payload).encode(), "application/json; charset=utf-8"
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(data)))
        for key, value in (extra_headers or {}).items():
            request.send_header(key, value)
        request.end_headers()
        request.wfile.write(data)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                standin._handle(self)

            def do_GET(self) -> None:  # noqa: N802
                standin._handle(self)

            def log_message(self, format: str, *args: Any) -> None:  # quiet in tests
                pass

        return Handler
