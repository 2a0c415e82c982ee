"""`econ071 summary` against the local stand-in for Slack's Web API, over the real wire:
dry-run posts nothing, a post reaches chat.postMessage with valid Block Kit and the chart
in its thread, a week is posted once (however often or however many at once), rate
limits are waited out, and a post that fails leaves the week to the next run."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from slack_sdk.models.blocks import Block
from slack_standin import SlackStandIn

from econ071.answering.engine import Engine
from econ071.cli.main import main
from econ071.slackapp.post_summary import make_client, post_summary
from econ071.store import opsdb
from econ071.summary import content as summary_content
from econ071.summary import model as summary_model

CHANNEL = "C0SUMMARY"
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def db(store_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the session's store, as ECON071_DB."""
    monkeypatch.setenv("ECON071_DB", str(store_copy))
    return store_copy


@pytest.fixture
def slack(slack_api: SlackStandIn, monkeypatch: pytest.MonkeyPatch) -> SlackStandIn:
    """The module's stand-in (calls cleared) as the Web API of `econ071 summary`."""
    slack_api.clear()
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-summary")
    monkeypatch.setenv("SLACK_API_URL", slack_api.url)
    monkeypatch.setenv("ECON071_SLACK_RETRIES", "1")
    monkeypatch.delenv("ECON071_SUMMARY_CHANNEL", raising=False)
    return slack_api


def summary(*args: str):
    return CliRunner().invoke(main, ["summary", *args], catch_exceptions=False)


def recorded(db: Path) -> list[tuple]:
    with closing(opsdb.connect(db)) as conn:  # the ledger's database, beside the store
        return conn.execute("SELECT channel, iso_week, message_ts FROM summaries").fetchall()


def claims(db: Path) -> list[tuple]:
    with closing(opsdb.connect(db)) as conn:
        return conn.execute("SELECT channel, iso_week FROM summary_claims").fetchall()


def assert_valid_block_kit(blocks: list[dict]) -> None:
    assert 0 < len(blocks) <= 50
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None, block
        parsed.validate_json()


def unemployment_week(engine: Engine) -> summary_model.Week:
    """A week whose spotlight is unemployment: CBS and UWV, two lines in the chart."""
    week = summary_model.Week.of(datetime.now(UTC))
    for _ in range(200):
        spot = summary_content.choose_spotlight(engine, week)
        if spot and spot.indicator.id == "werkloosheid":
            return week
        monday = week.monday + timedelta(weeks=1)
        week = summary_model.Week(*monday.isocalendar()[:2])
    raise AssertionError("unemployment is never in the spotlight")


def test_dry_run_posts_nothing_and_writes_the_chart(db, slack, tmp_path):
    week = unemployment_week(Engine(db))
    png = tmp_path / "chart.png"
    result = summary("--dry-run", "--channel", CHANNEL, "--chart", str(png), "--week", week.key)
    assert result.exit_code == 0, result.output
    assert slack.calls == []
    assert recorded(db) == [] and claims(db) == []
    assert f"Weekoverzicht 071 · week {week.number} van {week.year}" in result.output
    assert "Werkloosheid in het 071-gebied" in result.output
    assert "Dry run: nothing was posted." in result.output
    start = result.output.index("--- Block Kit")
    end = result.output.index("\n]\n", start) + 2
    assert_valid_block_kit(json.loads(result.output[result.output.index("[", start) : end]))
    data = png.read_bytes()
    assert data.startswith(PNG) and len(data) > 10_000
    assert f"Chart: written to {png} (Lijngrafiek van Werkloosheid" in result.output


def test_post_reaches_chat_postmessage_with_valid_block_kit(db, slack):
    result = summary("--post", "--channel", CHANNEL)
    assert result.exit_code == 0, result.output
    [post] = slack.calls_to("chat.postMessage")
    assert post.params["channel"] == CHANNEL
    assert post.headers["Authorization"] == "Bearer xoxb-test-summary"
    assert_valid_block_kit(post.params["blocks"])
    assert post.params["blocks"][0]["text"]["text"].startswith("Weekoverzicht 071 · week")
    assert "Cijfer van de week" in post.params["text"]
    [(channel, week, message_ts)] = recorded(db)
    assert channel == CHANNEL and message_ts
    assert claims(db) == []
    assert f"Posted the summary for {week} to {CHANNEL} (ts {message_ts})" in result.output
    assert "xoxb" not in result.output


def test_the_chart_goes_into_the_summarys_thread(db, slack):
    engine = Engine(db)
    week = unemployment_week(engine)
    monday = datetime(week.monday.year, week.monday.month, week.monday.day, 8, tzinfo=UTC)
    client = make_client("xoxb-test-summary", slack.url, retries=1)
    outcome = post_summary(engine, CHANNEL, client, now=monday)
    assert outcome.posted and outcome.chart_uploaded, outcome
    [post] = slack.calls_to("chat.postMessage")
    assert "Werkloosheid" in post.params["text"]
    # The three steps of files_upload_v2, into the summary's thread.
    [url] = slack.calls_to("files.getUploadURLExternal")
    assert url.params["filename"] == f"econ071-{week.key}-werkloosheid.png"
    assert int(url.params["length"]) > 10_000
    assert url.params["alt_txt"].startswith("Lijngrafiek van Werkloosheid")
    [upload] = slack.calls_to("upload")
    assert upload.body.startswith(PNG) and len(upload.body) == int(url.params["length"])
    [done] = slack.calls_to("files.completeUploadExternal")
    assert done.params["channel_id"] == CHANNEL
    assert done.params["thread_ts"] == outcome.message_ts
    assert done.params["initial_comment"].startswith("Grafiek bij het cijfer van de week")
    assert "Bronnen: CBS en UWV" in done.params["initial_comment"]
    assert recorded(db) == [(CHANNEL, week.key, outcome.message_ts)]


def test_a_second_run_in_the_same_week_posts_nothing_and_says_why(db, slack):
    assert summary("--post", "--channel", CHANNEL).exit_code == 0
    slack.clear()
    again = summary("--post", "--channel", CHANNEL)
    assert again.exit_code == 0, again.output
    assert slack.calls == []
    assert "Nothing posted: the summary for" in again.output
    assert "was already posted to C0SUMMARY" in again.output and "--force" in again.output
    assert len(recorded(db)) == 1
    # A dry run says so too.
    preview = summary("--dry-run", "--channel", CHANNEL, "--chart", str(db.parent / "c.png"))
    assert "--post would post nothing" in preview.output


def test_force_posts_again(db, slack):
    assert summary("--post", "--channel", CHANNEL).exit_code == 0
    [(_, week, first_ts)] = recorded(db)
    forced = summary("--post", "--channel", CHANNEL, "--force")
    assert forced.exit_code == 0, forced.output
    first, second = slack.calls_to("chat.postMessage")
    assert first.params["channel"] == second.params["channel"] == CHANNEL
    [(_, again, ts)] = recorded(db)  # the week's record now names the new message
    assert again == week and ts != first_ts


def test_another_channel_gets_its_own_summary(db, slack):
    assert summary("--post", "--channel", CHANNEL).exit_code == 0
    assert summary("--post", "--channel", "C0OTHER").exit_code == 0
    assert [c.params["channel"] for c in slack.calls_to("chat.postMessage")] == [CHANNEL, "C0OTHER"]


def test_a_rate_limited_post_is_retried_after_retry_after(db, slack):
    slack.fail("chat.postMessage", status=429, retry_after=1, times=1)
    started = time.monotonic()
    result = summary("--post", "--channel", CHANNEL)
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started >= 1  # Retry-After was honoured
    assert len(slack.calls_to("chat.postMessage")) == 2  # the 429, then the post
    assert len(recorded(db)) == 1


def test_a_post_that_keeps_failing_leaves_the_week_for_the_next_run(db, slack):
    slack.fail("chat.postMessage", status=500, times=2)  # the first try and its one retry
    failed = summary("--post", "--channel", CHANNEL)
    assert failed.exit_code == 1
    assert "was not posted to C0SUMMARY: Slack answered HTTP 500" in failed.output
    assert "the next run posts it" in failed.output
    assert len(slack.calls_to("chat.postMessage")) == 2
    assert recorded(db) == [] and claims(db) == []
    assert slack.calls_to("files.getUploadURLExternal") == []
    # The next run posts it.
    retried = summary("--post", "--channel", CHANNEL)
    assert retried.exit_code == 0, retried.output
    assert len(recorded(db)) == 1


def test_an_api_error_is_not_retried_and_not_recorded(db, slack):
    slack.fail("chat.postMessage", status=200, body={"ok": False, "error": "channel_not_found"})
    result = summary("--post", "--channel", CHANNEL)
    assert result.exit_code == 1
    assert "channel_not_found" in result.output
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert recorded(db) == []


def test_a_chart_that_cannot_be_uploaded_does_not_hold_up_the_text(db, slack):
    engine = Engine(db)
    week = unemployment_week(engine)
    monday = datetime(week.monday.year, week.monday.month, week.monday.day, 8, tzinfo=UTC)
    slack.fail("files.getUploadURLExternal", status=200, body={"ok": False, "error": "not_allowed"})
    client = make_client("xoxb-test-summary", slack.url, retries=1)
    outcome = post_summary(engine, CHANNEL, client, now=monday)
    assert outcome.posted and not outcome.chart_uploaded
    assert (
        outcome.chart_problem
        == "the chart could not be uploaded: Slack answered HTTP 200: not_allowed"
    )
    assert "without a chart" in outcome.reason
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert len(recorded(db)) == 1


def test_a_chart_that_cannot_be_drawn_does_not_hold_up_the_text(db, slack, monkeypatch):
    engine = Engine(db)
    week = unemployment_week(engine)
    monday = datetime(week.monday.year, week.monday.month, week.monday.day, 8, tzinfo=UTC)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # matplotlib is broken
    client = make_client("xoxb-test-summary", slack.url, retries=1)
    outcome = post_summary(engine, CHANNEL, client, now=monday)
    assert outcome.posted and not outcome.chart_uploaded
    assert outcome.chart_problem.startswith("the chart could not be drawn")
    assert slack.calls_to("files.getUploadURLExternal") == []
    assert len(recorded(db)) == 1


def test_two_runs_at_once_post_once(db, slack):
    def slow_post(params: dict) -> dict:
        time.sleep(0.5)  # both runs are in flight at the same time
        return {"ok": True, "channel": params["channel"], "ts": "1700000099.000001"}

    slack.answer("chat.postMessage", slow_post)
    engine = Engine(db)
    outcomes: list = []

    def run() -> None:
        client = make_client("xoxb-test-summary", slack.url, retries=1)
        outcomes.append(post_summary(engine, CHANNEL, client))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(o.posted for o in outcomes) == [False, True]
    skipped = next(o for o in outcomes if not o.posted)
    assert "another run has been posting" in skipped.reason or "already posted" in skipped.reason
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert len(recorded(db)) == 1


def test_usage_errors_are_plain(db, slack):
    assert "--dry-run (print) or --post" in summary().output
    assert "--post needs --channel" in summary("--post").output
    assert "Slack channel ID" in summary("--post", "--channel", "general").output
    assert (
        "--week only goes with --dry-run"
        in summary("--post", "--channel", CHANNEL, "--week", "2026-W01").output
    )
    assert slack.calls == []


def test_posting_without_a_token_says_which_setting_is_missing(db, slack, monkeypatch):
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    result = summary("--post", "--channel", CHANNEL)
    assert result.exit_code == 1
    assert "SLACK_BOT_TOKEN is not set" in result.output
    assert slack.calls == []


def test_the_cli_loads_no_slack_matplotlib_or_scheduler():
    code = (
        "import sys, econ071.cli.main; "
        "print(sorted(m for m in ('slack_sdk', 'matplotlib', 'apscheduler') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
