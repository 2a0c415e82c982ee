"""HTTP mode under a WSGI server, for a deployment that wants one: the same checks at
the door (econ071.slackapp.gate), the same Bolt app. ``econ071 serve --http`` runs the ASGI app
under uvicorn instead (econ071/slackapp/asgi.py): under a threaded WSGI server a slow client holds a
thread, so put this one only behind a reverse proxy that buffers whole requests::

    gunicorn --workers 2 --worker-class gthread --threads 8 --bind 127.0.0.1:3000 'econ071.slackapp.wsgi:app'

Each worker process builds its
own app and its one Engine when it loads ``app`` (not at import, so that importing
this module has no side effects).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from econ071.core.errors import Econ071Error
from econ071.slackapp import gate
from econ071.slackapp.settings import HTTP, SettingsError, configure_logging, from_env

EVENTS_PATH, HEALTH_PATH = gate.EVENTS_PATH, gate.HEALTH_PATH

log = logging.getLogger(__name__)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def create_wsgi_app(env: Mapping[str, str] | None = None) -> WSGIApp:
    """The WSGI application for HTTP mode, from the settings in ``env`` (os.environ).
    Every request passes econ071.slackapp.gate (404/405/413/401/400) before Bolt sees it."""
    from econ071.answering.engine import Engine
    from econ071.slackapp.app import create_app
    from econ071.slackapp.assistant import Assistant

    settings = from_env(env, mode=HTTP)
    configure_logging(settings.secrets)
    db = (os.environ if env is None else env).get("ECON071_DB")
    engine = Engine(Path(db).expanduser() if db else None)
    assistant = Assistant(settings, engine)
    bolt_app = create_app(settings, engine, assistant)
    secret = settings.signing_secret or ""

    # Bolt logs a refused request with its whole body (user names, the question); say
    # only that it happened, and what to check (econ071.slackapp.gate does).
    logging.getLogger("slack_bolt.RequestVerification").setLevel(logging.WARNING)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        headers = _headers(environ)
        method, path = environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")
        response = gate.before_body(method, path, headers)
        if response is None:
            body = _read(environ)
            response = gate.TOO_LARGE if body is None else gate.after_body(headers, body, secret)
            if response is None:
                response = gate.dispatch(bolt_app.dispatch, headers,
                                         environ.get("QUERY_STRING", ""), body)  # fmt: skip
        status = f"{response.status} {gate.REASONS.get(response.status, '')}".strip()
        start_response(status, response.header_list())
        return [response.body] if method != "HEAD" else []

    application.bolt_app = bolt_app  # type: ignore[attr-defined]
    application.assistant = assistant  # type: ignore[attr-defined]
    return application


def _headers(environ: Mapping[str, Any]) -> gate.Headers:
    headers = [(k[5:].replace("_", "-").lower(), str(v)) for k, v in environ.items()
               if k.startswith("HTTP_")]  # fmt: skip
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers.append((key.replace("_", "-").lower(), str(environ[key])))
    return headers


def _read(environ: Mapping[str, Any]) -> bytes | None:
    """The body, or None when it is larger than gate.MAX_BODY."""
    stream = environ["wsgi.input"]
    length = environ.get("CONTENT_LENGTH")
    if length:
        return stream.read(int(length))
    body = stream.read(gate.MAX_BODY + 1)  # chunked: the server ends the stream
    return None if len(body) > gate.MAX_BODY else body


def _load() -> WSGIApp:
    from econ071.store import health

    try:
        return create_wsgi_app()
    except (SettingsError, Econ071Error, sqlite3.Error, OSError) as exc:
        configure_logging()  # the same one line as the command line (econ071.cli.boundary)
        logging.getLogger("econ071").critical("%s", health.describe(exc)[0])
        sys.exit(4)  # gunicorn's "App failed to load": stop rather than restart forever


_app: WSGIApp | None = None


def __getattr__(name: str) -> Any:
    # gunicorn looks up 'econ071.slackapp.wsgi:app' with getattr: build the app then, once per worker.
    global _app
    if name == "app":
        if _app is None:
            _app = _load()
        return _app
    raise AttributeError(name)
