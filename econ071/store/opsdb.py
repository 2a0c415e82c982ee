"""The operational database: what the assistant writes about its own work, apart from
the figures.

The question log, the Slack delivery records (one answer per message, however often
Slack delivers it) and the weekly-summary ledger live in a second SQLite file beside the
store, ``<store stem>-ops.sqlite`` (``ECON071_OPS_DB`` overrides). An import or a sync
holds the store's write lock for as long as it runs; here nothing waits for it. The file
is in WAL mode (readers and the one writer never block each other) and every connection
waits for a lock (busy timeout) rather than failing.

    conn = opsdb.connect(store_path)   # the one way in: prepared, WAL, busy timeout
    conn = opsdb.kept(store_path)      # the same, kept per thread (for every answer's writes)

The schema is a list of sqlite-utils migrations (``MIGRATIONS``), applied on first use in
each process, in one ``BEGIN IMMEDIATE`` transaction, so two processes starting at once
apply them once. To add a table, append one function to ``MIGRATIONS``::

    def follows(db: Database) -> None:
        db["follows"].create({"user_hash": str, "topic": str, "since": str},
                             pk=("user_hash", "topic"), not_null={"since"})

Never edit, rename or reorder one that was released: sqlite-utils records each by its
name in ``_sqlite_migrations``, and a store of last month still has to arrive at the
same schema. The file's ``user_version`` holds a checksum of the names: when it matches,
nothing is pending and sqlite-utils (slow to import) is not even loaded.

After the migrations, rows the store still holds from before this file existed are moved
here (``opsdb_legacy``). Only the standard library's sqlite3 on the fast path.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from econ071.core import paths

if TYPE_CHECKING:
    from sqlite_utils import Database

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10000
MIGRATION_SET = "econ071-ops"


# -- the schema: one function per step, in order -----------------------------------------
def question_log(db: Database) -> None:
    db["questions"].create(
        {"id": int, "asked_at": str, "user_hash": str, "surface": str, "text": str,
         "understood": str, "status": str},
        pk="id", not_null={"asked_at", "text", "status"},
    )  # fmt: skip
    db["questions"].create_index(["asked_at"], index_name="questions_asked_at")


def slack_deliveries(db: Database) -> None:
    db["slack_deliveries"].create({"key": str, "seen_at": float}, pk="key", not_null={"seen_at"})
    db["slack_deliveries"].create_index(["seen_at"], index_name="slack_deliveries_seen_at")


def weekly_summaries(db: Database) -> None:
    db["summaries"].create(
        {"channel": str, "iso_week": str, "posted_at": str, "message_ts": str, "spotlight": str},
        pk=("channel", "iso_week"), not_null={"channel", "iso_week", "posted_at"},
    )  # fmt: skip
    # A summary being posted: claimed before the post, replaced by its summaries row after
    # it, deleted when the post fails (see summary_ledger).
    db["summary_claims"].create(
        {"channel": str, "iso_week": str, "claimed_at": str, "token": str},
        pk=("channel", "iso_week"), not_null={"channel", "iso_week", "claimed_at", "token"},
    )  # fmt: skip


def meta(db: Database) -> None:
    """Bookkeeping of this file (e.g. how far the store's old rows were moved here)."""
    db["meta"].create({"key": str, "value": str}, pk="key")


def feedback(db: Database) -> None:
    """👍 / 👎 under answers in Slack: one row per vote, with the question as asked and how
    it was understood."""
    db["feedback"].create(
        {"id": int, "given_at": str, "user_hash": str, "surface": str, "text": str,
         "understood": str, "helpful": int},
        pk="id", not_null={"given_at", "text", "helpful"},
    )  # fmt: skip
    db["feedback"].create_index(["text", "helpful"], index_name="feedback_text")


def follows(db: Database) -> None:
    """Who follows which figure (econ071/store/follows.py), and which release they were told
    about: one direct message per release."""
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS follows (
            id INTEGER PRIMARY KEY,
            user_hash TEXT NOT NULL,
            user_id TEXT NOT NULL,  -- raw Slack user id: needed to send the direct message
            indicator TEXT NOT NULL,
            place TEXT NOT NULL,
            question TEXT NOT NULL,  -- asked again for the message, e.g. 'werkloosheid Leiden'
            created_at TEXT NOT NULL,
            after_import INTEGER NOT NULL DEFAULT 0,  -- the store's last import when followed
            UNIQUE (user_hash, indicator, place)
        );
        CREATE TABLE IF NOT EXISTS follow_notices (
            follow_id INTEGER NOT NULL,
            import_id INTEGER NOT NULL,
            sent_at TEXT NOT NULL,
            PRIMARY KEY (follow_id, import_id)
        );
        """
    )


MIGRATIONS: list[Callable[[Database], None]] = [
    question_log,
    slack_deliveries,
    weekly_summaries,
    meta,
    feedback,
    follows,
]


def schema_version() -> int:
    """A checksum of the migrations' names (stored as the file's user_version)."""
    return zlib.crc32("\n".join(m.__name__ for m in MIGRATIONS).encode()) & 0x7FFFFFFF


def migrations():
    """The sqlite-utils Migrations of ``MIGRATIONS``."""
    from sqlite_utils.migrations import Migrations

    registered = Migrations(MIGRATION_SET)
    for step in MIGRATIONS:
        registered(name=step.__name__)(step)
    return registered


# -- connecting --------------------------------------------------------------------------
_prepared: set[tuple[Path, Path]] = set()
_prepare_lock = threading.Lock()


def path_for(store: Path | None = None) -> Path:
    return paths.ops_db_path(store)


def connect(store: Path | None = None) -> sqlite3.Connection:
    """A connection to the operational database of ``store`` (default: ECON071_DB), in
    autocommit mode (transactions are explicit), usable from any thread. Made and
    migrated on first use, with the store's old rows moved in."""
    store = store or paths.db_path()
    ops = path_for(store)
    key = (ops, store)
    if key not in _prepared or not ops.exists():
        with _prepare_lock:
            if key not in _prepared or not ops.exists():
                prepare(ops, store)
                _prepared.add(key)
    return _open(ops)


_local = threading.local()


def kept(store: Path | None = None) -> sqlite3.Connection:
    """This thread's kept connection (from ``connect``), for the writes of every answer.
    Not closed after each write: closing the last connection to a WAL database
    checkpoints and syncs it, 8 ms instead of 0.05 ms. Never shared between threads or
    across a fork. After an error, ``drop_kept`` and start afresh."""
    store = store or paths.db_path()
    if getattr(_local, "pid", None) != os.getpid():
        _local.conns, _local.pid = {}, os.getpid()
    conn = _local.conns.get(store)
    if conn is None or not path_for(store).exists():
        if conn is not None:
            conn.close()
        conn = _local.conns[store] = connect(store)
    return conn


def drop_kept(store: Path | None = None) -> None:
    conns = getattr(_local, "conns", {}) if getattr(_local, "pid", None) == os.getpid() else {}
    conn = conns.pop(store or paths.db_path(), None)
    if conn is not None:
        try:
            conn.close()
        except sqlite3.Error:
            pass


def _open(ops: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(
        ops, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA synchronous = NORMAL")  # durable enough in WAL mode
        conn.execute("PRAGMA secure_delete = ON")  # what is deleted is gone from the file
    except BaseException:
        conn.close()
        raise
    return conn


def prepare(ops: Path, store: Path) -> None:
    """Make the file (WAL), apply pending migrations, move the store's old rows in."""
    conn = _open(ops)  # its directory is the store's (or ECON071_OPS_DB's): not made here
    try:
        _wal(conn)
        if conn.execute("PRAGMA user_version").fetchone()[0] != schema_version():
            _migrate(conn, ops)
        from econ071.store import opsdb_legacy

        opsdb_legacy.move_from_store(conn, store)
    finally:
        conn.close()


def _wal(conn: sqlite3.Connection) -> None:
    # Switching needs the file to itself for a moment; another process doing the same at
    # the same time can make it fail with "locked" at once, without the busy handler.
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _migrate(conn: sqlite3.Connection, ops: Path) -> None:
    from sqlite_utils import Database

    conn.execute("BEGIN IMMEDIATE")  # one process at a time; the others wait, then see it done
    try:
        if conn.execute("PRAGMA user_version").fetchone()[0] != schema_version():
            db = Database(conn, recursive_triggers=False, execute_plugins=False)
            pending = [m.name for m in migrations().pending(db)]
            migrations().apply(db)  # each step in a savepoint of this transaction
            conn.execute(f"PRAGMA user_version = {schema_version()}")
            if pending:
                log.info("operational database %s: applied %s", ops, ", ".join(pending))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def forget() -> None:
    """Forget which databases this process prepared (as a restart would): the next
    connect checks the migrations and the store's old rows again."""
    with _prepare_lock:
        _prepared.clear()
