"""Socket Mode: the same listeners behind Bolt's SocketModeHandler, connected over a real
WebSocket to a local stand-in for Slack's Socket Mode server."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from slack_harness import (
    APP_TOKEN,
    BOT_TOKEN,
    BOT_USER_ID,
    CHANNEL_ID,
    TEAM_ID,
    USER_ID,
    all_text,
    assert_valid_blocks,
    copy_store,
    message_event,
)
from socket_standin import SocketStandIn

FIGURE = "67.537"
ROOT = Path(__file__).resolve().parents[2]


def command_payload(text: str, response_url: str) -> dict:
    return {"token": "legacy", "team_id": TEAM_ID, "team_domain": "econ071",
            "channel_id": CHANNEL_ID, "channel_name": "general", "user_id": USER_ID,
            "user_name": "alice", "command": "/071", "text": text, "api_app_id": "A0STANDIN",
            "is_enterprise_install": "false", "response_url": response_url,
            "trigger_id": "1.2.3"}  # fmt: skip


def event_payload(event: dict, event_id: str) -> dict:
    return {"token": "legacy", "team_id": TEAM_ID, "api_app_id": "A0STANDIN", "event": event,
            "type": "event_callback", "event_id": event_id, "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}]}  # fmt: skip


@pytest.fixture(scope="module")
def socket_server(slack_api):
    with SocketStandIn() as ws:
        slack_api.answer("apps.connections.open", {"ok": True, "url": ws.url})
        yield ws


@pytest.fixture(scope="module")
def socket_app(slack_api, socket_server, store_path, tmp_path_factory):
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from econ071.answering.engine import Engine
    from econ071.slackapp.app import create_app
    from econ071.slackapp.settings import SOCKET, from_env

    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN,
           "SLACK_API_URL": slack_api.url}  # fmt: skip
    settings = from_env(env, mode=SOCKET)
    engine = Engine(copy_store(store_path, tmp_path_factory.mktemp("socket-store")))
    handler = SocketModeHandler(create_app(settings, engine), settings.app_token)
    handler.connect()
    socket_server.wait_connected()
    yield handler
    handler.close()


def test_connects_with_the_app_token(socket_app, slack_api):
    opens = slack_api.calls_to("apps.connections.open")
    assert opens and opens[0].headers["Authorization"] == f"Bearer {APP_TOKEN}"


def test_command_is_answered_in_the_envelope_ack(socket_app, socket_server, slack):
    started = time.monotonic()
    envelope = socket_server.send_command(
        command_payload("banen Leiden 2016", slack.response_url())
    )
    ack = socket_server.wait_for_ack(envelope)
    assert time.monotonic() - started < 3
    payload = ack["payload"]
    assert payload["response_type"] == "ephemeral"
    assert_valid_blocks(payload["blocks"])
    assert FIGURE in all_text(payload["blocks"])
    assert any(b["type"] == "actions" for b in payload["blocks"])


def test_mention_is_answered_once_in_a_thread(socket_app, socket_server, slack):
    ts = "1700002000.000001"
    text = f"<@{BOT_USER_ID}> <!channel> banen Leiden 2016"
    mention = event_payload(message_event(text, ts=ts), "EvSOCK1")
    as_message = event_payload(
        message_event(text, kind="message", channel_type="channel", ts=ts), "EvSOCK2"
    )
    ids = [socket_server.send_event(mention), socket_server.send_event(as_message),
           socket_server.send_event(mention)]  # fmt: skip
    for envelope in ids:
        socket_server.wait_for_ack(envelope)
    [post] = slack.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == ts
    text = all_text(post.params["blocks"])
    assert FIGURE in text and "&lt;!channel&gt;" in text and "<!channel>" not in text
    time.sleep(0.2)
    assert len(slack.calls_to("chat.postMessage")) == 1


def test_share_button_posts_in_the_channel(socket_app, socket_server, slack):
    payload = {
        "type": "block_actions",
        "user": {"id": USER_ID, "username": "alice", "team_id": TEAM_ID},
        "api_app_id": "A0STANDIN",
        "container": {"type": "message", "channel_id": CHANNEL_ID, "is_ephemeral": True},
        "team": {"id": TEAM_ID, "domain": "econ071"},
        "channel": {"id": CHANNEL_ID, "name": "general"},
        "response_url": slack.response_url("share"),
        "trigger_id": "1.2.3",
        "actions": [{"action_id": "econ071_share", "block_id": "econ071_share", "type": "button",
                     "value": "banen Leiden 2016", "action_ts": "1700002100.000001"}],
    }  # fmt: skip
    socket_server.wait_for_ack(socket_server.send_interactive(payload))
    [post] = slack.wait_for("chat.postMessage")
    assert post.params["channel"] == CHANNEL_ID
    assert f"Gedeeld door <@{USER_ID}>" in all_text(post.params["blocks"])


def test_a_follow_up_click_answers_under_the_private_answer(socket_app, socket_server, slack):
    payload = {
        "type": "block_actions",
        "user": {"id": USER_ID, "username": "alice", "team_id": TEAM_ID},
        "api_app_id": "A0STANDIN",
        "container": {"type": "message", "channel_id": CHANNEL_ID, "is_ephemeral": True,
                      "message_ts": "1700002200.000001"},
        "team": {"id": TEAM_ID, "domain": "econ071"},
        "channel": {"id": CHANNEL_ID, "name": "general"},
        "response_url": slack.response_url("follow"),
        "trigger_id": "1.2.3",
        "actions": [{"action_id": "econ071_ask_0", "block_id": "econ071_follow", "type": "button",
                     "value": "trend banen Leiden", "action_ts": "1700002200.000002"}],
    }  # fmt: skip
    socket_server.wait_for_ack(socket_server.send_interactive(payload))
    deadline = time.monotonic() + 5  # (the share test's clean-up may arrive here too)
    while not (mine := [c for c in slack.calls_to("response_url") if c.path.endswith("/follow")]):
        assert time.monotonic() < deadline, slack.calls
        time.sleep(0.02)
    sent = mine[0].json()
    assert sent["response_type"] == "ephemeral" and sent["replace_original"] is False
    assert "2010" in all_text(sent["blocks"]) and FIGURE in all_text(sent["blocks"])


def test_opening_the_home_publishes_it(socket_app, socket_server, slack):
    event = {"type": "app_home_opened", "user": USER_ID, "channel": "D0ALICE", "tab": "home",
             "event_ts": "1700002300.000001"}  # fmt: skip
    socket_server.wait_for_ack(socket_server.send_event(event_payload(event, "EvSOCKHOME")))
    [publish] = slack.wait_for("views.publish")
    assert publish.params["user_id"] == USER_ID
    assert_valid_blocks(publish.params["view"]["blocks"])


def test_econ071_serve_runs_socket_mode(slack_api, store_path, tmp_path):
    """The command an admin runs: ``econ071 serve`` with the two tokens."""
    with SocketStandIn() as ws:
        slack_api.answer("apps.connections.open", {"ok": True, "url": ws.url})
        env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN,
               "SLACK_API_URL": slack_api.url,
               "ECON071_DB": str(copy_store(store_path, tmp_path))}  # fmt: skip
        env.pop("SLACK_SIGNING_SECRET", None)
        proc = subprocess.Popen(
            [sys.executable, "-m", "econ071.cli.main", "serve"], cwd=ROOT, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            ws.wait_connected(timeout=30)
            envelope = ws.send_command(command_payload("werkloosheid", slack_api.response_url()))
            ack = ws.wait_for_ack(envelope, timeout=10)
            assert_valid_blocks(ack["payload"]["blocks"])
            assert "Werkloosheid" in all_text(ack["payload"]["blocks"])
        finally:
            proc.terminate()
            out, err = proc.communicate(timeout=10)
        assert "Socket Mode" in err
        assert proc.returncode == 0, err  # SIGTERM: closed cleanly, not killed
        for secret in (BOT_TOKEN, APP_TOKEN):
            assert secret not in out + err
