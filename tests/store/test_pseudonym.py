"""Real pseudonyms: the key lives outside both database files (an owner-only key file made
on first use, or ECON071_LOG_KEY), so the files alone re-identify nobody; logged text
holds no user id and has a sane length."""

from __future__ import annotations

import hashlib
import hmac
import multiprocessing
import os
import re
import sqlite3
import stat
import time
from contextlib import closing

import pytest
from legacy_store import COLLEAGUE, USERS, file_bytes, legacy_store

from econ071.core import paths
from econ071.store import opsdb, pseudonym
from econ071.store.questionlog import QuestionLog

ALICE, BOB = "U0ALICE001", "W0BOB00002"


def test_the_key_file_is_made_on_first_use_owner_only_outside_the_store(store_copy):
    key_file = paths.log_key_path()
    assert not key_file.exists()
    h = QuestionLog(store_copy).user_hash(ALICE)
    assert key_file.exists() and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) & 0o077 == 0
    assert key_file.parent != store_copy.parent
    assert QuestionLog(store_copy).user_hash(ALICE) == h  # read back, not made again


def test_a_key_file_others_may_read_is_refused_with_the_fix(store_copy, caplog):
    key_file = paths.log_key_path()
    pseudonym.load_key()
    key_file.chmod(0o644)
    with pytest.raises(pseudonym.LogKeyError, match=r"may be read by others.*chmod 600"):
        pseudonym.load_key()
    # The question is still logged, without a pseudonym, and the admin is told why.
    log = QuestionLog(store_copy)
    assert log.record("banen", status="answered", user_id=ALICE)
    assert [q.user_hash for q in log.questions()] == [None]
    assert "chmod 600" in caplog.text


def test_the_key_can_come_from_the_environment(monkeypatch):
    made = pseudonym.load_key()  # the key file's content …
    monkeypatch.setenv("ECON071_LOG_KEY", made.decode())
    assert pseudonym.load_key() == made  # … moved into the variable: the same pseudonyms
    monkeypatch.setenv("ECON071_LOG_KEY", "kort")
    with pytest.raises(pseudonym.LogKeyError, match="too short"):
        pseudonym.load_key()


def _load(out) -> None:
    out.put(pseudonym.load_key())


def test_processes_making_the_key_at_once_agree_on_it():
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    procs = [ctx.Process(target=_load, args=(out,)) for _ in range(4)]
    for p in procs:
        p.start()
    keys = {out.get(timeout=30) for _ in procs}
    for p in procs:
        p.join(timeout=30)
    assert len(keys) == 1 and keys == {pseudonym.load_key()}
    assert [p.name for p in paths.log_key_path().parent.iterdir()] == ["log.key"]


def test_mentions_of_people_and_user_ids_are_removed_from_logged_text():
    cleaned = pseudonym.clean_text(
        f"banen van <@{ALICE}> en <@{BOB}|bob> of {ALICE}, UWV en U2016 cijfers"
    )
    assert cleaned == "banen van @… en @… of @…, UWV en U2016 cijfers"


def test_logged_text_is_capped(store_copy):
    log = QuestionLog(store_copy)
    assert log.record("banen " + "x" * 10_000_000, status="not found", understood="y" * 5000)
    [row] = log.questions()
    assert len(row.text) == pseudonym.MAX_TEXT and row.text.endswith("…")
    assert len(row.understood) == pseudonym.MAX_TEXT


def _hex_runs(data: bytes) -> set[bytes]:
    return set(re.findall(rb"[0-9a-f]{32,}", data))


def test_the_database_files_alone_re_identify_nobody(store_path, tmp_path):
    """Whoever holds the store and the operational database (and their WAL files), with a
    list of every user id, cannot tell who asked what: hashing the ids with anything found
    in the files matches no logged pseudonym."""
    store = legacy_store(store_path, tmp_path)  # old rows, hashed with a key in the store
    log = QuestionLog(store)
    for user in [*USERS, ALICE, BOB]:
        assert log.record(f"banen Leiden 2016 <@{COLLEAGUE}>", status="answered", user_id=user)
    ops = opsdb.path_for(store)
    with closing(sqlite3.connect(ops)) as conn:
        logged = {r[0] for r in conn.execute("SELECT user_hash FROM questions")}
    assert len(logged) == 2 * len(USERS) + 2  # old and new rows, all pseudonymised
    raw = file_bytes(store) + file_bytes(ops)
    candidates = _hex_runs(raw) | {m for m in re.findall(rb"[ -~]{16,}", raw)}
    assert candidates  # the files were read (keys would be among these strings)
    ids = [*USERS, ALICE, BOB, COLLEAGUE]
    for candidate in candidates:
        keys = {candidate}
        if len(candidate) % 2 == 0 and re.fullmatch(rb"[0-9a-f]+", candidate):
            keys.add(bytes.fromhex(candidate.decode()))
        for key in keys:
            for user in ids:
                hashed = hmac.new(key, user.encode(), hashlib.sha256).hexdigest()[:32]
                assert hashed not in logged
                assert hashed.encode() not in raw
    for user in ids:  # nor are the ids themselves anywhere, plain or plainly hashed
        assert user.encode() not in raw
        assert hashlib.sha256(user.encode()).hexdigest()[:32].encode() not in raw
    # The key itself is elsewhere, owner-only.
    assert pseudonym.load_key() not in raw
    assert os.stat(paths.log_key_path()).st_mode & 0o077 == 0


def test_a_slack_question_mentioning_a_colleague_is_logged_without_their_id(
    sender, slack, http_app
):
    response = sender.command(f"banen Leiden 2016 voor <@{BOB}|bob>", slack.response_url())
    assert response.status_code == 200
    log, deadline = http_app.assistant.question_log, time.monotonic() + 5
    while not (rows := [q for q in log.questions() if q.text.startswith("banen Leiden 2016 voor")]):
        assert time.monotonic() < deadline, "the question was not logged"
        time.sleep(0.02)
    assert [q.text for q in rows] == ["banen Leiden 2016 voor @…"]
    assert BOB.encode() not in file_bytes(opsdb.path_for(log.db_path))
