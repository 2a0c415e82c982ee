"""``econ071 serve --http``: the production setup (uvicorn, several worker processes),
started as an admin starts it, answering signed requests; the worker processes share
the question log without losing a row."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from slack_harness import (
    BOT_TOKEN,
    BOT_USER_ID,
    SIGNING_SECRET,
    SlackSender,
    all_text,
    assert_valid_blocks,
    copy_store,
    message_event,
)

from econ071.store.questionlog import QuestionLog

ROOT = Path(__file__).resolve().parents[2]
FIGURE = "67.537"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def http_server(slack_api, store_path, tmp_path_factory):
    db = copy_store(store_path, tmp_path_factory.mktemp("serve-store"))
    port = free_port()
    env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "SLACK_API_URL": slack_api.url, "ECON071_DB": str(db)}  # fmt: skip
    env.pop("SLACK_APP_TOKEN", None)
    log_file = tmp_path_factory.mktemp("serve-log") / "stderr.txt"
    with log_file.open("w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "econ071.cli.main", "serve", "--http", "--host", "127.0.0.1",
             "--port", str(port), "--workers", "2", "--threads", "4"],
            cwd=ROOT, env=env, stdout=stderr, stderr=subprocess.STDOUT,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(base + "/healthz", timeout=1).text == "ok":
                    break
            except (requests.ConnectionError, requests.Timeout):  # not up yet
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("econ071 serve --http did not start:\n" + log_file.read_text())
            time.sleep(0.1)
        # Both workers up: uvicorn starts them one after the other.
        while (log_file.read_text().count("Application startup complete") < 2
               and time.monotonic() < deadline):  # fmt: skip
            time.sleep(0.05)
        yield base, db, proc, log_file
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def test_serve_http_answers_signed_commands_and_events(http_server, slack):
    base, _, _, _ = http_server
    sender = SlackSender(base + "/slack/events")
    body = sender.command("banen Leiden 2016", slack.response_url()).json()
    assert_valid_blocks(body["blocks"])
    assert FIGURE in all_text(body["blocks"])
    sender.event(message_event(f"<@{BOT_USER_ID}> banen Leiden 2016", ts="1700003000.000001"))
    [post] = slack.wait_for("chat.postMessage")
    assert FIGURE in all_text(post.params["blocks"])
    assert sender.command("banen", slack.response_url(), signed=False).status_code == 401


def test_worker_processes_share_the_question_log_without_losing_rows(http_server, slack):
    base, db, _, _ = http_server
    sender = SlackSender(base + "/slack/events")
    questions = [f"banen Leiden {year} #{i}" for i, year in enumerate([2010, 2016] * 20)]
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda q: sender.command(q, slack.response_url()).status_code,
                                 questions))  # fmt: skip
    assert statuses == [200] * len(questions)
    deadline = time.monotonic() + 10
    while True:
        logged = {q.text for q in QuestionLog(db).questions()}
        if set(questions) <= logged or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert set(questions) <= logged


def test_serve_http_logs_no_token(http_server):
    _, _, _, log_file = http_server
    text = log_file.read_text()
    assert text.count("Started server process") == 2 and "HTTP mode on http://127.0.0.1:" in text
    assert BOT_TOKEN not in text and SIGNING_SECRET not in text


def test_normal_commands_are_acked_within_budget_while_50_slow_clients_hang_on(http_server,
                                                                             slack):  # fmt: skip
    """Slow clients (one byte a second, in their headers or their body) hold a connection
    each, never a worker: signed commands beside them are acked as usual."""
    from slow_clients import SlowClients

    base, _, proc, _ = http_server
    sender = SlackSender(base + "/slack/events")
    port = int(base.rsplit(":", 1)[1])
    with SlowClients("127.0.0.1", port, 50, interval=0.5) as slow:
        time.sleep(1.0)  # every slow client has sent something, none has finished
        timings = []
        for i in range(16):
            started = time.monotonic()
            response = sender.command(f"banen Leiden 2016 #{i}", slack.response_url(), timeout=5)
            timings.append(time.monotonic() - started)
            assert response.status_code == 200 and FIGURE in response.text
        assert slow.connected == 50
    assert max(timings) < 1.5, timings  # Slack allows 3 s; an idle server takes ~10 ms
    assert proc.poll() is None


def test_junk_gets_4xx_from_the_real_server_and_no_traceback_in_its_log(http_server):
    base, _, proc, log_file = http_server
    sender = SlackSender(base + "/slack/events")
    form, js = "application/x-www-form-urlencoded", "application/json"
    statuses = [
        sender.post(b"payload=not json", form, signed=False).status_code,
        sender.post(b"payload=null", form).status_code,
        sender.post(b'{"type": "event_callback", "event": [1]}', js).status_code,
        sender.post(b"x" * (2 * 1024 * 1024), form).status_code,
        requests.get(base + "/slack/events", timeout=5).status_code,
        requests.post(base + "/elders", timeout=5).status_code,
    ]
    assert statuses == [401, 400, 400, 413, 405, 404]
    time.sleep(0.2)
    assert "Traceback" not in log_file.read_text() and proc.poll() is None
