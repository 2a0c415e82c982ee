"""One question, one answer: remember which Slack deliveries were already handled.

Slack may deliver one message twice: as ``app_mention`` and as ``message.im``, and again
as a retry (``X-Slack-Retry-Num``) when it thinks the first delivery was missed. The key
is the message itself (workspace, channel, ts), which every copy shares. A retry can
reach another server process, so besides a set in memory the claim is written to the
store (``INSERT OR IGNORE`` on a primary key: only one process wins). When the store
cannot be written, the in-memory set still stops duplicates within one process.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)

KEEP_SECONDS = 24 * 3600  # Slack retries within minutes; a day is plenty
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS slack_deliveries (key TEXT PRIMARY KEY, seen_at REAL NOT NULL)"
)


class Deliveries:
    def __init__(self, db_path: Path | None = None, keep_seconds: float = KEEP_SECONDS) -> None:
        self.db_path = db_path
        self.keep_seconds = keep_seconds
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()
        self._claims = 0
        self._table_ready = False

    @staticmethod
    def message_key(team: str | None, channel: str | None, ts: str | None) -> str:
        return f"msg:{team or '-'}:{channel or '-'}:{ts or '-'}"

    def first(self, key: str) -> bool:
        """True the first time a key is claimed (in any process sharing the store)."""
        now = time.time()
        with self._lock:
            if key in self._seen:
                return False
            self._seen[key] = now
            self._claims += 1
            prune = self._claims % 500 == 0
            if prune:
                cutoff = now - self.keep_seconds
                self._seen = {k: t for k, t in self._seen.items() if t >= cutoff}
        if self.db_path is None:
            return True
        try:
            return self._claim_in_store(key, now, prune)
        except sqlite3.Error as exc:
            log.warning("could not record a Slack delivery in the store: %s", exc)
            return True

    def _claim_in_store(self, key: str, now: float, prune: bool) -> bool:
        conn = sqlite3.connect(self.db_path, timeout=5)
        try:
            conn.execute("PRAGMA busy_timeout = 5000")
            with conn:
                if not self._table_ready:
                    conn.execute(_SCHEMA)
                    self._table_ready = True
                if prune:
                    conn.execute(
                        "DELETE FROM slack_deliveries WHERE seen_at < ?", (now - self.keep_seconds,)
                    )
                inserted = conn.execute(
                    "INSERT OR IGNORE INTO slack_deliveries (key, seen_at) VALUES (?, ?)",
                    (key, now),
                ).rowcount
            return inserted == 1
        finally:
            conn.close()
