"""``econ071 summary``: the weekly summary, printed (--dry-run) or posted (--post).

slack_sdk and matplotlib are imported inside the command, so that ``econ071 ask``
never loads them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from econ071.slackapp.settings import CHANNEL_ID


@click.command()
@click.option(
    "--dry-run",
    "mode",
    flag_value="dry-run",
    help="Print the summary and write the chart; post nothing.",
)
@click.option("--post", "mode", flag_value="post", help="Post the summary to --channel.")
@click.option(
    "--channel",
    envvar="ECON071_SUMMARY_CHANNEL",
    help="Slack channel ID (C…); default $ECON071_SUMMARY_CHANNEL.",
)
@click.option(
    "--force", is_flag=True, help="Post even if this week's summary is already in the channel."
)
@click.option(
    "--chart",
    "chart_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where --dry-run writes the chart (default: econ071-summary-<week>.png).",
)
@click.option("--week", help="With --dry-run: show the summary of another ISO week, e.g. 2026-W48.")
def summary(
    mode: str | None, channel: str | None, force: bool, chart_path: Path | None, week: str | None
) -> None:
    """The weekly summary for a channel: the spotlight of the week with a chart, what is
    new in the store and what was asked. Posted at most once per channel and ISO week
    (--force posts again). Needs SLACK_BOT_TOKEN (and SLACK_API_URL for another Web API)
    to post. See docs/summary.md."""
    if mode is None:
        raise click.UsageError("say what to do: --dry-run (print) or --post (post to --channel)")
    if channel and not CHANNEL_ID.fullmatch(channel):
        raise click.BadParameter(
            "expected a Slack channel ID such as C0123ABCD", param_hint="--channel"
        )
    if week and mode != "dry-run":
        raise click.UsageError("--week only goes with --dry-run: a post is always for this week")
    if mode == "dry-run":
        _dry_run(channel, chart_path, week)
    else:
        if not channel:
            raise click.UsageError("--post needs --channel (or ECON071_SUMMARY_CHANNEL)")
        _post(channel, force)


def _engine():
    from econ071.answering.engine import Engine

    return (
        Engine()
    )  # a store that cannot be used: one line from the boundary (econ071.cli.boundary)


def _dry_run(channel: str | None, chart_path: Path | None, week_text: str | None) -> None:
    from econ071.summary import chart, content
    from econ071.summary import ledger as summary_ledger
    from econ071.summary import model as summary_model
    from econ071.summary import render as summary_render

    try:
        week = summary_model.Week.parse(week_text) if week_text else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--week") from None
    engine = _engine()
    now = datetime.now(UTC)
    made = content.build(engine, now=now, channel=channel, week=week)
    rendered = summary_render.render_summary(made)
    click.echo(summary_render.text(made))
    click.echo("\n--- Block Kit (chat.postMessage blocks) ---")
    click.echo(json.dumps(summary_render.blocks(rendered), ensure_ascii=False, indent=2))
    click.echo()
    spec = made.spotlight.chart if made.spotlight else None
    if spec is None:
        click.echo("Chart: none this week (the spotlight has nothing to draw).")
    else:
        path = chart_path or Path(f"econ071-summary-{made.week.key}.png")
        try:
            chart.write(spec, path)
        except Exception as exc:  # the chart never holds up the text, here either
            click.echo(f"Chart: could not be drawn: {exc}", err=True)
        else:
            click.echo(f"Chart: written to {path} ({chart.alt_text(spec)})")
    if channel:
        conn = summary_ledger.connect(engine.db_path)
        try:
            done = summary_ledger.posted(conn, channel, made.week.key)
        finally:
            conn.close()
        if done:
            click.echo(f"Note: {summary_ledger.AlreadyPosted(done)}; --post would post nothing.")
    click.echo("Dry run: nothing was posted.")


def _post(channel: str, force: bool) -> None:
    from econ071.slackapp.post_summary import (
        NotConfigured,
        PostFailed,
        client_from_env,
        post_summary,
    )

    try:
        client = client_from_env()
    except NotConfigured as exc:
        raise click.ClickException(str(exc)) from None
    try:
        outcome = post_summary(_engine(), channel, client, force=force)
    except PostFailed as exc:
        raise click.ClickException(
            f"the summary was not posted to {channel}: {exc}. The week is not recorded,"
            " so the next run posts it."
        ) from None
    click.echo(outcome.reason[:1].upper() + outcome.reason[1:] + ".")
    if outcome.posted and outcome.chart_problem:
        click.echo(f"Warning: {outcome.chart_problem}.", err=True)
