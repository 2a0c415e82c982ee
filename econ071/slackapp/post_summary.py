"""Post the weekly summary to a Slack channel: at most once per channel and ISO week.

    client = client_from_env()                 # SLACK_BOT_TOKEN, SLACK_API_URL
    outcome = post_summary(engine, "C0123", client)

The order of things is what makes it exactly once (see econ071.summary.ledger):
render, claim the week in the store, ``chat.postMessage``, record the message ts, then
upload the chart into the message's thread. Rate limits (429 with Retry-After), Slack's
500/503 and dropped connections are retried by slack_sdk's retry handlers; a post that
still fails gives the week back and raises ``PostFailed``, so the next run posts it. A
chart that cannot be drawn or uploaded is logged and the text goes out without it.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from econ071.answering.engine import Engine
from econ071.slackapp import slack_client
from econ071.slackapp.settings import (
    DEFAULT_BACKOFF,
    DEFAULT_RETRIES,
    RetryPolicy,
    SettingsError,
    retry_policy,
)
from econ071.summary import chart
from econ071.summary import content as summary
from econ071.summary import ledger as summary_ledger
from econ071.summary import model as summary_model
from econ071.summary import render as summary_render

log = logging.getLogger(__name__)


class NotConfigured(Exception):
    "A setting the post needs is missing; the message names it, never a token"


class PostFailed(Exception):
    "Slack did not take the summary; the week is not recorded, so the next run posts it"


@dataclass(frozen=True)
class Outcome:
    posted: bool
    channel: str
    week: str  # ISO week, e.g. 2026-W48
    reason: str  # what was done, or why nothing was
    message_ts: str | None = None
    chart_uploaded: bool = False
    chart_problem: str | None = None  # why the chart is missing, if it is


def make_client(
    token: str, base_url: str | None = None, *, retries: int = DEFAULT_RETRIES
) -> WebClient:
    """A WebClient (econ071.slackapp.slack_client's factory) that waits out rate limits (Retry-After)
    and retries server errors and dropped connections, up to ``retries`` times each."""
    policy = RetryPolicy(retries=retries, backoff=DEFAULT_BACKOFF)
    return slack_client.web_client(token, base_url, policy, timeout=30)


def client_from_env(env: Mapping[str, str] | None = None) -> WebClient:
    """The client from SLACK_BOT_TOKEN, SLACK_API_URL (default slack.com),
    ECON071_SLACK_RETRIES (default 5) and ECON071_SLACK_RETRY_BACKOFF."""
    env = os.environ if env is None else env
    token = env.get("SLACK_BOT_TOKEN", "").strip()
    if not token:
        raise NotConfigured("SLACK_BOT_TOKEN is not set: expected the bot token (xoxb-…)")
    base_url = env.get("SLACK_API_URL", "").strip() or None
    if base_url and not base_url.endswith("/"):
        base_url += "/"
    try:
        policy = retry_policy(env)
    except SettingsError as exc:
        raise NotConfigured(str(exc)) from None
    return slack_client.web_client(token, base_url, policy, timeout=30)


def post_summary(
    engine: Engine,
    channel: str,
    client: WebClient,
    *,
    now: datetime | None = None,
    force: bool = False,
) -> Outcome:
    """Post this week's summary to ``channel`` unless it is there already (``force``
    posts anyway). Raises ``PostFailed`` when Slack did not take the message."""
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    week = summary_model.Week.of(now)
    conn = summary_ledger.connect(engine.db_path)
    try:
        done = summary_ledger.posted(conn, channel, week.key)
        if done and not force:
            return _skipped(channel, week, summary_ledger.AlreadyPosted(done))
        content = summary.build(engine, now=now, channel=channel, week=week)
        rendered = summary_render.render_summary(content)
        png, chart_problem = _draw(content)
        try:
            held = summary_ledger.claim(conn, channel, week.key, now=now, force=force)
        except (summary_ledger.AlreadyPosted, summary_ledger.InProgress) as exc:
            return _skipped(channel, week, exc)
        try:
            response = client.chat_postMessage(
                channel=channel,
                text=rendered.text,
                blocks=summary_render.blocks(rendered),
                unfurl_links=False,
                unfurl_media=False,
            )
        except Exception as exc:
            summary_ledger.release(conn, held)
            raise PostFailed(_reason(exc)) from exc
        ts = str(response["ts"])
        spotlight = content.spotlight.indicator.id if content.spotlight else None
        try:
            summary_ledger.record(conn, held, message_ts=ts, spotlight=spotlight, now=now)
        except sqlite3.Error as exc:  # posted, but the store would not say so
            log.error("summary %s posted to %s (ts %s) but not recorded: %s; the claim"
                      " keeps other runs off this week", week.key, channel, ts, exc)  # fmt: skip
            raise
        uploaded = False
        if png is not None:
            chart_problem = _upload(client, channel, ts, png, content, rendered.chart_comment)
            uploaded = chart_problem is None
        what = "with its chart in the thread" if uploaded else "without a chart"
        return Outcome(
            True,
            channel,
            week.key,
            f"posted the summary for {week.key} to {channel} (ts {ts}), {what}",
            message_ts=ts,
            chart_uploaded=uploaded,
            chart_problem=chart_problem,
        )
    finally:
        conn.close()


def _skipped(channel: str, week: summary_model.Week, why: Exception) -> Outcome:
    hint = "; --force posts it again" if isinstance(why, summary_ledger.AlreadyPosted) else ""
    return Outcome(False, channel, week.key, f"nothing posted: {why}{hint}")


def _draw(content: summary_model.Summary) -> tuple[bytes | None, str | None]:
    spec = content.spotlight.chart if content.spotlight else None
    if spec is None:  # nothing to draw this week: no problem either
        return None, None
    try:
        return chart.png(spec), None
    except Exception as exc:  # a chart never holds up the text
        log.warning("chart for %s could not be drawn", spec.slug, exc_info=True)
        return None, f"the chart could not be drawn: {exc}"


def _upload(
    client: WebClient,
    channel: str,
    ts: str,
    png: bytes,
    content: summary_model.Summary,
    comment: str,
) -> str | None:
    """Upload the chart into the summary's thread; the problem, or None."""
    spec = content.spotlight.chart
    try:
        client.files_upload_v2(
            channel=channel,
            thread_ts=ts,
            file=png,
            filename=f"econ071-{content.week.key}-{spec.slug}.png",
            title=f"{spec.title} ({spec.subtitle})" if spec.subtitle else spec.title,
            alt_txt=chart.alt_text(spec),
            initial_comment=comment,
        )
    except Exception as exc:  # the text is out; the chart is a bonus
        log.warning("chart for %s not uploaded to %s: %s", content.week.key, channel, _reason(exc))
        return f"the chart could not be uploaded: {_reason(exc)}"
    return None


def _reason(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        status = getattr(exc.response, "status_code", None)
        error = exc.response.get("error") if exc.response is not None else None
        return f"Slack answered HTTP {status}: {error or 'error'}"
    return f"{type(exc).__name__}: {exc}"
