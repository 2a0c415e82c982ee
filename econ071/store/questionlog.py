"""The question log: what partners asked, how it was understood and whether it was answered.

It lives in the operational database beside the store (econ071/store/opsdb.py), so that an
import holding the store's write lock never makes a question wait or go unlogged. It
stores a pseudonym of the user id (econ071/store/pseudonym.py: HMAC-SHA256 with a key kept
outside both database files), never a name or an id; the text has mentions of people
removed and is capped. Several server processes write at once (WAL, busy timeout).
Writing never raises: a question is answered even when the log is full, locked or
read-only.

Only the standard library's sqlite3 here.
"""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from econ071.core import paths
from econ071.core.answer import ANSWERED, CLARIFY, ERROR, NOT_FOUND, UNDELIVERED, Answer
from econ071.store import opsdb, pseudonym

log = logging.getLogger(__name__)

# UNDELIVERED: an answer Slack did not take after every retry
# (econ071.slackapp.assistant.Assistant.deliver).
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
    unhelpful: int = 0  # how often its answer was marked 👎


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
    """Append questions to the operational database's ``questions`` table and list them."""

    def __init__(self, db_path: Path | None = None) -> None:
        self.db_path = db_path or paths.db_path()  # the store, whose ops database it uses
        self._key: bytes | None = None
        self._key_warned = False

    def connect(self) -> sqlite3.Connection:
        """A short-lived connection to the operational database that holds the log (close
        it, e.g. with contextlib.closing): what lives beside the log (the follows,
        econ071.store.follows) uses it."""
        return opsdb.connect(self.db_path)

    def prepare(self) -> None:
        """Make (or migrate) the operational database and load the pseudonyms' key; raises
        (sqlite3.Error, LogKeyError) when either is not available."""
        opsdb.connect(self.db_path).close()
        self._key = pseudonym.load_key()

    def user_hash(self, user_id: str | None) -> str | None:
        """The pseudonym of a Slack user id (stable as long as the key is)."""
        if not user_id:
            return None
        if self._key is None:
            try:
                self._key = pseudonym.load_key()
            except pseudonym.LogKeyError as exc:  # the question is still worth logging
                if not self._key_warned:
                    log.warning("questions are logged without pseudonyms: %s", exc)
                    self._key_warned = True
                return None
        return pseudonym.user_hash(self._key, user_id)

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
                pseudonym.clean_text(text),
                pseudonym.clean_text(understood) if understood else understood,
                status,
            )
            opsdb.kept(self.db_path).execute(
                "INSERT INTO questions (asked_at, user_hash, surface, text, understood,"
                " status) VALUES (?, ?, ?, ?, ?, ?)",
                row,
            )
            return True
        except Exception as exc:  # noqa: BLE001 (the log must never break an answer)
            opsdb.drop_kept(self.db_path)  # start afresh next time
            where = opsdb.path_for(self.db_path)
            log.warning("could not log a question in %s: %s", where, exc)
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

    def record_feedback(
        self,
        text: str,
        *,
        helpful: bool,
        understood: str | None = None,
        user_id: str | None = None,
        surface: str | None = None,
        given_at: datetime | None = None,
    ) -> bool:
        """Log a 👍 (``helpful``) or 👎 on the answer to ``text``; never raises."""
        try:
            given = (given_at or datetime.now(UTC)).astimezone(UTC)
            row = (given.isoformat(timespec="seconds"), self.user_hash(user_id), surface, text,
                   understood, int(helpful))  # fmt: skip
            conn = opsdb.kept(self.db_path)
            with conn:
                conn.execute(
                    "INSERT INTO feedback (given_at, user_hash, surface, text, understood,"
                    " helpful) VALUES (?, ?, ?, ?, ?, ?)",
                    row,
                )
            return True
        except Exception as exc:  # noqa: BLE001 (feedback must never break a reply)
            opsdb.drop_kept(self.db_path)  # start afresh next time
            log.warning("could not log feedback in %s: %s", self.db_path, exc)
            return False

    def feedback_counts(self, since: datetime, until: datetime) -> tuple[int, int]:
        """(helpful, unhelpful) votes given in the window."""
        with closing(opsdb.connect(self.db_path)) as conn:
            row = conn.execute(
                "SELECT COALESCE(SUM(helpful), 0), COALESCE(SUM(1 - helpful), 0) FROM feedback"
                " WHERE julianday(given_at) > julianday(?) AND julianday(given_at) <= julianday(?)",
                (since.isoformat(), until.isoformat()),
            ).fetchone()
        return int(row[0]), int(row[1])

    def questions(
        self, since: date | None = None, limit: int | None = None
    ) -> list[LoggedQuestion]:
        """Logged questions: those whose answer was marked unhelpful (👎) first, then the
        unanswered, newest first within each."""
        sql = (
            "SELECT q.id, q.asked_at, q.user_hash, q.surface, q.text, q.understood, q.status,"
            " (SELECT COUNT(*) FROM feedback f WHERE f.text = q.text AND f.helpful = 0) AS down"
            " FROM questions q WHERE q.asked_at >= ?"
            " ORDER BY down > 0 DESC, CASE q.status WHEN ? THEN 0 WHEN ? THEN 1 WHEN ? THEN 2"
            " WHEN ? THEN 3 WHEN ? THEN 4 ELSE 5 END, q.asked_at DESC, q.id DESC"
        )
        params: list[object] = [since.isoformat() if since else "", *STATUS_ORDER]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with closing(opsdb.connect(self.db_path)) as conn:
            return [LoggedQuestion(*row) for row in conn.execute(sql, params)]
