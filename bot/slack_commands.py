"""``econ071 serve`` (the Slack app), ``econ071 vragen`` (the question log) and
``econ071 manifest`` (the Slack app manifest).

Slack, gunicorn and the engine are imported inside the commands, so that
``econ071 ask`` never loads them.
"""

from __future__ import annotations

import json
import signal
import threading
from datetime import date, datetime
from typing import Any

import click

DEFAULT_PORT = 3000
DEFAULT_WORKERS = 2
DEFAULT_THREADS = 8


def _settings(mode: str):
    from bot.settings import SettingsError, configure_logging, from_env

    try:
        settings = from_env(mode=mode)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    configure_logging(settings.secrets)
    return settings


def _checked(fn, *args: Any) -> Any:
    """Errors end the command as one line with its exit status (bot.boundary)."""
    from bot.boundary import boundary

    with boundary():
        return fn(*args)


@click.command()
@click.option(
    "--http",
    "http_mode",
    is_flag=True,
    help="HTTP mode (production): serve /slack/events with gunicorn. "
    "Needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET.",
)
@click.option("--host", default="0.0.0.0", show_default=True, help="HTTP mode: address to bind.")
@click.option(
    "--port",
    type=int,
    default=DEFAULT_PORT,
    envvar="PORT",
    show_default=True,
    help="HTTP mode: port to bind (or $PORT).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=DEFAULT_WORKERS,
    show_default=True,
    help="HTTP mode: gunicorn worker processes (each keeps one engine).",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 256),
    default=DEFAULT_THREADS,
    show_default=True,
    help="HTTP mode: threads per worker.",
)
def serve(http_mode: bool, host: str, port: int, workers: int, threads: int) -> None:
    """Run the Slack app: Socket Mode by default (SLACK_BOT_TOKEN and SLACK_APP_TOKEN),
    or HTTP mode behind gunicorn with --http. See docs/slack.md."""
    from bot.settings import HTTP, SOCKET

    if http_mode:
        _serve_http(_settings(HTTP), host, port, workers, threads)
    else:
        _serve_socket(_settings(SOCKET))


def _serve_socket(settings) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.app import create_app
    from indicators.engine import Engine

    engine = _checked(Engine)
    app = _checked(create_app, settings, engine)
    from bot.scheduler import start_from_env

    _checked(start_from_env, engine)  # the weekly summary, when ECON071_SUMMARY_CHANNEL is set
    handler = SocketModeHandler(app, settings.app_token)
    stop = threading.Event()
    # systemd stops with SIGTERM: close the connection and let answers under way finish
    # (the background pools are joined at exit) instead of dying mid-answer.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    handler.connect()
    click.echo("econ071: Socket Mode, verbonden met Slack. Ctrl-C stopt.", err=True)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        handler.close()


def _serve_http(settings, host: str, port: int, workers: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication
    from slack_sdk.errors import SlackApiError

    from bot.app import web_client
    from indicators.engine import Engine

    # Check everything once here, so that a bad setting is one clear line instead of
    # every worker failing to boot; and build the store once, before the workers open it.
    engine = _checked(Engine)
    try:
        web_client(settings).auth_test()
    except SlackApiError as exc:
        code = exc.response.get("error") or f"HTTP {exc.response.status_code}"
        raise click.ClickException(f"SLACK_BOT_TOKEN was refused by Slack ({code})") from None
    except OSError as exc:
        where = "SLACK_API_URL" if settings.api_url else "slack.com"
        raise click.ClickException(f"Slack's Web API ({where}) cannot be reached: {exc}") from None

    from bot.scheduler import start_from_env

    # The weekly summary runs in this (master) process, not in every worker.
    _checked(start_from_env, engine)
    options = gunicorn_options(host, port, workers, threads)

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                if key in self.cfg.settings:  # settings of newer gunicorns only where known
                    self.cfg.set(key, value)

        def load(self):
            from bot import wsgi

            return wsgi.app

    click.echo(
        f"econ071: HTTP mode on http://{host}:{port}/slack/events "
        f"({workers} workers × {threads} threads)",
        err=True,
    )
    Server().run()


def gunicorn_options(host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    """The gunicorn settings of HTTP mode (the same as the command in docs/slack.md)."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 30,
        "graceful_timeout": 30,
        "keepalive": 5,
        "errorlog": "-",
        "loglevel": "info",
        # gunicorn >= 25.1 opens a control socket in $HOME; one fixed path per user would
        # clash between two servers on one machine, and nothing here uses it.
        "control_socket_disable": True,
    }


@click.command()
@click.option(
    "--http",
    "request_url",
    metavar="URL",
    help="Print the HTTP-mode variant, with this public request URL "
    "(e.g. https://econ071.gemeente.nl/slack/events).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of YAML.")
def manifest(request_url: str | None, as_json: bool) -> None:
    """Print the Slack app manifest (manifest.yml; Socket Mode unless --http URL)."""
    import yaml

    from bot import manifest as slack_manifest

    data = slack_manifest.load()
    if request_url:
        try:
            data = slack_manifest.for_http(data, request_url)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--http") from None
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), nl=False)


STATUS_LABELS = {
    "not found": "geen antwoord",
    "clarify": "wedervraag",
    "error": "fout",
    "answered": "beantwoord",
}


@click.command()
@click.option(
    "--sinds",
    "since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Only questions asked on or after this date (YYYY-MM-DD).",
)
@click.option("--limit", type=click.IntRange(min=1), help="Show at most this many questions.")
@click.option("--json", "as_json", is_flag=True, help="Print the questions as JSON.")
def vragen(since: datetime | None, limit: int | None, as_json: bool) -> None:
    """List the questions asked in Slack, unanswered first, e.g. econ071 vragen --sinds 2025-01-01."""
    from indicators import paths
    from indicators.questionlog import QuestionLog

    db = paths.db_path()
    if not db.exists():
        raise click.ClickException(f"no store at {db}; nothing has been asked yet")
    since_day: date | None = since.date() if since else None
    rows = QuestionLog(db).questions(since=since_day, limit=limit)
    if as_json:
        click.echo(json.dumps([r.__dict__ for r in rows], ensure_ascii=False, indent=2))
        return
    counts = {label: 0 for label in STATUS_LABELS.values()}
    for r in rows:
        label = STATUS_LABELS.get(r.status, r.status)
        counts[label] = counts.get(label, 0) + 1
    period = f" sinds {since_day.isoformat()}" if since_day else ""
    summary = ", ".join(f"{n} {label}" for label, n in counts.items() if n)
    click.echo(f"{len(rows)} vragen{period}" + (f": {summary}" if summary else "") + ".")
    for r in rows:
        when = datetime.fromisoformat(r.asked_at).astimezone().strftime("%Y-%m-%d %H:%M")
        status = STATUS_LABELS.get(r.status, r.status)
        click.echo(
            f"{when}  {status:<13}  {r.surface or '-':<7}  {r.text}"
            + (f"  [{r.understood}]" if r.understood else "")
        )
