"""HTTP mode under uvicorn (ASGI): what ``econ071 serve --http`` runs.

Why not a thread per connection: a client that sends one byte a second holds a
gunicorn gthread worker's thread for as long as it likes, and 16 of them starved every
other request. Here a connection is a coroutine on an event loop until its request is
complete, so slow clients cost a socket each and nothing else:

1. the event loop reads the headers and the body (at most ``gate.MAX_BODY``; whoever
   needs more than ``gate.BODY_SECONDS`` to send it gets 408) and runs the cheap checks
   of ``econ071.slackapp.gate`` (404/405/413, signature → 401, malformed → 400);
2. only a complete, signed, well-formed request goes to a thread of a bounded pool
   (``ECON071_HTTP_THREADS``, ``--threads``), where Bolt dispatches it to a listener —
   the engine and every Slack Web API call stay off the event loop.

``/healthz`` answers ``ok``. One app (one engine) per worker process; for example::

    uvicorn --workers 2 --no-access-log --log-config /dev/null 'econ071.slackapp.asgi:app'
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from econ071.core.errors import Econ071Error
from econ071.slackapp import gate
from econ071.slackapp.settings import HTTP, SettingsError, configure_logging, from_env

DEFAULT_THREADS = 8
log = logging.getLogger(__name__)

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class _Disconnected(Exception):
    "The client went away before its body was complete"


class SlackASGI:
    """The ASGI application: econ071.slackapp.gate at the door, Bolt on a thread pool."""

    def __init__(self, bolt_app: Any, assistant: Any, secret: str, threads: int) -> None:
        self.bolt_app = bolt_app
        self.assistant = assistant
        self.secret = secret
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="econ071-request")

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _http(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        headers = [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope["headers"]]
        method, path = scope["method"], scope["path"]
        response = gate.before_body(method, path, headers)
        if response is None:
            try:
                body = await self._body(receive)
            except _Disconnected:
                return
            except TimeoutError:
                response = gate.TOO_SLOW
            else:
                response = gate.TOO_LARGE if body is None else None
            if response is None:
                response = gate.after_body(headers, body, self.secret)
            if response is None:
                query = scope.get("query_string", b"").decode("latin-1")
                loop = asyncio.get_running_loop()
                response = await loop.run_in_executor(
                    self.pool, gate.dispatch, self.bolt_app.dispatch, headers, query, body
                )
        raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.header_list()]
        await send({"type": "http.response.start", "status": response.status, "headers": raw})
        await send({"type": "http.response.body",
                    "body": response.body if method != "HEAD" else b""})  # fmt: skip

    @staticmethod
    async def _body(receive: Receive) -> bytes | None:
        """The whole body, or None when it is larger than gate.MAX_BODY; TimeoutError when
        it takes longer than gate.BODY_SECONDS."""
        chunks: list[bytes] = []
        size = 0
        async with asyncio.timeout(gate.BODY_SECONDS):
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    raise _Disconnected
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > gate.MAX_BODY:
                    return None
                chunks.append(chunk)
                if not message.get("more_body", False):
                    return b"".join(chunks)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                # Let answers under way be delivered before the process ends.
                await asyncio.get_running_loop().run_in_executor(None, self.close)
                await send({"type": "lifespan.shutdown.complete"})
                return

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.assistant.close()


def threads_from_env(env: Mapping[str, str]) -> int:
    raw = env.get("ECON071_HTTP_THREADS", "").strip() or str(DEFAULT_THREADS)
    if not raw.isdigit() or not 1 <= int(raw) <= 256:
        raise SettingsError("ECON071_HTTP_THREADS is malformed: expected a whole number, 1–256")
    return int(raw)


def create_asgi_app(env: Mapping[str, str] | None = None) -> SlackASGI:
    """The ASGI application for HTTP mode, from the settings in ``env`` (os.environ)."""
    from econ071.answering.engine import Engine
    from econ071.slackapp.app import create_app
    from econ071.slackapp.assistant import Assistant

    env = os.environ if env is None else env
    settings = from_env(env, mode=HTTP)
    threads = threads_from_env(env)
    configure_logging(settings.secrets)
    db = env.get("ECON071_DB")
    engine = Engine(Path(db).expanduser() if db else None)
    assistant = Assistant(settings, engine)
    bolt_app = create_app(settings, engine, assistant)
    # Bolt logs a refused request with its whole body; econ071.slackapp.gate says it in one line.
    logging.getLogger("slack_bolt.RequestVerification").setLevel(logging.WARNING)
    return SlackASGI(bolt_app, assistant, settings.signing_secret or "", threads)


_app: SlackASGI | None = None


def __getattr__(name: str) -> Any:
    # uvicorn looks up 'econ071.slackapp.asgi:app' with getattr: build the app then, once per worker.
    global _app
    if name == "app":
        if _app is None:
            try:
                _app = create_asgi_app()
            except (SettingsError, Econ071Error) as exc:
                configure_logging()
                logging.getLogger("econ071").critical("%s", exc)
                sys.exit(4)
        return _app
    raise AttributeError(name)
