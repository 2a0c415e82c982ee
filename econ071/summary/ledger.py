"""Exactly once: which weekly summaries were posted, and which are being posted now.

The ledger lives in the operational database beside the store (econ071/store/opsdb.py),
where an import does not block it. A post goes through three steps, each a short
transaction:

1. ``claim``: in one ``BEGIN IMMEDIATE`` transaction, check that the channel has no
   summary for the ISO week and that no other process holds a live claim on it, then
   write the claim. A second process (a restart, a second server, a cron run beside the
   scheduler) finds the summary or the claim and posts nothing.
2. ``record``: after Slack accepted the message, write its ``summaries`` row (with the
   message ts) and drop the claim, in one transaction.
3. ``release``: when the post failed, drop the claim, so that the next run tries again.

A claim older than ``CLAIM_TIMEOUT`` belongs to a process that died; the next run takes
it over. The timeout is far longer than a post with all its retries can take, so a live
post is never doubled. The one case left is a process that dies in the instant between
Slack's answer and ``record``: that week may then be posted twice, once.

Only the standard library's sqlite3 here.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from econ071.store import opsdb

CLAIM_TIMEOUT = timedelta(minutes=15)


class AlreadyPosted(Exception):
    "This channel already has its summary for this ISO week"

    def __init__(self, posted: Posted):
        self.posted = posted
        super().__init__(
            f"the summary for {posted.iso_week} was already posted to {posted.channel}"
            f" at {posted.posted_at} (message ts {posted.message_ts or 'unknown'})"
        )


class InProgress(Exception):
    "Another process is posting this channel's summary for this ISO week right now"

    def __init__(self, channel: str, iso_week: str, claimed_at: str):
        self.channel, self.iso_week, self.claimed_at = channel, iso_week, claimed_at
        super().__init__(
            f"another run has been posting the summary for {iso_week} to {channel}"
            f" since {claimed_at}"
        )


@dataclass(frozen=True)
class Posted:
    channel: str
    iso_week: str
    posted_at: str
    message_ts: str | None
    spotlight: str | None


@dataclass(frozen=True)
class Claim:
    channel: str
    iso_week: str
    token: str
    claimed_at: str


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def connect(db_path: Path | None = None) -> sqlite3.Connection:
    """A connection to the ledger of the store ``db_path``, in autocommit mode
    (transactions are explicit)."""
    return opsdb.connect(db_path)


def posted(conn: sqlite3.Connection, channel: str, iso_week: str) -> Posted | None:
    row = conn.execute(
        "SELECT channel, iso_week, posted_at, message_ts, spotlight FROM summaries"
        " WHERE channel = ? AND iso_week = ?",
        (channel, iso_week),
    ).fetchone()
    return Posted(*row) if row else None


def last_posted(conn: sqlite3.Connection, channel: str | None, before: datetime) -> datetime | None:
    """When the last summary before ``before`` was posted (to ``channel``, or to any
    channel when it is None)."""
    sql = "SELECT max(posted_at) FROM summaries WHERE julianday(posted_at) < julianday(?)"
    params: list[str] = [_iso(before)]
    if channel:
        sql += " AND channel = ?"
        params.append(channel)
    (value,) = conn.execute(sql, params).fetchone()
    return datetime.fromisoformat(value).astimezone(UTC) if value else None


def claim(
    conn: sqlite3.Connection,
    channel: str,
    iso_week: str,
    *,
    now: datetime,
    force: bool = False,
    timeout: timedelta = CLAIM_TIMEOUT,
) -> Claim:
    """Claim the channel's summary for the ISO week, or raise ``AlreadyPosted`` /
    ``InProgress``. ``force`` ignores an earlier summary, never a live claim."""
    token = uuid.uuid4().hex
    conn.execute("BEGIN IMMEDIATE")
    try:
        done = posted(conn, channel, iso_week)
        if done and not force:
            raise AlreadyPosted(done)
        held = conn.execute(
            "SELECT claimed_at FROM summary_claims WHERE channel = ? AND iso_week = ?",
            (channel, iso_week),
        ).fetchone()
        if held and datetime.fromisoformat(held[0]) > now - timeout:
            raise InProgress(channel, iso_week, held[0])
        conn.execute(
            "INSERT OR REPLACE INTO summary_claims (channel, iso_week, claimed_at, token)"
            " VALUES (?, ?, ?, ?)",
            (channel, iso_week, _iso(now), token),
        )
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # SQLite may have rolled back already (a full disk)
            conn.execute("ROLLBACK")
        raise
    return Claim(channel, iso_week, token, _iso(now))


def record(
    conn: sqlite3.Connection,
    held: Claim,
    *,
    message_ts: str,
    spotlight: str | None,
    now: datetime,
) -> None:
    """The summary was posted: keep it (replacing an earlier one of a forced run) and
    drop the claim."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(
            "INSERT OR REPLACE INTO summaries (channel, iso_week, posted_at, message_ts,"
            " spotlight) VALUES (?, ?, ?, ?, ?)",
            (held.channel, held.iso_week, _iso(now), message_ts, spotlight),
        )
        conn.execute(
            "DELETE FROM summary_claims WHERE channel = ? AND iso_week = ? AND token = ?",
            (held.channel, held.iso_week, held.token),
        )
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # SQLite may have rolled back already (a full disk)
            conn.execute("ROLLBACK")
        raise


def release(conn: sqlite3.Connection, held: Claim) -> None:
    """The post failed: give the week back, so that the next run posts it."""
    conn.execute(
        "DELETE FROM summary_claims WHERE channel = ? AND iso_week = ? AND token = ?",
        (held.channel, held.iso_week, held.token),
    )
