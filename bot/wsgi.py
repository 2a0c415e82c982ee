"""HTTP mode under a production WSGI server. Events, commands and interactions are
served at ``/slack/events`` (Bolt's WSGI adapter); ``/healthz`` answers 200 for a load
balancer. For example::

    gunicorn --workers 2 --worker-class gthread --threads 8 --bind 0.0.0.0:3000 'bot.wsgi:app'

``econ071 serve --http`` runs the same under gunicorn. Each worker process builds its
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

from bot.settings import HTTP, SettingsError, configure_logging, from_env
from indicators.errors import Econ071Error

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

log = logging.getLogger(__name__)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def create_wsgi_app(env: Mapping[str, str] | None = None) -> WSGIApp:
    """The WSGI application for HTTP mode, from the settings in ``env`` (os.environ)."""
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    from bot.app import create_app
    from bot.assistant import Assistant
    from indicators.engine import Engine

    settings = from_env(env, mode=HTTP)
    configure_logging(settings.secrets)
    db = (os.environ if env is None else env).get("ECON071_DB")
    engine = Engine(Path(db).expanduser() if db else None)
    assistant = Assistant(settings, engine)
    handler = SlackRequestHandler(create_app(settings, engine, assistant), path=EVENTS_PATH)

    # Bolt logs a refused request with its whole body (user names, the question); say
    # only that it happened, and what to check.
    logging.getLogger("slack_bolt.RequestVerification").setLevel(logging.WARNING)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") == "GET":
            start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
            return [b"ok"]

        def start(status: str, headers: list, *args: Any) -> Any:
            if status.startswith("401"):
                log.warning(
                    "refused a request without a valid, recent Slack signature"
                    " (if Slack's own requests are refused: check SLACK_SIGNING_SECRET and the clock)"
                )
            return start_response(status, headers, *args)

        return handler(environ, start)

    application.bolt_app = handler.app  # type: ignore[attr-defined]
    application.assistant = assistant  # type: ignore[attr-defined]
    return application


def _load() -> WSGIApp:
    from bot.boundary import failure

    try:
        return create_wsgi_app()
    except (SettingsError, Econ071Error, sqlite3.Error, OSError) as exc:
        configure_logging()  # the same one line as the command line (bot.boundary)
        logging.getLogger("econ071").critical("%s", failure(exc).message)
        sys.exit(4)  # gunicorn's "App failed to load": stop rather than restart forever


_app: WSGIApp | None = None


def __getattr__(name: str) -> Any:
    # gunicorn looks up 'bot.wsgi:app' with getattr: build the app then, once per worker.
    global _app
    if name == "app":
        if _app is None:
            _app = _load()
        return _app
    raise AttributeError(name)
