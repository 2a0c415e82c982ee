"""`econ071 serve` syncs CBS daily (ECON071_SYNC_CRON, Amsterdam time) and right before
the weekly summary."""

from __future__ import annotations

from pathlib import Path

import pytest

from econ071.answering.engine import Engine
from econ071.slackapp import scheduler as sched
from econ071.slackapp.post_summary import make_client
from econ071.slackapp.settings import SettingsError
from econ071.slackapp.sync_schedule import start_sync_from_env


@pytest.fixture
def engine(store_copy: Path) -> Engine:
    return Engine(store_copy)


def test_daily_at_the_configured_time_in_amsterdam(engine):
    scheduler, job = start_sync_from_env(engine, None, {"ECON071_SYNC_CRON": "30 7 * * 1-5"})
    try:
        run = scheduler.get_job("cbs-sync").next_run_time
        assert (run.hour, run.minute) == (7, 30) and run.weekday() < 5
        assert str(run.tzinfo) == "Europe/Amsterdam"
        assert job.engine is engine
    finally:
        scheduler.shutdown(wait=False)


def test_off_and_malformed_settings(engine):
    assert start_sync_from_env(engine, None, {"ECON071_SYNC_CRON": "off"}) == (None, None)
    with pytest.raises(SettingsError, match="ECON071_SYNC_CRON is malformed"):
        start_sync_from_env(engine, None, {"ECON071_SYNC_CRON": "elke dag"})
    with pytest.raises(SettingsError, match="ECON071_CBS_URL is malformed"):
        start_sync_from_env(engine, None, {"ECON071_CBS_URL": "datasets.cbs.nl"})


def test_the_summary_syncs_first(engine, slack):
    seen = []
    job = sched.SummaryJob(engine, "C0SYNCFIRST", make_client("xoxb-t", slack.url, retries=1),
                           before=lambda: seen.append(len(slack.calls_to("chat.postMessage"))))  # fmt: skip
    assert job().posted
    assert seen == [0]  # the sync ran, and before the post
