"""Run the real Slack app in HTTP mode on 127.0.0.1 and talk to it as Slack does.

``HttpApp`` serves ``econ071.slackapp.asgi.create_asgi_app`` under uvicorn, as ``econ071 serve
--http`` does (or, with ``server="wsgi"``, ``econ071.slackapp.wsgi.create_wsgi_app`` with a threaded
wsgiref server, as gunicorn would); ``SlackSender`` signs and posts
slash commands, events and interactions exactly as Slack does (v0, HMAC-SHA256 of
``v0:{timestamp}:{body}`` with the signing secret). Slack's Web API is the
``SlackStandIn``.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import socket
import socketserver
import sqlite3
import threading
import time
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import requests
from slack_sdk.models.blocks import Block

SIGNING_SECRET = "8f742231b10e8888abcd99000111a5c3"
BOT_TOKEN = "xoxb-1111-2222-StandInBotTokenValue"
APP_TOKEN = "xapp-1-A0STANDIN-3333-StandInAppTokenValue"
TEAM_ID = "T0STANDIN"  # the stand-in's auth.test team
OTHER_TEAM_ID = "T0ELSEWHERE"
USER_ID = "U0ALICE"
CHANNEL_ID = "C0GENERAL"
BOT_USER_ID = "U0STANDINBOT"


def copy_store(store: Path, directory: Path) -> Path:
    """A private copy of a built store (SQLite's backup API: safe with WAL)."""
    target = directory / "econ071.sqlite"
    with closing(sqlite3.connect(store)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    return target


def assert_valid_blocks(blocks: Any) -> None:
    """Valid Block Kit: slack_sdk's block models accept every block, and the limits they
    do not check hold (at most 50 blocks, no empty text)."""
    assert isinstance(blocks, list) and blocks, blocks
    assert len(blocks) <= 50, f"{len(blocks)} blocks"
    for raw in blocks:
        parsed = Block.parse(raw)
        assert parsed is not None and type(parsed) is not Block, f"unknown block {raw}"
        parsed.validate_json()  # raises SlackObjectFormationError on a broken block
        for text in _texts(raw):
            assert text.strip(), f"empty text in {raw}"


def _texts(obj: Any) -> list[str]:
    if isinstance(obj, dict):
        found = [obj["text"]] if isinstance(obj.get("text"), str) else []
        return found + [t for v in obj.values() for t in _texts(v)]
    if isinstance(obj, list):
        return [t for v in obj for t in _texts(v)]
    return []


def all_text(blocks: Any) -> str:
    """Every text in a Block Kit payload, joined (for asserting what a user reads)."""
    return "\n".join(_texts(blocks))


def signature(body: bytes, timestamp: int | str, secret: str = SIGNING_SECRET) -> str:
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(
    body: bytes, content_type: str, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    ts = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": signature(body, ts, secret),
    }


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 64


class HttpApp:
    """The app in HTTP mode on a free port of 127.0.0.1 (a context manager)."""

    def __init__(self, env: Mapping[str, str], server: str = "asgi") -> None:
        if server == "asgi":
            from econ071.slackapp.asgi import create_asgi_app

            self.app: Any = create_asgi_app(env)
            self._uvicorn, self._server, port = _uvicorn(self.app)
            self._thread = threading.Thread(target=self._uvicorn.run,
                                            kwargs={"sockets": [self._server]}, daemon=True)  # fmt: skip
        else:
            from econ071.slackapp.wsgi import create_wsgi_app

            self.app = create_wsgi_app(env)
            self._uvicorn = None
            self._server = make_server("127.0.0.1", 0, self.app,
                                       server_class=_ThreadingWSGIServer,
                                       handler_class=_QuietHandler)  # fmt: skip
            port = self._server.server_port
            self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.bolt_app = self.app.bolt_app
        self.assistant = self.app.assistant
        self.url = f"http://127.0.0.1:{port}/slack/events"
        self.base = f"http://127.0.0.1:{port}"

    def __enter__(self) -> HttpApp:
        self._thread.start()
        if self._uvicorn is not None:
            deadline = time.monotonic() + 10
            while not self._uvicorn.started and time.monotonic() < deadline:
                time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._uvicorn is not None:
            self._uvicorn.should_exit = True
            self._thread.join(timeout=10)
            self._server.close()
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _uvicorn(app: Any) -> tuple[Any, socket.socket, int]:
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="on",
                            timeout_keep_alive=5, timeout_graceful_shutdown=5)  # fmt: skip
    return uvicorn.Server(config), sock, sock.getsockname()[1]


class SlackSender:
    """Posts what Slack posts: signed slash commands, events and block actions."""

    _ids = itertools.count(1)

    def __init__(self, url: str, secret: str = SIGNING_SECRET) -> None:
        self.url = url
        self.secret = secret
        self.session = requests.Session()

    def post(
        self,
        body: bytes,
        content_type: str,
        *,
        secret: str | None = None,
        timestamp: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        signed: bool = True,
        timeout: float = 10,
    ) -> requests.Response:
        headers = signed_headers(body, content_type, secret or self.secret, timestamp)
        if not signed:
            headers = {"Content-Type": content_type}
        headers.update(extra_headers or {})
        # A fresh connection per request, as Slack's requests come.
        return requests.post(self.url, data=body, headers=headers, timeout=timeout)

    def command(
        self,
        text: str,
        response_url: str,
        *,
        user_id: str = USER_ID,
        channel_id: str = CHANNEL_ID,
        team_id: str = TEAM_ID,
        command: str = "/071",
        **kwargs: Any,
    ) -> requests.Response:
        n = next(self._ids)
        form = {
            "token": "legacy-verification-token",
            "team_id": team_id,
            "team_domain": "econ071",
            "channel_id": channel_id,
            "channel_name": "general",
            "user_id": user_id,
            "user_name": "alice",
            "command": command,
            "text": text,
            "api_app_id": "A0STANDIN",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": f"{n}.1234.abcdef",
        }
        body = urlencode(form).encode()
        return self.post(body, "application/x-www-form-urlencoded", **kwargs)

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        team_id: str = TEAM_ID,
        **kwargs: Any,
    ) -> requests.Response:
        payload = {
            "token": "legacy-verification-token",
            "team_id": team_id,
            "api_app_id": "A0STANDIN",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(self._ids):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": team_id, "user_id": BOT_USER_ID, "is_bot": True}],
        }
        return self.post(json.dumps(payload).encode(), "application/json", **kwargs)

    def action(
        self,
        value: str,
        response_url: str,
        *,
        action_id: str = "econ071_share",
        block_id: str = "econ071_tools",
        user_id: str = USER_ID,
        channel_id: str = CHANNEL_ID,
        team_id: str = TEAM_ID,
        message_ts: str = "1700000000.000100",
        thread_ts: str | None = None,
        ephemeral: bool = True,
        select: bool = False,
        home: bool = False,
        **kwargs: Any,
    ) -> requests.Response:
        """A signed block_actions payload: a button (or a ``select``'s option) clicked in
        an ephemeral message, a channel message (``ephemeral=False``, in ``thread_ts``),
        a DM (a ``D…`` channel) or on the App Home (``home``)."""
        if select:
            action = {"type": "static_select", "action_id": action_id, "block_id": block_id,
                      "selected_option": {"text": {"type": "plain_text", "text": value[:75]},
                                          "value": value},
                      "placeholder": {"type": "plain_text", "text": "Kies"},
                      "action_ts": f"{time.time():.6f}"}  # fmt: skip
        else:
            action = {"action_id": action_id, "block_id": block_id,
                      "text": {"type": "plain_text", "text": value[:75], "emoji": True},
                      "value": value, "type": "button",
                      "action_ts": f"{time.time():.6f}"}  # fmt: skip
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user_id, "username": "alice", "name": "alice", "team_id": team_id},
            "api_app_id": "A0STANDIN",
            "token": "legacy-verification-token",
            "trigger_id": f"{next(self._ids)}.1234.abcdef",
            "team": {"id": team_id, "domain": "econ071"},
            "actions": [action],
        }
        if home:
            payload["container"] = {"type": "view", "view_id": "V0HOME"}
            payload["view"] = {"id": "V0HOME", "type": "home", "hash": "1.home", "blocks": []}
        else:
            container = {"type": "message", "message_ts": message_ts, "channel_id": channel_id,
                         "is_ephemeral": ephemeral}  # fmt: skip
            if thread_ts:
                container["thread_ts"] = thread_ts
            payload["container"] = container
            payload["channel"] = {"id": channel_id, "name": "general"}
            payload["response_url"] = response_url
            if not ephemeral:
                message = {"type": "message", "ts": message_ts, "text": "", "user": BOT_USER_ID}
                if thread_ts:
                    message["thread_ts"] = thread_ts
                payload["message"] = message
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, "application/x-www-form-urlencoded", **kwargs)


def message_event(
    text: str,
    *,
    channel: str = CHANNEL_ID,
    ts: str = "1700000100.000100",
    user: str = USER_ID,
    kind: str = "app_mention",
    channel_type: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    event = {"type": kind, "user": user, "text": text, "ts": ts, "channel": channel,
             "event_ts": ts, "team": TEAM_ID, **extra}  # fmt: skip
    if channel_type:
        event["channel_type"] = channel_type
    return event
