"""The weekly summary on a schedule, inside ``econ071 serve`` (APScheduler 3).

    scheduler = start_summary_scheduler(engine, "C0123")   # Mondays 09:00, Amsterdam

The schedule is a crontab line (``ECON071_SUMMARY_CRON``, default ``0 9 * * 1``) in
``ECON071_SUMMARY_TZ`` (default Europe/Amsterdam), read with crontab's own weekday
numbers: APScheduler 3's ``from_crontab`` counts 0 as Monday, so ``1`` would mean
Tuesday there; the weekday field is translated to names first. Every run goes through
``econ071.slackapp.post_summary.post_summary``, which posts at most once per channel and ISO week however
many processes run the schedule (or cron beside it). A failed post is tried again after
``RETRY_DELAY`` (a few times); a server that starts within ``GRACE`` after a missed slot
posts the week's summary then.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from slack_sdk import WebClient

from econ071.answering.engine import Engine
from econ071.slackapp.post_summary import NotConfigured, Outcome, client_from_env, post_summary
from econ071.slackapp.settings import CHANNEL_ID
from econ071.summary import ledger as summary_ledger
from econ071.summary import model as summary_model

log = logging.getLogger(__name__)

DEFAULT_CRON = "0 9 * * 1"
DEFAULT_TIMEZONE = "Europe/Amsterdam"
JOB_ID = "weekly-summary"
GRACE = timedelta(hours=6)  # a slot missed by less than this is still posted
RETRY_DELAY = timedelta(minutes=10)
MAX_RETRIES = 6
_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def _weekday(token: str) -> int:
    token = token.strip().lower()
    if token.isdigit() and int(token) <= 7:
        return int(token)
    if token[:3] in _WEEKDAYS:
        return _WEEKDAYS.index(token[:3])
    raise ValueError(f"{token!r} is not a day of the week (0-7 or sun-sat)")


def crontab_weekdays(field: str) -> str:
    """A crontab day-of-week field (0 and 7 = Sunday) as APScheduler weekday names:
    '1' -> 'mon', '1-5' -> 'mon,tue,wed,thu,fri', '*/2' -> 'sun,tue,thu,sat'."""
    if field == "*":
        return "*"
    days: set[int] = set()
    for part in field.split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text.isdigit() and int(step_text) > 0 else None
        if step_text and step is None:
            raise ValueError(f"{part!r}: the step must be a positive number")
        if span == "*":
            low, high = 0, 6
        elif "-" in span:
            first, last = span.split("-", 1)
            low, high = _weekday(first), _weekday(last)
        else:
            low = _weekday(span)
            high = 6 if step else low
        if high < low:
            raise ValueError(f"{part!r}: the range runs backwards")
        days.update(d % 7 for d in range(low, high + 1, step or 1))
    return ",".join(_WEEKDAYS[d] for d in sorted(days))


def crontab_trigger(expr: str, timezone: ZoneInfo) -> CronTrigger:
    """A CronTrigger for a crontab line, with crontab's weekday numbering."""
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(
            f"{expr!r} is not a crontab line: expected 5 fields, e.g. {DEFAULT_CRON!r}"
        )
    fields[4] = crontab_weekdays(fields[4])
    return CronTrigger.from_crontab(" ".join(fields), timezone=timezone)


def missed_slot(trigger: CronTrigger, now: datetime, grace: timedelta = GRACE) -> datetime | None:
    """The slot of this ISO week that passed less than ``grace`` ago, if any."""
    fire = trigger.get_next_fire_time(None, now - grace)
    if (
        fire is not None
        and fire <= now
        and summary_model.Week.of(fire) == summary_model.Week.of(now)
    ):
        return fire
    return None


class SummaryJob:
    """What the scheduler runs: post the summary, and on failure try again later."""

    def __init__(
        self,
        engine: Engine,
        channel: str,
        client: WebClient,
        scheduler: BackgroundScheduler | None = None,
        before: Callable[[], object] | None = None,
    ) -> None:
        self.engine, self.channel, self.client, self.scheduler = engine, channel, client, scheduler
        self.before = before  # run first: the CBS sync, so that "Nieuw" has the latest
        self.failures = 0

    def __call__(self) -> Outcome | None:
        if self.before is not None and not self.failures:
            self.before()  # never raises (econ071.slackapp.sync_schedule.SyncJob)
        try:
            outcome = post_summary(self.engine, self.channel, self.client)
        except Exception as exc:  # a scheduler thread has no one else to tell
            log.error("weekly summary to %s not posted: %s", self.channel, exc)
            self._retry_later()
            return None
        self.failures = 0
        log.info("weekly summary: %s", outcome.reason)
        if outcome.chart_problem and outcome.posted:
            log.warning("weekly summary: %s", outcome.chart_problem)
        return outcome

    def _retry_later(self) -> None:
        self.failures += 1
        if self.scheduler is None or self.failures > MAX_RETRIES:
            return
        when = datetime.now(self.scheduler.timezone) + RETRY_DELAY
        log.info("weekly summary: trying again at %s", when.isoformat(timespec="minutes"))
        self.scheduler.add_job(self, DateTrigger(when), id=f"{JOB_ID}-retry", replace_existing=True)


def start_summary_scheduler(
    engine_or_db: Engine | Path | str | None,
    channel: str,
    cron: str | None = None,
    timezone: str | None = None,
    client: WebClient | None = None,
    *,
    catch_up: bool = True,
    now: datetime | None = None,
    before: Callable[[], object] | None = None,
) -> BackgroundScheduler:
    """Start a background scheduler that posts the weekly summary to ``channel``.

    ``cron``/``timezone`` default to ECON071_SUMMARY_CRON / ECON071_SUMMARY_TZ, then to
    Mondays 09:00 Europe/Amsterdam; ``client`` to one from SLACK_BOT_TOKEN/SLACK_API_URL.
    With ``catch_up``, a slot of this week missed less than ``GRACE`` before ``now`` (the
    server was down) is posted in a few seconds, unless the week is posted already.
    """
    tz = ZoneInfo(timezone or os.environ.get("ECON071_SUMMARY_TZ") or DEFAULT_TIMEZONE)
    trigger = crontab_trigger(cron or os.environ.get("ECON071_SUMMARY_CRON") or DEFAULT_CRON, tz)
    if isinstance(engine_or_db, Engine):
        engine = engine_or_db
    else:
        engine = Engine(Path(engine_or_db) if engine_or_db else None)
    scheduler = BackgroundScheduler(timezone=tz)
    job = SummaryJob(engine, channel, client or client_from_env(), scheduler, before)
    scheduler.add_job(
        job,
        trigger,
        id=JOB_ID,
        name=f"weekly summary to {channel}",
        coalesce=True,  # several missed slots: one post
        max_instances=1,
        misfire_grace_time=int(GRACE.total_seconds()),
        replace_existing=True,
    )
    now = (now or datetime.now(tz)).astimezone(tz)
    if catch_up and missed_slot(trigger, now) and not _posted(engine, channel, now):
        log.info("weekly summary: this week's slot passed while the server was down; posting now")
        soon = datetime.now(tz) + timedelta(seconds=5)
        scheduler.add_job(job, DateTrigger(soon), id=f"{JOB_ID}-catch-up")
    scheduler.start()
    log.info("weekly summary to %s scheduled (%s)", channel, trigger)
    return scheduler


def _posted(engine: Engine, channel: str, now: datetime) -> bool:
    conn = summary_ledger.connect(engine.db_path)
    try:
        return summary_ledger.posted(conn, channel, summary_model.Week.of(now).key) is not None
    finally:
        conn.close()


def start_from_env(
    engine_or_db: Engine | Path | str | None = None,
    env: Mapping[str, str] | None = None,
    before: Callable[[], object] | None = None,
) -> BackgroundScheduler | None:
    """For ``econ071 serve``: the weekly summary's scheduler when ECON071_SUMMARY_CHANNEL
    is set (else None). A bad setting raises SettingsError, naming the variable."""
    from econ071.slackapp.settings import SettingsError

    env = os.environ if env is None else env
    channel = env.get("ECON071_SUMMARY_CHANNEL", "").strip()
    if not channel:
        return None
    if not CHANNEL_ID.fullmatch(channel):
        raise SettingsError("ECON071_SUMMARY_CHANNEL is malformed: expected a channel ID (C…)")
    try:
        return start_summary_scheduler(
            engine_or_db,
            channel,
            cron=env.get("ECON071_SUMMARY_CRON") or None,
            timezone=env.get("ECON071_SUMMARY_TZ") or None,
            client=client_from_env(env),
            before=before,
        )
    except NotConfigured as exc:
        raise SettingsError(str(exc)) from None
    except ZoneInfoNotFoundError:
        raise SettingsError(
            "ECON071_SUMMARY_TZ is malformed: expected a time zone such as Europe/Amsterdam"
        ) from None
    except ValueError as exc:
        raise SettingsError(f"ECON071_SUMMARY_CRON is malformed: {exc}") from None
