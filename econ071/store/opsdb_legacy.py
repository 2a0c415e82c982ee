"""Move what the store held before the operational database existed: the question log,
the Slack delivery records and the weekly-summary ledger, and the question log's old
hashing key.

Nothing is lost and nothing is moved twice, whatever happens in between, and however
many processes start at once:

1. Copy, reading the store only (an import may hold its write lock for minutes): in one
   transaction of the operational database, the questions the store has beyond the last
   one copied (``meta``, by the store's path), and the deliveries, summaries and claims
   it does not have yet (by their keys).
2. Under the store's write lock, taken without waiting (when an import holds it, this
   step is left to the next start): copy again what was written since step 1 (a server
   of the previous version may still be running), then drop the old tables and the old
   key, with ``secure_delete`` so that their bytes are overwritten, not just unlinked.

Old questions keep their text (with mentions of people removed, capped like new ones)
and get new pseudonyms: each old pseudonym is hashed again with the new key
(``pseudonym.rekey``), so one person's old questions stay together, but cannot be linked
to that person's new questions, nor, without the new key, to anyone. The old key is
deleted; a backup of the store from before still holds it with the old rows.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from econ071.core.answer import ANSWERED
from econ071.store import pseudonym

log = logging.getLogger(__name__)

OLD_KEY = "questionlog_hmac_key"
QUESTIONS_COPIED = "store_questions_copied:"  # + the store's path (ECON071_OPS_DB may be shared)
_KEYED = {
    "slack_deliveries": ("key", "seen_at"),
    "summaries": ("channel", "iso_week", "posted_at", "message_ts", "spotlight"),
    "summary_claims": ("channel", "iso_week", "claimed_at", "token"),
}
_QUESTION_COLUMNS = ("id", "asked_at", "user_hash", "surface", "text", "understood", "status")


def move_from_store(ops: sqlite3.Connection, store: Path) -> None:
    """Move the store's old operational rows into ``ops`` (see the module's docstring).
    Never raises for the store: a store that cannot be read is left as it is."""
    if not store.exists():
        return
    try:
        src = sqlite3.connect(f"{store.resolve().as_uri()}?mode=rw", uri=True, isolation_level=None)
    except sqlite3.Error:
        return
    try:
        tables = _legacy_tables(src)
        if not tables and not _has_old_key(src):
            return
        try:
            key = pseudonym.load_key()
        except pseudonym.LogKeyError as exc:
            # The questions wait for a key; the ledger and deliveries move now.
            log.warning("the store's old question log is not moved yet: %s", exc)
            key = None
            tables.discard("questions")
        moved = _copy(ops, src, tables, key)
        done = _retire(ops, src, tables, key, moved, drop_key=key is not None)
        _note(store, ops, moved, done, key is not None)
    except sqlite3.Error as exc:
        log.warning("could not move the question log and Slack records out of %s: %s", store, exc)
    finally:
        src.close()


def _legacy_tables(src: sqlite3.Connection) -> set[str]:
    names = ("questions", *_KEYED)
    marks = ", ".join("?" * len(names))
    return {r[0] for r in src.execute(
        f"SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ({marks})", names  # noqa: S608
    )}  # fmt: skip


def _has_old_key(src: sqlite3.Connection) -> bool:
    try:
        return src.execute("SELECT 1 FROM meta WHERE key = ?", (OLD_KEY,)).fetchone() is not None
    except sqlite3.OperationalError:  # no meta table
        return False


def _copy(ops: sqlite3.Connection, src: sqlite3.Connection, tables: set[str], key) -> dict:
    """One transaction of ``ops``: what ``src`` has that ``ops`` has not. Returns counts."""
    moved: dict[str, int] = {}
    ops.execute("BEGIN IMMEDIATE")
    try:
        if "questions" in tables:
            moved["questions"] = _copy_questions(ops, src, key)
        for table in sorted(tables & set(_KEYED)):
            columns = _KEYED[table]
            names = ", ".join(columns)
            rows = src.execute(f"SELECT {names} FROM {table}").fetchall()  # noqa: S608
            before = ops.total_changes
            ops.executemany(
                f"INSERT OR IGNORE INTO {table} ({names})"  # noqa: S608
                f" VALUES ({', '.join('?' * len(columns))})",
                rows,
            )
            moved[table] = ops.total_changes - before
        ops.execute("COMMIT")
    except BaseException:
        if ops.in_transaction:
            ops.execute("ROLLBACK")
        raise
    return moved


def _copy_questions(ops: sqlite3.Connection, src: sqlite3.Connection, key: bytes) -> int:
    mark = QUESTIONS_COPIED + src.execute("PRAGMA database_list").fetchone()[2]
    row = ops.execute("SELECT value FROM meta WHERE key = ?", (mark,)).fetchone()
    copied = int(row[0]) if row else 0
    rows = src.execute(
        f"SELECT {', '.join(_QUESTION_COLUMNS)} FROM questions WHERE id > ? ORDER BY id",  # noqa: S608
        (copied,),
    ).fetchall()
    taken = {r[0] for r in ops.execute("SELECT id FROM questions")} if rows else set()
    for id_, asked_at, user_hash, surface, text, understood, status in rows:
        ops.execute(
            "INSERT INTO questions (id, asked_at, user_hash, surface, text, understood, status)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (None if id_ in taken else id_, asked_at, pseudonym.rekey(key, user_hash), surface,
             pseudonym.clean_text(text or ""), understood, status or ANSWERED),
        )  # fmt: skip
    if rows:
        ops.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (mark, str(rows[-1][0])),
        )
    return len(rows)


def _retire(ops, src, tables: set[str], key, moved: dict, *, drop_key: bool) -> bool:
    """Drop the copied tables (and the old key) from the store, under its write lock;
    False when the store is busy or read-only (the next start tries again)."""
    try:
        src.execute("PRAGMA busy_timeout = 100")  # never wait for an import
        src.execute("PRAGMA secure_delete = ON")
        src.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        log.info("the store's old operational tables stay until the next start (%s)", exc)
        return False
    try:
        # What a server of the previous version wrote since the first copy.
        for table, n in _copy(ops, src, tables, key).items():
            moved[table] = moved.get(table, 0) + n
        for table in sorted(tables):
            src.execute(f"DROP TABLE {table}")
        if drop_key:
            src.execute("DELETE FROM meta WHERE key = ?", (OLD_KEY,))
        src.execute("COMMIT")
    except BaseException:
        if src.in_transaction:
            src.execute("ROLLBACK")
        raise
    try:  # the old rows out of the WAL file too
        src.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error:
        pass
    return True


def _note(store: Path, ops: sqlite3.Connection, moved: dict, done: bool, rekeyed: bool) -> None:
    if not any(moved.values()) and not done:
        return
    counts = ", ".join(f"{n} {table}" for table, n in sorted(moved.items())) or "no rows"
    where = ops.execute("PRAGMA database_list").fetchone()[2]
    log.warning(
        "moved the operational records out of the store %s into %s (%s)%s%s",
        store, where, counts,
        "; the old questions' user pseudonyms were re-keyed with the new log key and the"
        " store's old key was deleted: one person's old and new questions no longer share a"
        " pseudonym (see docs/slack.md, 'The question log')" if rekeyed and moved.get("questions")
        else "",
        "" if done else "; the old tables are dropped from the store at the next start",
    )  # fmt: skip
