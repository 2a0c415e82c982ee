"""A store as the previous version left it: the question log, the Slack delivery records
and the weekly-summary ledger in the store itself, user ids hashed with a key kept in its
``meta`` table (what econ071/store/opsdb_legacy.py moves out)."""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
from contextlib import closing
from pathlib import Path

from slack_harness import copy_store

OLD_KEY = "5f1c0b7e9a3d4c2b8e6f0a1d3c5b7e9f2a4c6e8b0d1f3a5c7e9b2d4f6a8c0e1b"
COLLEAGUE = "U0COLLEAG1"
USERS = [f"U0USER{i:04d}" for i in range(5)]
OLD_SCHEMA = """
CREATE TABLE questions (id INTEGER PRIMARY KEY, asked_at TEXT NOT NULL, user_hash TEXT,
    surface TEXT, text TEXT NOT NULL, understood TEXT, status TEXT NOT NULL);
CREATE TABLE summaries (channel TEXT NOT NULL, iso_week TEXT NOT NULL, posted_at TEXT NOT NULL,
    message_ts TEXT, spotlight TEXT, PRIMARY KEY (channel, iso_week));
CREATE TABLE summary_claims (channel TEXT NOT NULL, iso_week TEXT NOT NULL,
    claimed_at TEXT NOT NULL, token TEXT NOT NULL, PRIMARY KEY (channel, iso_week));
CREATE TABLE slack_deliveries (key TEXT PRIMARY KEY, seen_at REAL NOT NULL);
"""


def old_hash(user_id: str) -> str:
    return hmac.new(bytes.fromhex(OLD_KEY), user_id.encode(), hashlib.sha256).hexdigest()[:32]


def add_old_question(db: Path, text: str, user: str = USERS[0]) -> None:
    """What a server of the previous version, still running, writes."""
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute(
            "INSERT INTO questions (asked_at, user_hash, surface, text, understood, status)"
            " VALUES ('2026-02-01T10:00:00+00:00', ?, 'dm', ?, NULL, 'answered')",
            (old_hash(user), text),
        )


def legacy_store(store: Path, directory: Path, questions: int = 40) -> Path:
    db = copy_store(store, directory)
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.executescript(OLD_SCHEMA)
        conn.execute("INSERT INTO meta (key, value) VALUES ('questionlog_hmac_key', ?)", (OLD_KEY,))
        conn.executemany(
            "INSERT INTO questions (id, asked_at, user_hash, surface, text, understood, status)"
            " VALUES (?, ?, ?, 'mention', ?, 'figure banen GM0546 2016', ?)",
            [(i, f"2026-01-{1 + i % 28:02d}T09:{i % 60:02d}:00+00:00", old_hash(USERS[i % 5]),
              f"banen Leiden 2016 vraag {i} voor <@{COLLEAGUE}>",
              "answered" if i % 3 else "not found") for i in range(1, questions + 1)],
        )  # fmt: skip
        conn.execute(
            "INSERT INTO summaries VALUES ('C0SUM', '2026-W01', '2026-01-05T08:00:00+00:00',"
            " '1.1', 'banen')"
        )
        conn.execute(
            "INSERT INTO summary_claims VALUES ('C0SUM', '2026-W02', '2026-01-12T08:00:00+00:00',"
            " 'token1')"
        )
        conn.execute("INSERT INTO slack_deliveries VALUES ('msg:T0:C0:1.1', 1700000000.0)")
    return db


def file_bytes(db: Path) -> bytes:
    """The database file and its WAL, as they lie on disk."""
    return b"".join(p.read_bytes() for p in (db, Path(f"{db}-wal")) if p.exists())
