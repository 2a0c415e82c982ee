"""The weekly summary inside `econ071 serve`: a real APScheduler job on Mondays 09:00
Amsterdam time (crontab's weekday numbers), posting once a week however often it runs."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger

from econ071.answering.engine import Engine
from econ071.slackapp import scheduler as sched
from econ071.slackapp.post_summary import make_client

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
CHANNEL = "C0SCHEDULE"


@pytest.fixture
def engine(store_copy: Path) -> Engine:
    """An engine on a copy of the session's store: the scheduler records its posts."""
    return Engine(store_copy)


@pytest.fixture
def started(engine, slack, monkeypatch):
    """Start schedulers for a test and shut them all down after it."""
    monkeypatch.delenv("ECON071_SUMMARY_CRON", raising=False)
    monkeypatch.delenv("ECON071_SUMMARY_TZ", raising=False)
    schedulers = []

    def start(**kwargs):
        client = make_client("xoxb-test-schedule", slack.url, retries=1)
        s = sched.start_summary_scheduler(engine, CHANNEL, client=client, **kwargs)
        schedulers.append(s)
        return s

    yield start
    for s in schedulers:
        s.shutdown(wait=False)


@pytest.mark.parametrize(
    "field, names",
    [
        ("1", "mon"),
        ("0", "sun"),
        ("7", "sun"),
        ("1-5", "mon,tue,wed,thu,fri"),
        ("mon-fri", "mon,tue,wed,thu,fri"),
        ("5-7", "sun,fri,sat"),
        ("*/2", "sun,tue,thu,sat"),
        ("1,3", "mon,wed"),
        ("sat,sun", "sun,sat"),
        ("*", "*"),
    ],
)
def test_crontab_weekdays_mean_what_they_mean_in_crontab(field, names):
    assert sched.crontab_weekdays(field) == names


@pytest.mark.parametrize("expr", ["0 9 * * 8", "0 9 * *", "0 9 * * 5-1", "0 9 * * mon/0"])
def test_a_bad_crontab_line_is_refused(expr):
    with pytest.raises(ValueError):
        sched.crontab_trigger(expr, AMSTERDAM)


def test_the_default_is_monday_0900_amsterdam(started):
    scheduler = started(catch_up=False)
    job = scheduler.get_job(sched.JOB_ID)
    assert isinstance(job.trigger, CronTrigger)
    assert str(job.trigger.timezone) == "Europe/Amsterdam"
    when = job.next_run_time
    assert (when.weekday(), when.hour, when.minute) == (0, 9, 0)  # Monday, not Tuesday
    assert (
        when.utcoffset()
        == datetime(when.year, when.month, when.day, 9, tzinfo=AMSTERDAM).utcoffset()
    )
    assert job.coalesce and job.max_instances == 1 and job.misfire_grace_time > 0
    assert scheduler.get_job(f"{sched.JOB_ID}-catch-up") is None


def test_the_schedule_and_zone_come_from_the_environment(started, monkeypatch):
    monkeypatch.setenv("ECON071_SUMMARY_CRON", "30 8 * * 5")
    monkeypatch.setenv("ECON071_SUMMARY_TZ", "Europe/London")
    when = started(catch_up=False).get_job(sched.JOB_ID).next_run_time
    assert (when.weekday(), when.hour, when.minute) == (4, 8, 30)
    assert str(when.tzinfo) == "Europe/London"


def test_running_the_job_twice_in_a_week_posts_once(started, slack):
    job = started(catch_up=False).get_job(sched.JOB_ID).func
    first, second = job(), job()
    assert first.posted and not second.posted
    assert "already posted" in second.reason
    [post] = slack.calls_to("chat.postMessage")
    assert post.params["channel"] == CHANNEL


def test_a_failed_run_is_tried_again_later(started, slack):
    scheduler = started(catch_up=False)
    job = scheduler.get_job(sched.JOB_ID).func
    slack.fail("chat.postMessage", status=500, times=2)
    assert job() is None
    retry = scheduler.get_job(f"{sched.JOB_ID}-retry")
    assert retry is not None
    assert retry.next_run_time > datetime.now(AMSTERDAM)
    assert job().posted  # the retry (run here at once) posts the week


def test_a_server_started_after_this_weeks_slot_posts_it_soon(started, engine):
    from econ071.summary import model as summary_model

    monday = summary_model.Week.of(datetime.now(AMSTERDAM)).monday
    just_after = datetime(monday.year, monday.month, monday.day, 9, 30, tzinfo=AMSTERDAM)
    scheduler = started(now=just_after)
    catch_up = scheduler.get_job(f"{sched.JOB_ID}-catch-up")
    assert catch_up is not None and catch_up.next_run_time > datetime.now(AMSTERDAM)
    scheduler.remove_job(catch_up.id)  # not posted here: the other tests post
    assert started(now=just_after.replace(hour=8)).get_job(f"{sched.JOB_ID}-catch-up") is None


def test_a_slot_missed_this_week_is_caught_up_within_the_grace():
    trigger = sched.crontab_trigger(sched.DEFAULT_CRON, AMSTERDAM)
    monday_10 = datetime(2026, 11, 23, 10, 0, tzinfo=AMSTERDAM)
    assert sched.missed_slot(trigger, monday_10) == datetime(2026, 11, 23, 9, 0, tzinfo=AMSTERDAM)
    assert sched.missed_slot(trigger, datetime(2026, 11, 23, 8, 0, tzinfo=AMSTERDAM)) is None
    assert sched.missed_slot(trigger, datetime(2026, 11, 24, 10, 0, tzinfo=AMSTERDAM)) is None


def test_serve_schedules_the_summary_only_when_a_channel_is_set(engine, slack):
    env = {"SLACK_BOT_TOKEN": "xoxb-test-schedule", "SLACK_API_URL": slack.url}
    assert sched.start_from_env(engine, env) is None
    scheduler = sched.start_from_env(engine, {**env, "ECON071_SUMMARY_CHANNEL": CHANNEL})
    try:
        job = scheduler.get_job(sched.JOB_ID)
        assert job.name == f"weekly summary to {CHANNEL}"
        assert job.next_run_time.weekday() == 0
    finally:
        scheduler.shutdown(wait=False)


@pytest.mark.parametrize(
    "setting, value, message",
    [
        ("ECON071_SUMMARY_CHANNEL", "#algemeen", "ECON071_SUMMARY_CHANNEL is malformed"),
        ("ECON071_SUMMARY_CRON", "elke maandag", "ECON071_SUMMARY_CRON is malformed"),
        ("ECON071_SUMMARY_TZ", "Europe/Leiden", "ECON071_SUMMARY_TZ is malformed"),
        ("SLACK_BOT_TOKEN", "", "SLACK_BOT_TOKEN is not set"),
    ],
)
def test_a_bad_summary_setting_stops_serve_with_one_clear_line(
    engine, slack, setting, value, message
):
    from econ071.slackapp.settings import SettingsError

    env = {
        "SLACK_BOT_TOKEN": "xoxb-test-schedule",
        "SLACK_API_URL": slack.url,
        "ECON071_SUMMARY_CHANNEL": CHANNEL,
        setting: value,
    }
    with pytest.raises(SettingsError, match=message):
        sched.start_from_env(engine, env)
