"""The operational database beside the store: its migrations, the move of the store's old
rows (every row once, also with two processes starting at once or an import holding the
store), and the duplicate check of Slack deliveries, durable and shared by processes."""

from __future__ import annotations

import multiprocessing
import sqlite3
import time
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest
from legacy_store import OLD_KEY, add_old_question, file_bytes, legacy_store, old_hash

from econ071.store import opsdb
from econ071.store.deliveries import Deliveries
from econ071.store.questionlog import QuestionLog
from econ071.summary import ledger

LEGACY_TABLES = {"questions", "slack_deliveries", "summaries", "summary_claims"}


def tables(db: Path) -> set[str]:
    with closing(sqlite3.connect(db)) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def question_rows(db: Path) -> list[tuple]:
    with closing(opsdb.connect(db)) as conn:
        return conn.execute("SELECT id, text, user_hash FROM questions ORDER BY id").fetchall()


@pytest.fixture
def old_store(store_path: Path, tmp_path: Path) -> Path:
    return legacy_store(store_path, tmp_path, questions=40)


def test_a_new_database_has_every_migration_applied_once(store_copy):
    with closing(opsdb.connect(store_copy)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == opsdb.schema_version()
        applied = [r[0] for r in conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY id",
            (opsdb.MIGRATION_SET,))]  # fmt: skip
    assert applied == [m.__name__ for m in opsdb.MIGRATIONS]
    assert LEGACY_TABLES | {"meta"} <= tables(opsdb.path_for(store_copy))


def test_adding_a_table_is_one_migration_and_keeps_the_rows(store_copy, monkeypatch):
    QuestionLog(store_copy).record("banen Leiden 2016", status="answered")

    def bookmarks(db) -> None:
        db["bookmarks"].create({"user_hash": str, "topic": str}, pk=("user_hash", "topic"))

    monkeypatch.setattr(opsdb, "MIGRATIONS", [*opsdb.MIGRATIONS, bookmarks])
    opsdb.forget()  # a restart with the new version
    with closing(opsdb.connect(store_copy)) as conn:
        conn.execute("INSERT INTO bookmarks VALUES ('h', 'banen')")
        assert conn.execute("PRAGMA user_version").fetchone()[0] == opsdb.schema_version()
        names = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    assert names[-1] == "bookmarks" and len(names) == len(opsdb.MIGRATIONS)
    assert [r[1] for r in question_rows(store_copy)] == ["banen Leiden 2016"]


def test_first_use_moves_every_old_row_once_and_retires_the_stores_tables(old_store, caplog):
    with closing(opsdb.connect(old_store)) as conn:
        rows = conn.execute(
            "SELECT id, text, user_hash, status FROM questions ORDER BY id"
        ).fetchall()
        assert ledger.posted(conn, "C0SUM", "2026-W01").message_ts == "1.1"
        with pytest.raises(ledger.InProgress):  # the claim moved too (it is not stale here)
            ledger.claim(conn, "C0SUM", "2026-W02",
                         now=datetime.fromisoformat("2026-01-12T08:01:00+00:00"))  # fmt: skip
    assert [r[0] for r in rows] == list(range(1, 41))  # every row, in order, ids kept
    assert all("<@" not in text and "U0COLLEAG1" not in text for _, text, _, _ in rows)
    assert rows[0][1] == "banen Leiden 2016 vraag 1 voor @…"
    assert len({r[2] for r in rows}) == 5  # one person's questions still share a pseudonym
    assert not {r[2] for r in rows} & {old_hash(f"U0USER{i:04d}") for i in range(5)}
    assert Deliveries(old_store).first("msg:T0:C0:1.1") is False  # its old delivery record
    assert not tables(old_store) & LEGACY_TABLES
    with closing(sqlite3.connect(old_store)) as store:
        assert (
            store.execute("SELECT 1 FROM meta WHERE key = 'questionlog_hmac_key'").fetchone()
            is None
        )
    raw = file_bytes(old_store)
    assert OLD_KEY.encode() not in raw and old_hash("U0USER0000").encode() not in raw
    assert "re-keyed" in caplog.text and "40 questions" in caplog.text
    opsdb.forget()  # started again: nothing moved twice
    assert question_rows(old_store) == [r[:3] for r in rows]


def _start(db: str, worker: int, barrier) -> None:
    barrier.wait(timeout=30)
    assert QuestionLog(Path(db)).record(f"new {worker}", status="answered", user_id="U0NEW00001")


def test_processes_starting_at_once_move_the_old_rows_once(old_store):
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(4)
    procs = [ctx.Process(target=_start, args=(str(old_store), w, barrier)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=60)
    assert [p.exitcode for p in procs] == [0] * 4
    rows = question_rows(old_store)
    texts = [r[1] for r in rows]
    assert len(rows) == 44 and len(set(texts)) == 44
    assert {f"new {w}" for w in range(4)} <= set(texts)
    with closing(opsdb.connect(old_store)) as conn:
        assert conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == len(
            opsdb.MIGRATIONS
        )
        assert conn.execute("SELECT count(*) FROM summaries").fetchone()[0] == 1


def test_an_import_holding_the_store_delays_only_the_clean_up_and_loses_nothing(old_store):
    importer = sqlite3.connect(old_store, isolation_level=None)
    importer.execute("BEGIN IMMEDIATE")  # the store's write lock, as an import holds it
    started = time.monotonic()
    with closing(opsdb.connect(old_store)) as conn:
        assert conn.execute("SELECT count(*) FROM questions").fetchone()[0] == 40
        assert ledger.posted(conn, "C0SUM", "2026-W01") is not None
    assert time.monotonic() - started < 2  # never waits for the import
    importer.execute("ROLLBACK")
    importer.close()
    assert LEGACY_TABLES <= tables(old_store)  # dropped at the next start
    add_old_question(old_store, "late question from an old server")
    QuestionLog(old_store).record("new question", status="answered")
    opsdb.forget()
    texts = [r[1] for r in question_rows(old_store)]
    assert len(texts) == 42 and texts.count("late question from an old server") == 1
    assert not tables(old_store) & LEGACY_TABLES


def _claim_all(db: str, keys: list[str], out) -> None:
    deliveries = Deliveries(Path(db))
    out.put(sum(deliveries.first(k) for k in keys))


def test_each_delivery_is_claimed_once_across_processes_and_restarts(store_copy):
    keys = [Deliveries.message_key("T0", "C0", f"17000000{i:02d}.1") for i in range(30)]
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    procs = [ctx.Process(target=_claim_all, args=(str(store_copy), keys, out)) for _ in range(3)]
    for p in procs:
        p.start()
    won = sum(out.get(timeout=60) for _ in procs)
    for p in procs:
        p.join(timeout=60)
    assert won == len(keys)  # each key won by exactly one process
    opsdb.forget()  # a restarted server remembers them
    assert not any(Deliveries(store_copy).first(k) for k in keys)


def test_econ071_ops_db_overrides_the_place_and_may_serve_two_stores(
    store_path, tmp_path, monkeypatch
):
    shared = tmp_path / "elsewhere" / "ops.sqlite"
    shared.parent.mkdir()
    monkeypatch.setenv("ECON071_OPS_DB", str(shared))
    stores = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        stores.append(legacy_store(store_path, tmp_path / name, questions=10))
    for store in stores:
        assert opsdb.path_for(store) == shared
        opsdb.connect(store).close()
    assert len(question_rows(stores[0])) == 20  # both stores' old questions, none skipped
    assert not any(p.name.endswith("-ops.sqlite") for s in stores for p in s.parent.iterdir())


def test_without_a_usable_key_the_old_questions_wait_and_the_ledger_moves(old_store, caplog):
    from econ071.core import paths
    from econ071.store import pseudonym

    pseudonym.load_key()
    paths.log_key_path().chmod(0o644)  # refused: others may read it
    with closing(opsdb.connect(old_store)) as conn:
        assert ledger.posted(conn, "C0SUM", "2026-W01") is not None
        assert conn.execute("SELECT count(*) FROM questions").fetchone()[0] == 0
    assert "questions" in tables(old_store) and "summaries" not in tables(old_store)
    assert "not moved yet" in caplog.text and "chmod 600" in caplog.text
    paths.log_key_path().chmod(0o600)
    opsdb.forget()
    assert len(question_rows(old_store)) == 40
    assert not tables(old_store) & LEGACY_TABLES
    assert OLD_KEY.encode() not in file_bytes(old_store)
