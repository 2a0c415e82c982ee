"""``econ071 serve`` (the Slack app), ``econ071 vragen`` (the question log) and
``econ071 manifest`` (the Slack app manifest).

Slack, uvicorn and the engine are imported inside the commands, so that
``econ071 ask`` never loads them.
"""

from __future__ import annotations

import json
import os
import signal
import threading
from datetime import date, datetime
from typing import Any

import click

from econ071.core.answer import Status

DEFAULT_PORT = 3000
DEFAULT_WORKERS = 2
DEFAULT_THREADS = 8  # per worker: Bolt's listeners, off the event loop


def _settings(mode: str):
    from econ071.slackapp.settings import SettingsError, configure_logging, from_env

    try:
        settings = from_env(mode=mode)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    configure_logging(settings.secrets)
    return settings


def _checked(fn, *args: Any) -> Any:
    """Errors end the command as one line with its exit status (econ071.cli.boundary)."""
    from econ071.cli.boundary import boundary

    with boundary():
        return fn(*args)


@click.command()
@click.option(
    "--http",
    "http_mode",
    is_flag=True,
    help="HTTP mode (production): serve /slack/events with uvicorn (ASGI). "
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
    help="HTTP mode: uvicorn worker processes (each keeps one engine).",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 256),
    default=DEFAULT_THREADS,
    show_default=True,
    help="HTTP mode: threads per worker that run the listeners (connections wait on "
    "the event loop, not in a thread).",
)
def serve(http_mode: bool, host: str, port: int, workers: int, threads: int) -> None:
    """Run the Slack app: Socket Mode by default (SLACK_BOT_TOKEN and SLACK_APP_TOKEN),
    or HTTP mode under uvicorn with --http. See docs/slack.md."""
    from econ071.slackapp.settings import HTTP, SOCKET

    if http_mode:
        _serve_http(_settings(HTTP), host, port, workers, threads)
    else:
        _serve_socket(_settings(SOCKET))


def _serve_socket(settings) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from econ071.answering.engine import Engine
    from econ071.slackapp.app import create_app

    engine = _checked(Engine)
    app = _checked(create_app, settings, engine)
    _start_schedules(engine, app.client)
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

    from slack_sdk.errors import SlackApiError

    from econ071.answering.engine import Engine
    from econ071.slackapp.app import web_client

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

    # The weekly summary and the CBS sync run in this (supervising) process, not in every
    # worker.
    _start_schedules(engine, web_client(settings))
    os.environ["ECON071_HTTP_THREADS"] = str(
        threads
    )  # read by every worker (econ071.slackapp.asgi)
    click.echo(
        f"econ071: HTTP mode on http://{host}:{port}/slack/events "
        f"(uvicorn, {workers} worker{'s' if workers > 1 else ''} × {threads} threads)",
        err=True,
    )
    run_uvicorn("econ071.slackapp.asgi:app", host, port, workers)


def _start_schedules(engine, client) -> None:
    """The daily CBS sync (ECON071_SYNC_CRON; off: none) and the weekly summary (when
    ECON071_SUMMARY_CHANNEL is set), which syncs first."""
    from econ071.slackapp.scheduler import start_from_env
    from econ071.slackapp.sync_schedule import start_sync_from_env

    _, sync_job = _checked(start_sync_from_env, engine, client)
    _checked(start_from_env, engine, None, sync_job)


def run_uvicorn(app: str, host: str, port: int, workers: int) -> None:
    """Serve the ASGI ``app`` (an import string) with uvicorn: one process, or a
    supervisor and ``workers`` processes sharing one listening socket.

    The socket is made here, not by uvicorn: uvicorn's own (for --workers) is created
    without IPPROTO_TCP, so asyncio never sets TCP_NODELAY on its connections and every
    response waited ~40 ms for a delayed ACK (Nagle)."""
    import socket

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(app, **uvicorn_options(host, port, workers))
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.set_inheritable(True)
    if workers > 1:
        Multiprocess(config, sockets=[sock]).run()
    else:
        uvicorn.Server(config).run(sockets=[sock])


def uvicorn_options(host: str, port: int, workers: int) -> dict[str, Any]:
    """The uvicorn settings of HTTP mode (the same as the command in docs/slack.md)."""
    return {
        "host": host,
        "port": port,
        "workers": workers,
        "log_config": None,  # our logging (econ071.slackapp.settings.configure_logging: tokens redacted)
        "access_log": False,  # the question log says what was asked, without names
        "timeout_keep_alive": 5,
        "timeout_graceful_shutdown": 30,
        "lifespan": "on",
        "server_header": False,
        "backlog": 2048,
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

    from econ071.slackapp import manifest as slack_manifest

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
    Status.NOT_FOUND: "geen antwoord",
    Status.CLARIFY: "wedervraag",
    Status.ERROR: "fout",
    Status.UNDELIVERED: "niet bezorgd",
    Status.ANSWERED: "beantwoord",
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
@click.option(
    "--csv", "as_csv", is_flag=True, help="Print the questions as CSV (for a spreadsheet)."
)
def vragen(since: datetime | None, limit: int | None, as_json: bool, as_csv: bool) -> None:
    """List the questions asked in Slack: answers marked unhelpful (👎) first, then the
    unanswered, e.g. econ071 vragen --sinds 2025-01-01.

    Logged text is printed cleaned: control characters made visible (ESC as ␛), format
    characters such as bidirectional overrides removed (econ071.core.cleantext)."""
    from econ071.core import paths
    from econ071.store import health
    from econ071.store.questionlog import QuestionLog

    db = paths.db_path()
    if not db.exists():
        raise click.ClickException(f"no store at {db}; nothing has been asked yet")
    if reason := health.check(db):  # the log's older rows may still be in it
        raise health.StoreProblem(health.DAMAGED, health.message(health.DAMAGED, db, reason, db))
    since_day: date | None = since.date() if since else None
    rows = [_printable(r) for r in QuestionLog(db).questions(since=since_day, limit=limit)]
    if as_json:
        click.echo(json.dumps([r.__dict__ for r in rows], ensure_ascii=False, indent=2))
        return
    if as_csv:
        _csv(rows)
        return
    counts = {label: 0 for label in STATUS_LABELS.values()}
    for r in rows:
        label = STATUS_LABELS.get(r.status, r.status)
        counts[label] = counts.get(label, 0) + 1
    period = f" sinds {since_day.isoformat()}" if since_day else ""
    marked = sum(1 for r in rows if r.unhelpful)
    if marked:
        counts["als niet nuttig gemarkeerd"] = marked
    summary = ", ".join(f"{n} {label}" for label, n in counts.items() if n)
    click.echo(f"{len(rows)} vragen{period}" + (f": {summary}" if summary else "") + ".")
    for r in rows:
        when = datetime.fromisoformat(r.asked_at).astimezone().strftime("%Y-%m-%d %H:%M")
        status = STATUS_LABELS.get(r.status, r.status)
        flag = f"niet nuttig ({r.unhelpful}×)  " if r.unhelpful else ""
        click.echo(
            f"{when}  {status:<13}  {r.surface or '-':<7}  {flag}{r.text}"
            + (f"  [{r.understood}]" if r.understood else "")
        )


def _printable(row: Any) -> Any:
    """A logged question with every text field cleaned for a terminal or a spreadsheet:
    one line each, no control or format characters."""
    import dataclasses

    from econ071.core.cleantext import clean

    fields = {k: clean(v, newlines=False) for k, v in row.__dict__.items() if isinstance(v, str)}
    return dataclasses.replace(row, **fields)


def _csv(rows: list[Any]) -> None:
    """The questions as CSV. A text a spreadsheet would take for a formula (=, +, -, @)
    is prefixed with a single quote, as OWASP recommends against CSV injection."""
    import csv
    import io

    columns = ["asked_at", "status", "surface", "text", "understood", "user_hash"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for r in rows:
        cells = ["" if getattr(r, c) is None else str(getattr(r, c)) for c in columns]
        writer.writerow(["'" + c if c[:1] in ("=", "+", "-", "@") else c for c in cells])
    click.echo(out.getvalue(), nl=False)
