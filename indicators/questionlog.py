"""The question log: what partners asked, how it was understood and whether it was answered.

It stores a keyed hash of the user id, never a name: HMAC-SHA256 with a secret that
is made once per store and kept in its ``meta`` table, so a list of known user ids
cannot be hashed to find out who asked what. Several server processes write at
once: the store is in WAL mode and every connection waits (busy timeout) instead of
failing. Writing never raises: a question is answered even when the log is full,
locked or read-only.

Only the standard library's sqlite3 here.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from indicators import paths, schema
from indicators.answer import ANSWERED, CLARIFY, ERROR, NOT_FOUND, Answer

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
_SALT_KEY = "questionlog_hmac_key"
# An answer Slack did not take after every retry (bot.assistant.Assistant.deliver).
UNDELIVERED = "undelivered"
# "Unanswered first": what found no answer, then what needed asking back, then errors,
# then answers that never reached the asker.
STATUS_ORDER = (NOT_FOUND, CLARIFY, ERROR, UNDELIVERED, ANSWERED)


@dataclass(frozen=True)
class LoggedQuestion:
    id: int
    asked_at: str
    user_hash: str | None
    surface: str | None
    text: str
    understood: str | None
    status: str

    @property
    def answered(self) -> bool:
        return self.status == ANSWERED


def understood(answer: Answer) -> str:
    """A short machine-readable description of how a question was understood,
    e.g. ``figure banen GM0546 2016`` or ``not_found - - -``."""
    indicator = (answer.indicator or {}).get("id") or "-"
    places = ",".join(p.get("code", "") for p in answer.places if p.get("code")) or "-"
    parts = [answer.kind, indicator, places, answer.period or "-"]
    if answer.options:
        parts.append("opties=" + ",".join(f"{o.kind}:{o.id}" for o in answer.options))
    if answer.reference:
        parts.append(f"ref={answer.reference}")
    return " ".join(parts)


class QuestionLog:
    """Append questions to the store's ``questions`` table and list them."""

    def __init__(self, db_path: Path | None = None) -> None:
        self.db_path = db_path or paths.db_path()
        self._key: bytes | None = None
        self._local = threading.local()

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.db_path, timeout=BUSY_TIMEOUT_MS / 1000)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA synchronous = NORMAL")  # durable enough in WAL mode
        return conn

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A short-lived connection (set-up, listing)."""
        with closing(self._open()) as conn:
            yield conn

    def _writer(self) -> sqlite3.Connection:
        # One connection per thread and process, kept: opening one parses the whole
        # store's schema, which cost more than the write itself. Never shared across a
        # fork (gunicorn workers) nor between threads.
        conn = getattr(self._local, "conn", None)
        if conn is None or self._local.pid != os.getpid():
            conn = self._local.conn = self._open()
            self._local.pid = os.getpid()
        return conn

    def _drop_writer(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            try:
                conn.close()
            except sqlite3.Error:
                pass

    def prepare(self) -> None:
        """Create the log table if needed, switch the store to WAL and make the hash key."""
        with self._connect() as conn:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            conn.executescript(schema.RUNTIME_SCHEMA)
            self._key = self._load_key(conn)

    def _load_key(self, conn: sqlite3.Connection) -> bytes:
        with conn:
            conn.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
                (_SALT_KEY, secrets.token_hex(32)),
            )
        (value,) = conn.execute("SELECT value FROM meta WHERE key = ?", (_SALT_KEY,)).fetchone()
        return bytes.fromhex(value)

    def user_hash(self, user_id: str | None) -> str | None:
        """The keyed hash of a Slack user id (stable within one store)."""
        if not user_id:
            return None
        if self._key is None:
            self.prepare()
        assert self._key is not None
        return hmac.new(self._key, user_id.encode(), hashlib.sha256).hexdigest()[:32]

    def record(
        self,
        text: str,
        *,
        status: str,
        understood: str | None = None,
        user_id: str | None = None,
        surface: str | None = None,
        asked_at: datetime | None = None,
    ) -> bool:
        """Log one question. Returns False (and logs a warning) when it could not be
        written; it never raises, so a broken log never costs an answer."""
        try:
            asked = (asked_at or datetime.now(UTC)).astimezone(UTC)
            row = (
                asked.isoformat(timespec="seconds"),
                self.user_hash(user_id),
                surface,
                text,
                understood,
                status,
            )
            conn = self._writer()
            with conn:
                conn.execute(
                    "INSERT INTO questions (asked_at, user_hash, surface, text, understood,"
                    " status) VALUES (?, ?, ?, ?, ?, ?)",
                    row,
                )
            return True
        except Exception as exc:  # noqa: BLE001 (the log must never break an answer)
            self._drop_writer()  # start afresh next time (the store may have been replaced)
            log.warning("could not log a question in %s: %s", self.db_path, exc)
            return False

    def record_answer(
        self, answer: Answer, *, text: str, user_id: str | None, surface: str
    ) -> bool:
        return self.record(
            text,
            status=answer.status,
            understood=understood(answer),
            user_id=user_id,
            surface=surface,
        )

    def questions(
        self, since: date | None = None, limit: int | None = None
    ) -> list[LoggedQuestion]:
        """Logged questions, unanswered first, newest first within each status."""
        sql = (
            "SELECT id, asked_at, user_hash, surface, text, understood, status FROM questions"
            " WHERE asked_at >= ?"
            " ORDER BY CASE status WHEN ? THEN 0 WHEN ? THEN 1 WHEN ? THEN 2 WHEN ? THEN 3"
            " WHEN ? THEN 4 ELSE 5 END, asked_at DESC, id DESC"
        )
        params: list[object] = [since.isoformat() if since else "", *STATUS_ORDER]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with self._connect() as conn:
            conn.executescript(schema.RUNTIME_SCHEMA)
            return [LoggedQuestion(*row) for row in conn.execute(sql, params)]
