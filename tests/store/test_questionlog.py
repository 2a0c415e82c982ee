"""The question log: in its own database, keyed user hashes, unanswered first, several
writers, never in the way."""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import sqlite3
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from slack_harness import copy_store

from econ071.cli.main import main
from econ071.store import opsdb
from econ071.store.questionlog import QuestionLog, understood


@pytest.fixture
def log_db(store_path: Path, tmp_path: Path) -> Path:
    return copy_store(store_path, tmp_path)


@pytest.fixture
def qlog(log_db: Path) -> QuestionLog:
    q = QuestionLog(log_db)
    q.prepare()
    return q


def test_the_log_lives_beside_the_store_in_its_own_wal_database(qlog, log_db):
    ops = log_db.with_name("econ071-ops.sqlite")
    assert opsdb.path_for(log_db) == ops and ops.exists()
    with closing(sqlite3.connect(ops)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with closing(opsdb.connect(log_db)) as conn:
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    qlog.record("banen", status="answered")
    with closing(sqlite3.connect(log_db)) as store:  # nothing of it in the figures' store
        tables = {r[0] for r in store.execute("SELECT name FROM sqlite_master")}
    assert not tables & {"questions", "slack_deliveries", "summaries", "summary_claims"}


def test_user_hash_is_keyed_with_a_key_outside_the_store(qlog, log_db, tmp_path, monkeypatch):
    h = qlog.user_hash("U0ALICE")
    assert h == qlog.user_hash("U0ALICE") and h != qlog.user_hash("U0BOB")
    assert "U0ALICE" not in h
    assert h not in hashlib.sha256(b"U0ALICE").hexdigest()  # not reversible by lookup
    (tmp_path / "copy").mkdir()
    copied = copy_store(log_db, tmp_path / "copy")
    assert QuestionLog(copied).user_hash("U0ALICE") == h  # the key is the installation's …
    monkeypatch.setenv("ECON071_LOG_KEY", "another-installation-" + "k" * 32)
    assert QuestionLog(copied).user_hash("U0ALICE") != h  # … not the store's


def test_rows_hold_time_hash_text_understanding_and_status_never_the_id(qlog, engine, log_db):
    answer = engine.ask("banen Leiden 2016")
    assert qlog.record_answer(answer, text="banen Leiden 2016", user_id="U0ALICE", surface="dm")
    [row] = qlog.questions()
    assert row.text == "banen Leiden 2016" and row.surface == "dm" and row.status == "answered"
    assert row.understood == understood(answer) == "figure banen GM0546 2016"
    assert datetime.fromisoformat(row.asked_at).tzinfo is not None
    for path in (log_db, opsdb.path_for(log_db)):
        with closing(sqlite3.connect(path)) as conn:
            assert "U0ALICE" not in "\n".join(conn.iterdump())


def test_understood_names_options_and_error_references(engine):
    assert understood(engine.ask("xyzzy")).startswith("not_found - - -")
    from econ071.slackapp.blocks import error_answer

    assert understood(error_answer("q", "abcd1234")).endswith("ref=abcd1234")


def test_unanswered_first_then_newest(qlog):
    day = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    for minute, (text, status) in enumerate(
        [("a", "answered"), ("b", "not found"), ("c", "clarify"), ("d", "answered"),
         ("e", "not found"), ("f", "error")]
    ):  # fmt: skip
        qlog.record(text, status=status, asked_at=day.replace(minute=minute))
    assert [q.text for q in qlog.questions()] == ["e", "b", "c", "f", "d", "a"]


def test_since_filters_by_day(qlog):
    qlog.record("oud", status="answered", asked_at=datetime(2024, 12, 31, 23, 0, tzinfo=UTC))
    qlog.record("nieuw", status="answered", asked_at=datetime(2025, 1, 1, 8, 0, tzinfo=UTC))
    assert [q.text for q in qlog.questions(since=date(2025, 1, 1))] == ["nieuw"]


def test_a_log_that_cannot_be_written_returns_false_and_warns(qlog, log_db, caplog):
    with closing(opsdb.connect(log_db)) as conn:
        conn.execute(
            "CREATE TRIGGER full BEFORE INSERT ON questions"
            " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
        )
    with caplog.at_level(logging.WARNING):
        assert qlog.record("banen", status="answered", user_id="U0ALICE") is False
    assert "could not log a question" in caplog.text
    assert QuestionLog(Path("/nonexistent/dir/x.sqlite")).record("x", status="answered") is False


def _writer(db: str, worker: int, rows: int) -> None:
    q = QuestionLog(Path(db))
    for i in range(rows):
        assert q.record(f"w{worker}-{i}", status="answered", user_id=f"U{worker}", surface="dm")


def test_several_processes_write_at_once_without_losing_rows(qlog, log_db):
    workers, rows = 4, 150
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(str(log_db), w, rows)) for w in range(workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=60)
    assert [p.exitcode for p in procs] == [0] * workers
    texts = {q.text for q in qlog.questions()}
    assert len(texts) == workers * rows
    assert len({q.user_hash for q in qlog.questions()}) == workers


def test_vragen_lists_unanswered_first(qlog, log_db, monkeypatch):
    monkeypatch.setenv("ECON071_DB", str(log_db))
    qlog.record("banen Leiden 2016", status="answered", understood="figure banen GM0546 2016",
                asked_at=datetime(2025, 3, 2, 9, 0, tzinfo=UTC))  # fmt: skip
    qlog.record("xyzzy", status="not found", understood="not_found - - -",
                asked_at=datetime(2025, 3, 1, 9, 0, tzinfo=UTC))  # fmt: skip
    qlog.record("oud", status="not found", asked_at=datetime(2024, 1, 1, 9, 0, tzinfo=UTC))
    result = CliRunner().invoke(main, ["vragen", "--sinds", "2025-01-01"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "2 vragen sinds 2025-01-01: 1 geen antwoord, 1 beantwoord."
    assert "xyzzy" in lines[1] and "geen antwoord" in lines[1]
    assert "banen Leiden 2016" in lines[2] and "[figure banen GM0546 2016]" in lines[2]
    assert "oud" not in result.output
    as_json = CliRunner().invoke(main, ["vragen", "--json", "--limit", "1"])
    assert as_json.exit_code == 0, as_json.output
    # One row (--limit), the newest unanswered question first.
    assert [row["text"] for row in json.loads(as_json.output)] == ["xyzzy"]


def test_vragen_lists_answers_marked_unhelpful_first(qlog, log_db, monkeypatch):
    monkeypatch.setenv("ECON071_DB", str(log_db))
    qlog.record("xyzzy", status="not found", asked_at=datetime(2025, 3, 2, 9, 0, tzinfo=UTC))
    qlog.record("banen Leiden 2016", status="answered",
                asked_at=datetime(2025, 3, 1, 9, 0, tzinfo=UTC))  # fmt: skip
    assert qlog.record_feedback("banen Leiden 2016", helpful=False, user_id="U0ALICE")
    assert qlog.record_feedback("xyzzy", helpful=True, user_id="U0BOB")
    rows = qlog.questions()
    assert [(r.text, r.unhelpful) for r in rows] == [("banen Leiden 2016", 1), ("xyzzy", 0)]
    result = CliRunner().invoke(main, ["vragen"])
    lines = result.output.splitlines()
    assert "1 als niet nuttig gemarkeerd" in lines[0]
    assert "niet nuttig (1×)  banen Leiden 2016" in lines[1]
    with closing(opsdb.connect(log_db)) as conn:
        hashes = [h for (h,) in conn.execute("SELECT user_hash FROM feedback")]
    assert hashes == [qlog.user_hash("U0ALICE"), qlog.user_hash("U0BOB")]
    assert not any("U0" in h for h in hashes)


def test_vragen_without_a_store_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("ECON071_DB", str(tmp_path / "none.sqlite"))
    result = CliRunner().invoke(main, ["vragen"])
    assert result.exit_code == 1 and "no store at" in result.output
    assert not (tmp_path / "none.sqlite").exists()


def test_bad_date_is_refused(qlog, log_db, monkeypatch):
    monkeypatch.setenv("ECON071_DB", str(log_db))
    result = CliRunner().invoke(main, ["vragen", "--sinds", "gisteren"])
    assert result.exit_code == 2 and "--sinds" in result.output
