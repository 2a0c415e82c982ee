"""Partners follow a figure (``/071 volg werkloosheid Leiden``) and get one direct message
per new CBS release of it.

The follows live in the operational database beside the question log (their tables are
a migration in econ071/store/opsdb.py). Users are stored as the question log stores them, by their keyed
hash (``user_hash``). A direct message needs the raw Slack user id, so it is kept here
too (``user_id``) — only in this table, only for as long as the user follows something
(``volg niet`` deletes the row), and never logged.

``notices`` records which follow was told about which import: one message per release,
however often a sync or a retry runs. Standard library only.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from econ071.store.questionlog import QuestionLog


@dataclass(frozen=True)
class Follow:
    id: int
    user_id: str
    indicator: str
    place: str
    question: str
    created_at: str
    after_import: int  # releases imported before the follow are not news to this user


_COLUMNS = "id, user_id, indicator, place, question, created_at, after_import"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Follows:
    def __init__(self, question_log: QuestionLog) -> None:
        self.log = question_log

    def _conn(self) -> closing[sqlite3.Connection]:
        return closing(self.log.connect())

    def add(self, user_id: str, indicator: str, place: str, question: str,
            after_import: int = 0) -> bool:  # fmt: skip
        """Follow; False when the user followed it already. ``after_import``: the store's
        newest import now (only later ones are news)."""
        with self._conn() as conn:
            with conn:
                return conn.execute(
                    "INSERT OR IGNORE INTO follows (user_hash, user_id, indicator, place, question,"
                    " created_at, after_import) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (self.log.user_hash(user_id), user_id, indicator, place, question, _now(),
                     after_import),  # fmt: skip
                ).rowcount == 1  # fmt: skip

    def remove(self, user_id: str, indicator: str, place: str | None) -> int:
        """Stop following (every place when ``place`` is None); how many were removed."""
        sql = "DELETE FROM follows WHERE user_hash = ? AND indicator = ?"
        params: list = [self.log.user_hash(user_id), indicator]
        if place is not None:
            sql += " AND place = ?"
            params.append(place)
        with self._conn() as conn:
            with conn:
                conn.execute(
                    f"DELETE FROM follow_notices WHERE follow_id IN (SELECT id FROM follows"  # noqa: S608
                    f" WHERE {sql.split(' WHERE ', 1)[1]})",
                    params,
                )
                return conn.execute(sql, params).rowcount

    def of_user(self, user_id: str) -> list[Follow]:
        with self._conn() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM follows WHERE user_hash = ? ORDER BY id",  # noqa: S608
                (self.log.user_hash(user_id),),
            ).fetchall()
        return [Follow(*r) for r in rows]

    def all(self) -> list[Follow]:
        with self._conn() as conn:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM follows ORDER BY id").fetchall()  # noqa: S608
        return [Follow(*r) for r in rows]

    # -- one message per release --------------------------------------------------
    def claim(self, follow_id: int, import_id: int) -> bool:
        """Claim the message about this import for this follow (False: sent already)."""
        with self._conn() as conn:
            with conn:
                return conn.execute(
                    "INSERT OR IGNORE INTO follow_notices (follow_id, import_id, sent_at)"
                    " VALUES (?, ?, ?)",
                    (follow_id, import_id, _now()),
                ).rowcount == 1  # fmt: skip

    def release(self, follow_id: int, import_id: int) -> None:
        """The message could not be sent: the next run tries again."""
        with self._conn() as conn, conn:
            conn.execute(
                "DELETE FROM follow_notices WHERE follow_id = ? AND import_id = ?",
                (follow_id, import_id),
            )


def followed_questions(db_path: Path, user_id: str) -> list[str]:
    """The questions a user follows (as they asked them), for the App Home."""
    log = QuestionLog(db_path)
    log.prepare()
    return [f.question for f in Follows(log).of_user(user_id)]


def changed_by(store: sqlite3.Connection, import_id: int, indicator: str,
               places: list[str]) -> bool:  # fmt: skip
    """Whether an import added or changed figures of this indicator for these places."""
    marks = ", ".join("?" * len(places))
    return store.execute(
        "SELECT 1 FROM figure_values WHERE import_id = ?"  # noqa: S608
        " AND indicator = (SELECT id FROM codes WHERE code = ?)"
        f" AND place IN (SELECT id FROM codes WHERE code IN ({marks})) LIMIT 1",
        (import_id, indicator, *places),
    ).fetchone() is not None  # fmt: skip
