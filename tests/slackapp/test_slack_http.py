"""The Slack app in HTTP mode, over the real wire: signed requests to the Bolt app served on
127.0.0.1, Slack's Web API as a local stand-in. Nothing of ours is mocked."""

from __future__ import annotations

import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing

import pytest
from slack_harness import (
    BOT_USER_ID,
    CHANNEL_ID,
    TEAM_ID,
    USER_ID,
    HttpApp,
    SlackSender,
    all_text,
    assert_valid_blocks,
    copy_store,
    message_event,
)

from econ071.slackapp import actions
from econ071.store import opsdb

FIGURE = "67.537"  # banen Leiden 2016 (LISA), as the quick scan prints it


def logged(app: HttpApp, text: str, surface: str | None = None, timeout: float = 5.0,
           more_than: int = 0):  # fmt: skip
    """The question log's rows for one question (and surface), waiting for the write that
    follows the ack (until there are more than ``more_than``)."""
    deadline = time.monotonic() + timeout
    while True:
        rows = [
            q
            for q in app.assistant.question_log.questions()
            if q.text == text and surface in (None, q.surface)
        ]
        if len(rows) > more_than or time.monotonic() > deadline:
            return rows
        time.sleep(0.02)


# -- /071 ------------------------------------------------------------------------------


def test_command_answers_privately_in_the_ack(sender, slack, http_app):
    started = time.monotonic()
    response = sender.command("banen Leiden 2016", slack.response_url())
    assert time.monotonic() - started < 3
    assert response.status_code == 200
    body = response.json()
    assert body["response_type"] == "ephemeral"
    blocks = body["blocks"]
    assert_valid_blocks(blocks)
    assert blocks[0]["type"] == "header"
    assert "Leiden" in blocks[0]["text"]["text"] and "2016" in blocks[0]["text"]["text"]
    text = all_text(blocks)
    assert FIGURE in text
    assert "Je vroeg: “banen Leiden 2016”" in text
    context = [b for b in blocks if b["type"] == "context"][-1]
    assert "Bron" in all_text(context)
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    [button] = [e for e in buttons if e["action_id"] == "econ071_share"]
    assert button["text"]["text"] == "Deel in kanaal"
    assert button["value"] == "banen Leiden 2016"
    assert FIGURE in body["text"]  # the notification text
    assert slack.calls_to("response_url") == []  # answered in the ack itself
    [row] = logged(http_app, "banen Leiden 2016", surface="command")[:1]
    assert row.status == "answered"
    assert row.understood.startswith("figure ") and "GM0546" in row.understood


@pytest.mark.parametrize("text", ["", "help", "  HELP "])
def test_empty_command_or_help_shows_the_help(sender, slack, text):
    body = sender.command(text, slack.response_url()).json()
    assert_valid_blocks(body["blocks"])
    reply = all_text(body["blocks"])
    assert "Zo vraag je het" in reply and "`banen Leiden 2016`" in reply
    assert not [b for b in body["blocks"] if b["type"] == "actions"]  # nothing to share


def test_the_examples_in_the_help_work(sender, slack, http_app):
    help_text = all_text(sender.command("help", slack.response_url()).json()["blocks"])
    examples = re.findall(r"• `([^`]+)`", help_text)
    assert len(examples) >= 5
    for example in examples:
        before = logged(http_app, example, timeout=0)  # asked by earlier tests too
        body = sender.command(example, slack.response_url()).json()
        assert_valid_blocks(body["blocks"])
        rows = logged(http_app, example, more_than=len(before))
        answered = [r for r in rows if r.status == "answered"]
        assert len(answered) == sum(r.status == "answered" for r in before) + 1, (example, rows)


def test_slow_answer_is_acked_empty_and_sent_to_response_url(slack, slack_env):
    # A budget of 0 s: no answer is ever "ready" inside the ack.
    with HttpApp({**slack_env, "ECON071_ACK_BUDGET": "0"}) as app:
        started = time.monotonic()
        response = SlackSender(app.url).command("banen Leiden 2016", slack.response_url("slow"))
        assert time.monotonic() - started < 3
        assert response.status_code == 200 and response.text == ""
        [call] = slack.wait_for("response_url")
        assert call.path.endswith("/slow")
        sent = call.json()
        assert sent["response_type"] == "ephemeral"
        assert_valid_blocks(sent["blocks"])
        assert FIGURE in all_text(sent["blocks"])


@pytest.mark.parametrize(
    ("typed", "escaped", "raw"),
    [
        ("<!channel> banen Leiden 2016", "&lt;!channel&gt;", "<!channel>"),
        ("<@U0BOB> banen Leiden 2016", "&lt;@U0BOB&gt;", "<@U0BOB>"),
        ("<!here|here> banen", "&lt;!here|here&gt;", "<!here"),
        # Slack sends a typed "<" as "&lt;": shown as typed, escaped once, not twice.
        ("banen &lt;Leiden&gt; &amp; 2016", "&lt;Leiden&gt; &amp; 2016", "&amp;lt;"),
    ],
)
def test_user_text_comes_back_escaped(sender, slack, typed, escaped, raw):
    body = sender.command(typed, slack.response_url()).json()
    text = all_text(body["blocks"])  # every text a user sees (the button's value is data)
    assert escaped in text
    assert raw not in text
    assert raw not in body["text"]


def test_mention_with_special_text_is_escaped_in_the_thread(sender, slack):
    event = message_event(f"<@{BOT_USER_ID}> <!channel> banen Leiden 2016", ts="1700000200.000001")
    assert sender.event(event).status_code == 200
    [call] = slack.wait_for("chat.postMessage")
    text = all_text(call.params["blocks"]) + call.params["text"]
    assert "&lt;!channel&gt;" in text and "<!channel>" not in text
    assert f"<@{BOT_USER_ID}>" not in text


# -- mentions and direct messages --------------------------------------------------------


def test_mention_answers_in_a_thread(sender, slack, http_app):
    event = message_event(f"<@{BOT_USER_ID}> banen Leiden 2016", ts="1700000300.000001")
    started = time.monotonic()
    response = sender.event(event)
    assert response.status_code == 200 and time.monotonic() - started < 3
    [call] = slack.wait_for("chat.postMessage")
    assert call.params["channel"] == CHANNEL_ID
    assert call.params["thread_ts"] == "1700000300.000001"
    assert_valid_blocks(call.params["blocks"])
    assert FIGURE in all_text(call.params["blocks"])
    assert call.headers["Authorization"].startswith("Bearer xoxb-")
    assert logged(http_app, "banen Leiden 2016", surface="mention")


def test_mention_inside_a_thread_answers_in_that_thread(sender, slack):
    event = message_event(
        f"<@{BOT_USER_ID}> werkloosheid", ts="1700000400.000002", thread_ts="1700000400.000001"
    )
    sender.event(event)
    [call] = slack.wait_for("chat.postMessage")
    assert call.params["thread_ts"] == "1700000400.000001"


def test_direct_message_answers_in_the_dm(sender, slack):
    event = message_event(
        "banen Leiden 2016", kind="message", channel="D0ALICE", channel_type="im",
        ts="1700000500.000001",
    )  # fmt: skip
    assert sender.event(event).status_code == 200
    [call] = slack.wait_for("chat.postMessage")
    assert call.params["channel"] == "D0ALICE"
    assert not call.params.get("thread_ts")
    assert FIGURE in all_text(call.params["blocks"])


def test_one_question_gets_one_answer(sender, slack):
    """A DM that mentions the app arrives as message.im and as app_mention; Slack then
    retries the first delivery. One answer; every delivery acked fast."""
    ts = "1700000600.000001"
    text = f"<@{BOT_USER_ID}> banen Katwijk 2016"
    as_message = message_event(text, kind="message", channel="D0ALICE", channel_type="im", ts=ts)
    as_mention = message_event(text, channel="D0ALICE", ts=ts)
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    deliveries = [
        lambda: sender.event(as_message, event_id="EvDUP1"),
        lambda: sender.event(as_mention, event_id="EvDUP2"),
        lambda: sender.event(as_message, event_id="EvDUP1", extra_headers=retry),
        lambda: sender.event(as_mention, event_id="EvDUP2", extra_headers=retry),
    ]
    with ThreadPoolExecutor(4) as pool:
        timed = list(pool.map(lambda send: _timed(send), deliveries))
    assert all(r.status_code == 200 and seconds < 3 for r, seconds in timed)
    # A later, different question: once it is answered, the duplicates had their chance.
    sender.event(message_event("werkloosheid", kind="message", channel="D0ALICE",
                               channel_type="im", ts="1700000600.000002"))  # fmt: skip
    calls = slack.wait_for("chat.postMessage", count=2)
    time.sleep(0.2)
    calls = slack.calls_to("chat.postMessage")
    assert len(calls) == 2
    assert [c.params["channel"] for c in calls] == ["D0ALICE", "D0ALICE"]
    # The two answers are computed side by side: either may be posted first (and the
    # second may name Katwijk too, when it follows the first).
    headers = sorted(c.params["blocks"][0]["text"]["text"] for c in calls)
    assert "anen" in headers[0] and "Katwijk" in headers[0], headers
    assert headers[1].startswith("Werkloosheid"), headers


def _timed(send):
    started = time.monotonic()
    response = send()
    return response, time.monotonic() - started


@pytest.mark.parametrize(
    "extra",
    [
        {"subtype": "message_changed"},
        {"subtype": "bot_message", "bot_id": "B0OTHER"},
        {"bot_id": "B0STANDIN"},
    ],
)
def test_edits_and_bot_messages_get_no_answer(sender, slack, extra):
    n = len(json.dumps(extra))
    event = message_event("banen Leiden 2016", kind="message", channel="D0ALICE",
                          channel_type="im", ts=f"1700000700.{n:06d}", **extra)  # fmt: skip
    assert sender.event(event).status_code == 200
    sender.event(message_event("werkloosheid", kind="message", channel="D0ALICE",
                               channel_type="im", ts=f"1700000701.{n:06d}"))  # fmt: skip
    slack.wait_for("chat.postMessage")
    time.sleep(0.2)
    [call] = slack.calls_to("chat.postMessage")
    assert "Werkloosheid" in all_text(call.params["blocks"])  # the later question's answer


def test_channel_messages_without_mention_get_no_answer(sender, slack):
    event = message_event("banen Leiden 2016", kind="message", channel_type="channel",
                          ts="1700000800.000001")  # fmt: skip
    assert sender.event(event).status_code == 200
    sender.event(message_event(f"<@{BOT_USER_ID}> werkloosheid", ts="1700000800.000002"))
    slack.wait_for("chat.postMessage")
    time.sleep(0.2)
    [call] = slack.calls_to("chat.postMessage")
    assert "Werkloosheid" in all_text(call.params["blocks"])  # the mention's answer


# -- "Deel in kanaal" ----------------------------------------------------------------------


def test_share_posts_the_answer_in_the_channel_naming_who_shared(sender, slack):
    response = sender.action("banen Leiden 2016", slack.response_url("share"))
    assert response.status_code == 200
    [post] = slack.wait_for("chat.postMessage")
    assert post.params["channel"] == CHANNEL_ID
    assert_valid_blocks(post.params["blocks"])
    text = all_text(post.params["blocks"])
    assert FIGURE in text
    assert f"Gedeeld door <@{USER_ID}>" in text
    assert not [b for b in post.params["blocks"] if b["type"] == "actions"]
    [cleanup] = slack.wait_for("response_url")
    assert cleanup.json()["delete_original"] is True


def test_share_uses_response_url_where_the_app_is_no_member(sender, slack):
    slack.fail("chat.postMessage", status=200, body={"ok": False, "error": "not_in_channel"})
    sender.action("banen Leiden 2016", slack.response_url("share"))
    shared, cleanup = slack.wait_for("response_url", count=2)
    assert shared.json()["response_type"] == "in_channel"
    assert shared.json()["replace_original"] is False
    assert FIGURE in all_text(shared.json()["blocks"])
    assert f"Gedeeld door <@{USER_ID}>" in all_text(shared.json()["blocks"])
    assert cleanup.json()["delete_original"] is True


def test_a_failure_while_sharing_is_an_apology_for_the_sharer_only(sender, slack, caplog):
    # A user id that is not one makes the "gedeeld door" line fail to render.
    sender.action("banen Leiden 2016", slack.response_url("share"), user_id="niet-een-id")
    [apology] = slack.wait_for("response_url")
    sent = apology.json()
    assert sent["response_type"] == "ephemeral" and sent["replace_original"] is False
    assert_valid_blocks(sent["blocks"])
    reference = re.search(r"referentie `([0-9a-f]{8})`", all_text(sent["blocks"])).group(1)
    assert "Sorry, bij het beantwoorden ging iets mis." in sent["text"]
    assert any(reference in r.getMessage() and r.exc_info for r in caplog.records)
    assert slack.calls_to("chat.postMessage") == []


def test_share_with_escaped_question_stays_escaped(sender, slack):
    sender.action("<!channel> banen Leiden 2016", slack.response_url())
    [post] = slack.wait_for("chat.postMessage")
    text = all_text(post.params["blocks"])
    assert "&lt;!channel&gt;" in text and "<!channel>" not in text


# -- Block Kit -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "banen Leiden 2016", "werkloosheid", "trend werkloosheid", "top banen 2016",
        "vergelijk bijstand Leiden Katwijk", "banen zorg 2016", "uitleg werkloosheid",
        "lijst", "bronnen", "xyzzy", "banen Amsterdam", "banen 1999", "leid",
        "x" * 3000,
    ],
)  # fmt: skip
def test_every_reply_is_valid_block_kit(sender, slack, question):
    body = sender.command(question, slack.response_url()).json()
    assert_valid_blocks(body["blocks"])
    assert body["text"].strip()


# -- signatures -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "how",
    [
        {"signed": False},
        {"secret": "0" * 32},
        # Timestamps are computed when the test runs, not when it is collected: a
        # long suite would otherwise bring "six minutes ahead" back within the window.
        {"timestamp": lambda: int(time.time()) - 6 * 60},
        {"timestamp": lambda: int(time.time()) + 6 * 60},
    ],
    ids=["unsigned", "wrong-secret", "six-minutes-old", "six-minutes-ahead"],
)
def test_badly_signed_requests_get_401_and_run_no_listener(sender, slack, http_app, how, caplog):
    how = {k: v() if callable(v) else v for k, v in how.items()}
    question = f"banen Oegstgeest 2016 {sorted(how)[0]}"
    responses = [
        sender.command(question, slack.response_url(), **how),
        sender.event(message_event(f"<@{BOT_USER_ID}> {question}", ts="1700000900.000001"), **how),
        sender.action(question, slack.response_url(), **how),
    ]
    assert [r.status_code for r in responses] == [401, 401, 401]
    assert all(FIGURE not in r.text and "Oegstgeest" not in r.text for r in responses)
    time.sleep(0.2)  # a listener would have called out by now
    assert slack.calls == []
    assert logged(http_app, question, timeout=0) == []
    # The log says it happened, without the request's contents (names, the question).
    assert caplog.text.count("refused a request without a valid, recent Slack signature") == 3
    assert "Oegstgeest" not in caplog.text and "alice" not in caplog.text


def test_tampered_body_gets_401(sender, slack):
    good = sender.command("banen Leiden 2016", slack.response_url())
    assert good.status_code == 200
    body = b"command=%2F071&text=banen+Leiden+2016&user_id=U0ALICE&team_id=T0STANDIN"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    from slack_harness import signed_headers

    headers = signed_headers(body, "application/x-www-form-urlencoded")
    import requests

    tampered = requests.post(sender.url, data=body + b"&x=1", headers=headers, timeout=10)
    assert tampered.status_code == 401


def test_url_verification_is_answered(sender):
    payload = {"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
               "type": "url_verification"}  # fmt: skip
    response = sender.post(json.dumps(payload).encode(), "application/json")
    assert response.status_code == 200
    assert payload["challenge"] in response.text
    unsigned = sender.post(json.dumps(payload).encode(), "application/json", signed=False)
    assert unsigned.status_code == 401


def test_health_check_and_unknown_paths(http_app):
    import requests

    assert requests.get(http_app.base + "/healthz", timeout=5).text == "ok"
    assert requests.post(http_app.base + "/elders", data=b"x", timeout=5).status_code == 404


# -- access control ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def restricted_app(slack_env, store_path, tmp_path_factory):
    db = copy_store(store_path, tmp_path_factory.mktemp("restricted"))
    env = {**slack_env, "ECON071_DB": str(db), "ECON071_ALLOWED_TEAMS": TEAM_ID,
           "ECON071_ALLOWED_CHANNELS": f"{CHANNEL_ID}, dm"}  # fmt: skip
    with HttpApp(env) as app:
        yield app


@pytest.mark.parametrize(
    ("team", "channel"),
    [("T0ELSEWHERE", CHANNEL_ID), (TEAM_ID, "C0RANDOM")],
    ids=["other-workspace", "other-channel"],
)
def test_requests_from_elsewhere_get_a_polite_refusal_and_nothing_from_the_store(
    restricted_app, slack, team, channel
):
    sender = SlackSender(restricted_app.url)
    body = sender.command("banen Leiden 2016", slack.response_url(), team_id=team,
                          channel_id=channel).json()  # fmt: skip
    assert body["response_type"] == "ephemeral"
    assert body["text"].startswith("Sorry, hier kan ik geen vragen beantwoorden.")
    assert FIGURE not in json.dumps(body) and "Leiden" not in json.dumps(body)

    event = message_event(f"<@{BOT_USER_ID}> banen Leiden 2016", channel=channel,
                          ts=f"17000010{len(team)}.{len(channel):06d}")  # fmt: skip
    sender.event(event, team_id=team)
    [post] = slack.wait_for("chat.postMessage")
    assert post.params["text"].startswith("Sorry") and FIGURE not in json.dumps(post.params)
    assert post.params["thread_ts"] == event["ts"]

    sender.action("banen Leiden 2016", slack.response_url("share"), team_id=team,
                  channel_id=channel)  # fmt: skip
    [refused] = slack.wait_for("response_url")
    assert refused.json()["text"].startswith("Sorry") and FIGURE not in refused.body.decode()
    # Every other button too: a follow-up, the chart, the CSV.
    for action_id in (actions.ASK, actions.CHART, actions.CSV):
        slack.clear()
        sender.action("banen Leiden 2016", slack.response_url(action_id), team_id=team,
                      channel_id=channel, action_id=action_id)  # fmt: skip
        [refused] = slack.wait_for("response_url")
        assert refused.json()["text"].startswith("Sorry"), action_id
        assert FIGURE not in refused.body.decode()
        assert not slack.calls_to("files.getUploadURLExternal")
    assert not slack.calls_to("chat.postMessage")
    assert restricted_app.assistant.question_log.questions() == []


def test_allowed_workspace_channel_and_dm_are_answered(restricted_app, slack):
    sender = SlackSender(restricted_app.url)
    assert FIGURE in sender.command("banen Leiden 2016", slack.response_url()).text
    sender.event(message_event("banen Leiden 2016", kind="message", channel="D0ALICE",
                               channel_type="im", ts="1700001200.000001"))  # fmt: skip
    [post] = slack.wait_for("chat.postMessage")
    assert FIGURE in all_text(post.params["blocks"])


# -- failures ---------------------------------------------------------------------------------


def test_a_broken_store_gives_an_apology_with_a_reference(
    slack, slack_env, store_path, tmp_path, caplog
):
    import sqlite3

    db = copy_store(store_path, tmp_path)
    with HttpApp({**slack_env, "ECON071_DB": str(db)}) as app:
        # The store breaks while the app runs (the figures view gone missing).
        with sqlite3.connect(db) as conn:
            conn.execute("DROP VIEW figures")
        body = SlackSender(app.url).command("banen Leiden 2016", slack.response_url()).json()
        assert_valid_blocks(body["blocks"])
        reply = all_text(body["blocks"])
        assert reply.count("Sorry") == 1 and FIGURE not in reply
        reference = re.search(r"referentie `([0-9a-f]{8})`", reply).group(1)
        assert any(reference in r.getMessage() and r.exc_info for r in caplog.records)
        [row] = logged(app, "banen Leiden 2016")
        assert row.status == "error" and reference in row.understood


def test_question_is_answered_when_the_log_cannot_be_written(
    slack, slack_env, store_path, tmp_path
):
    db = copy_store(store_path, tmp_path)
    with HttpApp({**slack_env, "ECON071_DB": str(db)}) as app:
        with closing(opsdb.connect(db)) as conn:  # the question log's database
            conn.execute(
                "CREATE TRIGGER full BEFORE INSERT ON questions"
                " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
            )
        sender = SlackSender(app.url)
        assert FIGURE in sender.command("banen Leiden 2016", slack.response_url()).text
        sender.event(message_event(f"<@{BOT_USER_ID}> banen Leiden 2016", ts="1700001300.1"))
        [post] = slack.wait_for("chat.postMessage")
        assert FIGURE in all_text(post.params["blocks"])


def test_rate_limited_post_is_retried(sender, slack):
    slack.fail("chat.postMessage", status=429, retry_after=1)
    sender.event(message_event(f"<@{BOT_USER_ID}> banen Leiden 2016", ts="1700001400.000001"))
    first, second = slack.wait_for("chat.postMessage", count=2, timeout=6)
    assert first.params == second.params


# -- load ---------------------------------------------------------------------------------------


def test_a_burst_of_commands_is_acked_within_3s_and_answered(sender, slack):
    questions = [
        "banen Leiden 2016", "werkloosheid", "banen Katwijk 2010", "trend werkloosheid",
        "top banen 2016", "bijstand Leiden", "lijst", "help",
    ] * 4  # fmt: skip

    def ask(i_question):
        i, question = i_question
        started = time.monotonic()
        response = sender.command(question, slack.response_url(f"burst{i}"))
        return question, response, time.monotonic() - started

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(ask, enumerate(questions)))
    slow = [(q, round(s, 2)) for q, _, s in results if s >= 3]
    assert not slow
    assert all(r.status_code == 200 for _, r, _ in results)
    # Answers not ready within the ack budget come through response_url, one per empty ack.
    empty = sum(1 for _, r, _ in results if not r.text)
    late = {c.path.rsplit("/", 1)[-1]: c.json() for c in slack.wait_for("response_url", empty)}
    for i, (question, response, _) in enumerate(results):
        body = response.json() if response.text else late[f"burst{i}"]
        assert_valid_blocks(body["blocks"])
        assert "Sorry" not in all_text(body["blocks"]), question
        if question == "banen Leiden 2016":
            assert FIGURE in all_text(body["blocks"])
