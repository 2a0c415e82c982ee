"""The CBS sync inside ``econ071 serve``: daily (``ECON071_SYNC_CRON``, default
``15 10 * * *``, Amsterdam time; ``off`` turns it off) and right before the weekly
summary (the summary's job runs ``SyncJob`` first, so that its "Nieuw" section has what
CBS published). After a sync that changed figures, the partners who follow them get their
direct message (econ071.slackapp.follows.notify) through the app's Slack client.

Without ``serve``, cron does the same (README): ``econ071 sync`` daily.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk import WebClient

from econ071.answering.engine import Engine
from econ071.slackapp.scheduler import DEFAULT_TIMEZONE, crontab_trigger
from econ071.store.questionlog import QuestionLog

log = logging.getLogger(__name__)

DEFAULT_CRON = "15 10 * * *"  # daily, after CBS's morning releases
JOB_ID = "cbs-sync"


class SyncJob:
    """Sync the followed tables, then tell the followers of what changed. Never raises:
    a scheduler thread has no one else to tell."""

    def __init__(self, engine: Engine, client: WebClient | None = None,
                 question_log: QuestionLog | None = None) -> None:  # fmt: skip
        self.engine, self.client = engine, client
        self.question_log = question_log or QuestionLog(engine.db_path)
        self._lock = threading.Lock()  # the daily run and the summary's never overlap

    def __call__(self) -> list:
        from econ071.slackapp.follows import notify
        from econ071.sync.run import UPDATED, sync

        with self._lock:
            try:
                outcomes = sync(self.engine.db_path)
            except Exception:
                log.exception("CBS sync failed")
                return []
            for o in outcomes:
                (log.info if o.ok else log.error)("CBS sync: %s", o.message)
            changed = [o.import_id for o in outcomes
                       if o.status == UPDATED and o.import_id and (o.added or o.changed)]  # fmt: skip
            if changed:
                self.engine.refresh()
            if self.client is not None:
                try:
                    # every table's latest release: a message that failed before is retried
                    sent = notify(self.engine, self.client, self.question_log, _latest(self.engine))
                    log.info("CBS sync: %d direct message(s) to followers", sent)
                except Exception:
                    log.exception("CBS sync: telling the followers failed")
            return outcomes


def _latest(engine: Engine) -> list[int]:
    """The import of every synced table's latest release."""
    from econ071.store import figures
    from econ071.sync import state

    conn = figures.connect(engine.db_path, ensure=False, timeout=30)
    try:
        return sorted({s.import_id for s in state.all_states(conn) if s.import_id})
    finally:
        conn.close()


def start_sync_from_env(engine: Engine, client: WebClient | None = None,
                        env: Mapping[str, str] | None = None
                        ) -> tuple[BackgroundScheduler | None, SyncJob | None]:  # fmt: skip
    """For ``econ071 serve``: the daily sync's scheduler and its job (None, None when
    ECON071_SYNC_CRON is ``off``). A bad setting raises SettingsError naming it."""
    from econ071.slackapp.settings import SettingsError

    env = os.environ if env is None else env
    cron = (env.get("ECON071_SYNC_CRON") or DEFAULT_CRON).strip()
    if cron.lower() in ("off", "uit", "no", "none"):
        return None, None
    try:
        tz = ZoneInfo(env.get("ECON071_SUMMARY_TZ") or DEFAULT_TIMEZONE)
        trigger = crontab_trigger(cron, tz)
    except ZoneInfoNotFoundError:
        raise SettingsError("ECON071_SUMMARY_TZ is malformed: expected a time zone") from None
    except ValueError as exc:
        raise SettingsError(f"ECON071_SYNC_CRON is malformed: {exc}") from None
    from econ071.sync.client import Settings

    try:
        Settings.from_env(env)
    except ValueError as exc:
        raise SettingsError(str(exc)) from None
    job = SyncJob(engine, client)
    scheduler = BackgroundScheduler(timezone=tz)
    scheduler.add_job(job, trigger, id=JOB_ID, name="CBS sync", coalesce=True,
                      max_instances=1, misfire_grace_time=6 * 3600, replace_existing=True)  # fmt: skip
    scheduler.start()
    log.info("CBS sync scheduled (%s)", trigger)
    return scheduler, job
