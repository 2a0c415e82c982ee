"""Exactly once, in the store: a claim before the post, the record after it, the claim
given back when the post failed; a second claimant gets nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from econ071.summary import ledger

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture
def conn(tmp_path: Path):
    connection = ledger.connect(tmp_path / "ledger.sqlite")  # the tables come with it
    yield connection
    connection.close()


def test_claim_record_and_a_second_claim_in_the_same_week(conn):
    held = ledger.claim(conn, "C1", "2026-W48", now=NOW)
    ledger.record(conn, held, message_ts="1.1", spotlight="werkloosheid", now=NOW)
    assert ledger.posted(conn, "C1", "2026-W48") == ledger.Posted(
        "C1", "2026-W48", "2026-11-23T08:00:00+00:00", "1.1", "werkloosheid"
    )
    with pytest.raises(ledger.AlreadyPosted, match="already posted to C1 at 2026-11-23"):
        ledger.claim(conn, "C1", "2026-W48", now=NOW + timedelta(hours=1))
    # Other weeks and other channels are free.
    ledger.claim(conn, "C1", "2026-W49", now=NOW)
    ledger.claim(conn, "C2", "2026-W48", now=NOW)


def test_a_live_claim_keeps_a_second_process_off(tmp_path):
    first, second = (ledger.connect(tmp_path / "shared.sqlite") for _ in range(2))
    ledger.claim(first, "C1", "2026-W48", now=NOW)
    with pytest.raises(ledger.InProgress, match="another run has been posting"):
        ledger.claim(second, "C1", "2026-W48", now=NOW + timedelta(minutes=1))
    with pytest.raises(ledger.InProgress):  # --force never overrides a live claim
        ledger.claim(second, "C1", "2026-W48", now=NOW + timedelta(minutes=1), force=True)


def test_a_released_claim_lets_the_next_run_post(conn):
    held = ledger.claim(conn, "C1", "2026-W48", now=NOW)
    ledger.release(conn, held)
    assert ledger.posted(conn, "C1", "2026-W48") is None
    ledger.claim(conn, "C1", "2026-W48", now=NOW + timedelta(minutes=1))


def test_a_claim_of_a_process_that_died_is_taken_over_after_the_timeout(conn):
    ledger.claim(conn, "C1", "2026-W48", now=NOW)
    later = NOW + ledger.CLAIM_TIMEOUT + timedelta(seconds=1)
    held = ledger.claim(conn, "C1", "2026-W48", now=later)
    assert held.claimed_at == later.isoformat()


def test_force_replaces_the_record_of_the_week(conn):
    ledger.record(conn, ledger.claim(conn, "C1", "2026-W48", now=NOW), message_ts="1.1",
                  spotlight=None, now=NOW)  # fmt: skip
    held = ledger.claim(conn, "C1", "2026-W48", now=NOW, force=True)
    ledger.record(conn, held, message_ts="2.2", spotlight=None, now=NOW + timedelta(hours=1))
    assert ledger.posted(conn, "C1", "2026-W48").message_ts == "2.2"
    assert conn.execute("SELECT count(*) FROM summary_claims").fetchone() == (0,)


def test_last_posted_is_per_channel_and_before_the_moment(conn):
    for channel, when in (("C1", NOW - timedelta(days=7)), ("C2", NOW - timedelta(days=1))):
        held = ledger.claim(conn, channel, "w" + channel, now=when)
        ledger.record(conn, held, message_ts="1", spotlight=None, now=when)
    assert ledger.last_posted(conn, "C1", before=NOW) == NOW - timedelta(days=7)
    assert ledger.last_posted(conn, None, before=NOW) == NOW - timedelta(days=1)
    assert ledger.last_posted(conn, "C2", before=NOW - timedelta(days=2)) is None
