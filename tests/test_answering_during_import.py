"""Answering while an import holds the store's write lock (issue 14, item 2).

A real ``econ071 import`` of a generated StatLine CSV runs as a process of its own; once
it holds the store's write lock (inside its one transaction) it is paused (SIGSTOP), so
that the lock is held for as long as the test needs, whatever this machine's speed, then
resumed and must finish. Meanwhile two app instances (two servers sharing the store) get
signed slash commands, mentions and DMs, each event delivered again as Slack's retries
(``X-Slack-Retry-Num``) to the other instance. The same traffic is sent before the
import (idle). Every message must be answered exactly once, every question logged once,
and the median answer latency stay within 2× of idle (plus 25 ms for clock jitter).
"""

from __future__ import annotations

import importlib.util
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from slack_harness import BOT_USER_ID, HttpApp, SlackSender, copy_store, message_event

from econ071.store.questionlog import QuestionLog

ROOT = Path(__file__).resolve().parent.parent


def generate(path: Path, rows: int) -> int:
    """A StatLine-like CSV of ``rows`` observations: bench/bench_import.py's generator."""
    spec = importlib.util.spec_from_file_location(
        "bench_import", ROOT / "bench" / "bench_import.py"
    )
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench.generate(path, rows)


FIGURE = "67.537"  # banen Leiden 2016
ROWS = 200_000
EACH = 6  # commands, mentions and DMs per phase


def store_is_locked(db: Path) -> bool:
    conn = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc) or "busy" in str(exc), exc
        return True
    finally:
        conn.close()


def start_import_and_hold(db: Path, csv: Path) -> subprocess.Popen:
    """``econ071 import`` paused while it holds the store's write lock."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "econ071.cli.main", "import", "--table", "99999ned", str(csv)],
        cwd=ROOT, env={**os.environ, "ECON071_DB": str(db)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if store_is_locked(db):
            proc.send_signal(signal.SIGSTOP)
            if store_is_locked(db):  # still inside its transaction: held
                return proc
            proc.send_signal(signal.SIGCONT)
        time.sleep(0.002)
    proc.kill()
    pytest.fail(f"the import finished before it could be held: {proc.communicate()[0]}")


def exchange(phase: str, senders: list[SlackSender], slack) -> list[float]:
    """Commands, mentions and DMs (each event also retried, to the other server); the
    latency of each answer in seconds."""
    first, other = senders
    latencies = []
    for i in range(EACH):
        started = time.monotonic()
        response = first.command(f"banen Leiden 2016 #{phase}-c{i}", slack.response_url())
        latencies.append(time.monotonic() - started)
        assert response.status_code == 200 and FIGURE in response.text
    for i in range(2 * EACH):
        dm = i % 2 == 1
        ts = f"1700{('warm', 'idle', 'held').index(phase)}{i:05d}.000100"
        text = f"banen Leiden 2016 #{phase}-{'d' if dm else 'm'}{i}"
        if dm:
            event = message_event(text, ts=ts, channel=f"D0{phase.upper()}{i:03d}",
                                  kind="message", channel_type="im")  # fmt: skip
        else:
            event = message_event(f"<@{BOT_USER_ID}> {text}", ts=ts)
        before = len(slack.calls_to("chat.postMessage"))
        started = time.monotonic()
        assert first.event(event).status_code == 200
        slack.wait_for("chat.postMessage", count=before + 1, timeout=10)
        latencies.append(time.monotonic() - started)
        for retry in (1, 2):  # Slack's retries, to whichever server
            sender = other if retry == 1 else first
            headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
            assert sender.event(event, extra_headers=headers).status_code == 200
    return latencies


def test_answers_and_the_log_do_not_wait_for_an_import(slack, slack_env, store_path, tmp_path):
    db = copy_store(store_path, tmp_path)
    csv = tmp_path / "bevolking.csv"
    generate(csv, ROWS)
    env = {**slack_env, "ECON071_DB": str(db)}
    with HttpApp(env) as one, HttpApp(env) as two:
        senders = [SlackSender(one.url), SlackSender(two.url)]
        exchange("warm", senders, slack)  # first answers fill caches
        idle = exchange("idle", senders, slack)
        proc = start_import_and_hold(db, csv)
        try:
            held_at = time.monotonic()
            held = exchange("held", senders, slack)
            assert store_is_locked(db)  # the whole exchange ran while the import held it
            held_for = time.monotonic() - held_at
        finally:
            proc.send_signal(signal.SIGCONT)
        output, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0 and f"{ROWS} added" in output, output
        time.sleep(0.3)  # room for a late duplicate to show

    # Every message answered exactly once (mentions in their thread, DMs in their channel).
    posts = slack.calls_to("chat.postMessage")
    per_message = Counter(p.params.get("thread_ts") or p.params["channel"] for p in posts)
    assert len(per_message) == 3 * 2 * EACH and set(per_message.values()) == {1}, per_message
    # Every question logged, once.
    logged = Counter(q.text for q in QuestionLog(db).questions())
    for phase in ("warm", "idle", "held"):
        for i in range(EACH):
            assert logged[f"banen Leiden 2016 #{phase}-c{i}"] == 1
        for i in range(2 * EACH):
            assert logged[f"banen Leiden 2016 #{phase}-{'d' if i % 2 else 'm'}{i}"] == 1
    # As fast as without the import.
    idle_p50, held_p50 = statistics.median(idle), statistics.median(held)
    assert held_p50 <= 2 * idle_p50 + 0.025, (idle_p50, held_p50, held_for)
