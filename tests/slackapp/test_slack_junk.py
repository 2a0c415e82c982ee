"""Junk at /slack/events, over the real wire: unsigned → 401 before anything is parsed,
signed but malformed → 400 with a short JSON error, wrong path or method → 404/405,
too large → 413; never a 500, never a traceback in the log, no listener run."""

from __future__ import annotations

import json
import logging
import socket
import time
from urllib.parse import urlsplit

import pytest
import requests
from slack_harness import BOT_USER_ID, HttpApp, SlackSender, message_event, signed_headers

from econ071.slackapp import gate

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

JUNK = [
    (b"payload=not json", FORM),
    (b"payload=null", FORM),
    (b"payload=%5B1%2C2%5D", FORM),
    (b"[1,2]", JSON),
    (b"null", JSON),
    (b'"text"', JSON),
    (b"command=%2F071&text=banen+Leiden", JSON),  # a form body sent as JSON
    (b'{"type": "event_callback", "event": [1, 2]}', JSON),
    (b'{"type": "event_callback", "event": "app_mention"}', JSON),
    (b'{"type": "event_callback", "event": {"type": "app_mention", "channel": 42,'
     b' "text": "banen", "ts": "1.1"}}', JSON),
    (b'{"type": "event_callback", "event": {"type": "message", "channel": "D1",'
     b' "user": ["U1"], "text": "banen", "ts": "1.1"}}', JSON),
    (b'{"type": "event_callback", "event": {"type": "app_mention", "channel": "C1",'
     b' "text": {"a": 1}, "ts": "1.1"}}', JSON),
    (b'{"team": 5, "type": "event_callback"}', JSON),
    (b'{"event": null}', JSON),
    (b'{"authorizations": ["x"], "type": "event_callback", "event": {"type": "x"}}', JSON),
    (b'payload={"type": "block_actions", "actions": []}', FORM),
    (b'payload={"type": "block_actions", "actions": [5]}', FORM),
    (b'payload={"type": "block_actions", "actions": [{"action_id": 7}]}', FORM),
    (b'payload={"type": "block_actions", "user": [1], "actions": [{"action_id": "a"}]}', FORM),
    (b"\xff\xfe not utf-8", FORM),
    (b"[" * 100_000, JSON),  # nesting deeper than the JSON parser goes
]  # fmt: skip
IDS = [f"junk{i}" for i in range(len(JUNK))]


@pytest.fixture(scope="module", params=["asgi", "wsgi"])
def http_app(request, slack_env):
    """The same boundary under uvicorn (econ071 serve --http) and under a WSGI server."""
    with HttpApp(slack_env, server=request.param) as app:
        yield app


@pytest.fixture
def quiet_log(caplog):
    caplog.set_level(logging.INFO)
    return caplog


def _no_traceback(caplog) -> None:
    assert not [r for r in caplog.records if r.exc_info], [r.getMessage() for r in caplog.records]
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize(("body", "content_type"), JUNK, ids=IDS)
def test_unsigned_junk_gets_401_before_it_is_parsed(http_app, slack, body, content_type,
                                                    quiet_log):  # fmt: skip
    response = SlackSender(http_app.url).post(body, content_type, signed=False)
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error": "invalid_signature"}
    _no_traceback(quiet_log)
    assert slack.calls == []


@pytest.mark.parametrize(("body", "content_type"), JUNK, ids=IDS)
def test_signed_junk_gets_400_with_a_short_json_error(http_app, slack, body, content_type,
                                                      quiet_log):  # fmt: skip
    response = SlackSender(http_app.url).post(body, content_type)
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["ok"] is False and isinstance(error["error"], str) and len(response.content) < 200
    assert "refused a signed but malformed Slack request" in quiet_log.text
    _no_traceback(quiet_log)
    time.sleep(0.05)
    assert slack.calls == []


def _raw(url: str, head: str, body: bytes = b"") -> tuple[int, bytes]:
    """Send a request byte for byte (repeated headers and all); the status and body."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(head.encode("latin-1") + body)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status_line, _, rest = data.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


def _head(url: str, headers: list[tuple[str, str]], length: int) -> str:
    parts = urlsplit(url)
    lines = [f"POST {parts.path} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close",
             f"Content-Length: {length}", *(f"{k}: {v}" for k, v in headers)]  # fmt: skip
    return "\r\n".join(lines) + "\r\n\r\n"


@pytest.mark.parametrize(
    "trouble", ["timestamp-abc", "timestamp-twice", "signature-twice", "signature-not-v0"]
)
def test_a_malformed_signature_header_gets_401(http_app, slack, trouble, quiet_log):
    body = b"command=%2F071&text=banen+Leiden+2016&team_id=T0STANDIN&user_id=U0ALICE"
    signed = signed_headers(body, FORM)
    ts, sig = signed["X-Slack-Request-Timestamp"], signed["X-Slack-Signature"]
    headers = {
        "timestamp-abc": [("X-Slack-Request-Timestamp", "abc"), ("X-Slack-Signature", sig)],
        "timestamp-twice": [("X-Slack-Request-Timestamp", ts), ("X-Slack-Request-Timestamp", ts),
                            ("X-Slack-Signature", sig)],
        "signature-twice": [("X-Slack-Request-Timestamp", ts), ("X-Slack-Signature", sig),
                            ("X-Slack-Signature", sig)],
        "signature-not-v0": [("X-Slack-Request-Timestamp", ts),
                             ("X-Slack-Signature", sig.replace("v0=", "v1="))],
    }[trouble]  # fmt: skip
    status, reply = _raw(http_app.url, _head(http_app.url, [("Content-Type", FORM), *headers],
                                             len(body)), body)  # fmt: skip
    assert status == 401 and json.loads(reply)["error"] == "invalid_signature"
    _no_traceback(quiet_log)
    assert slack.calls == []


def test_oversized_bodies_get_413_signed_or_not(http_app, slack, quiet_log):
    big = b"command=%2F071&text=" + b"x" * (gate.MAX_BODY + 10)
    sender = SlackSender(http_app.url)
    assert sender.post(big, FORM, signed=False).status_code == 413
    assert sender.post(big, FORM).status_code == 413
    # A Content-Length that promises too much is refused before a byte is read.
    status, reply = _raw(http_app.url, _head(http_app.url, [("Content-Type", FORM)],
                                             50 * gate.MAX_BODY))  # fmt: skip
    assert status == 413 and json.loads(reply)["error"] == "body_too_large"
    _no_traceback(quiet_log)
    assert slack.calls == []


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/slack/events", 405), ("PUT", "/slack/events", 405),
     ("DELETE", "/slack/events", 405), ("POST", "/elders", 404), ("GET", "/", 404),
     ("GET", "/slack/events/../healthz", 404), ("POST", "/healthz", 405)],
)  # fmt: skip
def test_wrong_method_or_path(http_app, method, path, status, quiet_log):
    response = requests.request(method, http_app.base + path, data=b"x", timeout=5)
    assert response.status_code == status
    assert response.json()["ok"] is False
    if status == 405:
        assert response.headers["Allow"] in ("POST", "GET, HEAD")
    _no_traceback(quiet_log)


def test_after_the_junk_a_good_request_is_still_answered(http_app, slack):
    sender = SlackSender(http_app.url)
    for body, content_type in JUNK[:5]:
        sender.post(body, content_type)
    response = sender.command("banen Leiden 2016", slack.response_url())
    assert response.status_code == 200 and "67.537" in response.text
    sender.event(message_event(f"<@{BOT_USER_ID}> banen Leiden 2016", ts=f"{time.time():.6f}"))
    slack.wait_for("chat.postMessage")


def test_gate_parse_accepts_what_slack_sends():
    """The checks refuse junk, not Slack: its three kinds of body pass as they are."""
    command = b"command=%2F071&text=banen&team_id=T1&channel_id=C1&user_id=U1&response_url=x"
    assert gate.parse([("content-type", FORM)], command)["command"] == "/071"
    event = {"type": "event_callback", "team_id": "T1", "event": {"type": "app_mention",
             "channel": "C1", "user": "U1", "text": "hoi", "ts": "1.2"},
             "authorizations": [{"team_id": "T1", "user_id": "U2", "is_bot": True}]}  # fmt: skip
    assert gate.parse([("content-type", JSON)], json.dumps(event).encode())["event"]["ts"] == "1.2"
    created = {"type": "event_callback", "event": {"type": "channel_created",
               "channel": {"id": "C2", "name": "x"}}}  # fmt: skip
    assert gate.parse([("content-type", JSON)], json.dumps(created).encode())
    assert gate.parse([("content-type", FORM)], b"") == {}


def test_a_body_that_never_completes_gets_408_and_frees_nothing_else(slack_env, slack,
                                                                     monkeypatch):  # fmt: skip
    """Under uvicorn a client that stalls in its body is answered 408 after gate.BODY_SECONDS;
    meanwhile other requests are served."""
    monkeypatch.setattr(gate, "BODY_SECONDS", 0.5)
    with HttpApp(slack_env) as app:
        parts = urlsplit(app.url)
        with socket.create_connection((parts.hostname, parts.port), timeout=5) as stalled:
            stalled.sendall(_head(app.url, [("Content-Type", FORM)], 100).encode() + b"x")
            started = time.monotonic()
            ok = SlackSender(app.url).command("banen Leiden 2016", slack.response_url())
            assert ok.status_code == 200 and time.monotonic() - started < 1
            reply = stalled.recv(65536)
        assert reply.startswith(b"HTTP/1.1 408") and b"body_too_slow" in reply
