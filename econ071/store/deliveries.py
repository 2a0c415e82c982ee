"""One question, one answer: remember which Slack deliveries were already handled.

Slack may deliver one message twice: as ``app_mention`` and as ``message.im``, and again
as a retry (``X-Slack-Retry-Num``) when it thinks the first delivery was missed. The key
is the message itself (workspace, channel, ts), which every copy shares. A retry can
reach another server process, so the claim is made in the operational database
(econ071/store/opsdb.py) before answering: ``INSERT OR IGNORE`` on a primary key, so one
process wins, durably, also after a restart. That database is apart from the figures:
an import holding the store's write lock does not delay the claim.

When even that database cannot be written (disk full, read-only), the message is
answered anyway and the failure logged: a possible second answer to a retry is better
than none.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path

from econ071.store import opsdb

log = logging.getLogger(__name__)

KEEP_SECONDS = 24 * 3600  # Slack retries within minutes; a day is plenty
PRUNE_EVERY = 500  # claims per process between two clean-ups of old records


class Deliveries:
    def __init__(self, db_path: Path | None = None, keep_seconds: float = KEEP_SECONDS) -> None:
        self.db_path = db_path  # the store, whose operational database holds the claims
        self.keep_seconds = keep_seconds
        self._lock = threading.Lock()
        self._claims = 0

    @staticmethod
    def message_key(team: str | None, channel: str | None, ts: str | None) -> str:
        return f"msg:{team or '-'}:{channel or '-'}:{ts or '-'}"

    def first(self, key: str) -> bool:
        """True the first time a key is claimed (in any process sharing the store)."""
        now = time.time()
        with self._lock:
            self._claims += 1
            prune = self._claims % PRUNE_EVERY == 0
        try:
            conn = opsdb.kept(self.db_path)
            inserted = conn.execute(
                "INSERT OR IGNORE INTO slack_deliveries (key, seen_at) VALUES (?, ?)", (key, now)
            ).rowcount
            if prune:
                conn.execute(
                    "DELETE FROM slack_deliveries WHERE seen_at < ?", (now - self.keep_seconds,)
                )
            return inserted == 1
        except sqlite3.Error as exc:
            opsdb.drop_kept(self.db_path)
            log.error(
                "could not record the Slack delivery %s in %s (%s): answering anyway;"
                " a retry of this message may be answered twice",
                key, opsdb.path_for(self.db_path), exc,
            )  # fmt: skip
            return True
