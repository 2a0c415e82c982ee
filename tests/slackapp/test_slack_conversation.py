"""Slack as a conversation, over the real wire: clarifying options as buttons, follow-ups,
charts and CSV files, 👍 / 👎. Signed block_actions payloads to the Bolt app served on
127.0.0.1; Slack's Web API is the local stand-in (tests/slack_standin.py)."""

from __future__ import annotations

import csv
import io
import re
import time
from contextlib import closing

import pytest
from slack_harness import (
    CHANNEL_ID,
    USER_ID,
    all_text,
    assert_valid_blocks,
    message_event,
)

from econ071.slackapp import actions
from econ071.slackapp.followups import follow_ups, option_question
from econ071.store import opsdb

FIGURE = "67.537"  # banen Leiden 2016 (LISA)


def elements(blocks, block_id=None):
    return [e for b in blocks if b["type"] == "actions"
            and block_id in (None, b.get("block_id")) for e in b["elements"]]  # fmt: skip


def by_action(blocks, action_id):
    return [e for e in elements(blocks) if e["action_id"] == action_id]


def uploads(slack, count=1):
    """The files uploaded (files_upload_v2): getUploadURLExternal params, the bytes, the
    completion's params."""
    # Drawing takes a while on a loaded machine (matplotlib's first import, the fonts).
    done = slack.wait_for("files.completeUploadExternal", count=count, timeout=30)
    urls = slack.calls_to("files.getUploadURLExternal")
    sent = slack.calls_to("upload")
    return list(zip(urls, sent, done, strict=False))


# -- clarify by click ----------------------------------------------------------------------


def test_an_ambiguous_question_offers_its_options_and_a_click_answers_in_its_place(sender, slack):
    body = sender.command("uitkeringen", slack.response_url()).json()
    assert_valid_blocks(body["blocks"])
    options = elements(body["blocks"], actions.CLARIFY_BLOCK)
    assert len(options) >= 2 and all(o["type"] == "button" for o in options)
    assert "Kies hieronder" in all_text(body["blocks"])
    assert "Stel de vraag opnieuw" not in all_text(body["blocks"])
    chosen = options[1]
    sender.action(chosen["value"], slack.response_url("clarify"), action_id=chosen["action_id"],
                  block_id=actions.CLARIFY_BLOCK)  # fmt: skip
    [reply] = slack.wait_for("response_url")
    sent = reply.json()
    assert sent["replace_original"] is True and sent["response_type"] == "ephemeral"
    assert_valid_blocks(sent["blocks"])
    assert "arbeidsongeschiktheid" in all_text(sent["blocks"]).lower()
    assert any(ch.isdigit() for ch in all_text(sent["blocks"]))
    assert not elements(sent["blocks"], actions.CLARIFY_BLOCK)  # answered, not asked again


def test_more_than_five_options_are_a_select(engine):
    from dataclasses import replace

    from econ071.slackapp import blocks

    answer = engine.ask("uitkeringen")
    # (replace: whatever fields Option has, e.g. the engine's own question per option)
    many = tuple(replace(answer.options[1], label=f"Uitkering {i}") for i in range(7))
    out = blocks.answer_blocks(replace(answer, options=many), "uitkeringen", share=True)
    assert_valid_blocks(out)
    [select] = elements(out, actions.CLARIFY_BLOCK)
    assert select["type"] == "static_select" and len(select["options"]) == 7


def test_a_select_answers_in_the_thread_for_a_mention(sender, slack):
    sender.action("banen Leiden 2016", "", action_id="econ071_ask_select",
                  block_id=actions.CLARIFY_BLOCK, select=True, ephemeral=False,
                  thread_ts="1700000100.000100", message_ts="1700000100.000200")  # fmt: skip
    [post] = slack.wait_for("chat.postMessage")
    assert post.params["channel"] == CHANNEL_ID
    assert post.params["thread_ts"] == "1700000100.000100"
    assert FIGURE in all_text(post.params["blocks"])


def test_a_click_in_a_dm_answers_in_the_dm(sender, slack):
    sender.action("banen Leiden 2016", "", action_id="econ071_ask_0", block_id=actions.FOLLOW_BLOCK,
                  channel_id="D0ALICE", ephemeral=False, message_ts="1700000200.000100")  # fmt: skip
    [post] = slack.wait_for("chat.postMessage")
    assert post.params["channel"] == "D0ALICE" and not post.params.get("thread_ts")
    assert FIGURE in all_text(post.params["blocks"])


def test_clicking_twice_answers_once(sender, slack):
    for _ in range(2):
        sender.action("trend banen Leiden", "", action_id="econ071_ask_0",
                      block_id=actions.FOLLOW_BLOCK, ephemeral=False,
                      message_ts="1700000300.000100")  # fmt: skip
    slack.wait_for("chat.postMessage")
    slack.wait_for("files.completeUploadExternal", timeout=30)  # the trend's chart
    time.sleep(0.5)
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert len(slack.calls_to("files.completeUploadExternal")) == 1


# ("leid" offers "Leiden" alone, which names no figure: the engine's to settle.)
@pytest.mark.parametrize(
    "question", ["uitkeringen", "werk Leiden", "beroeps", "Leiden", "Katwijk 2016"]
)
def test_every_option_is_a_question_the_engine_answers(engine, question):
    answer = engine.ask(question)
    assert answer.options
    for option in answer.options:
        asked = option_question(answer, option)
        assert asked.strip() and len(asked) <= actions.OPTION_VALUE_MAX
        assert engine.ask(asked).status in ("answered", "clarify"), (option, asked)


# -- follow-ups ------------------------------------------------------------------------------


def test_an_answer_carries_follow_ups_that_answer_when_clicked(sender, slack):
    body = sender.command("banen Leiden 2016", slack.response_url()).json()
    follow = elements(body["blocks"], actions.FOLLOW_BLOCK)
    labels = [e["text"]["text"] for e in follow]
    assert labels[0] == "Trend door de jaren" and "Meer uitleg" in labels
    assert {e["value"] for e in follow} >= {"trend banen Leiden", "vergelijk banen",
                                            "uitleg banen Leiden 2016"}  # fmt: skip
    assert by_action(body["blocks"], actions.SHARE)  # "Deel in kanaal" stays
    trend = follow[0]
    sender.action(trend["value"], slack.response_url("follow"), action_id=trend["action_id"],
                  block_id=actions.FOLLOW_BLOCK)  # fmt: skip
    [reply] = slack.wait_for("response_url")
    sent = reply.json()
    assert sent["replace_original"] is False and sent["response_type"] == "ephemeral"
    assert "2010" in all_text(sent["blocks"]) and FIGURE in all_text(sent["blocks"])


@pytest.mark.parametrize(
    "question",
    ["banen Leiden 2016", "werkloosheid", "banen zorg", "trend werkloosheid", "vergelijk banen",
     "banen per sector", "uitkering", "top banen 2016"],
)  # fmt: skip
def test_every_follow_up_answers_with_figures(engine, question):
    offered = follow_ups(engine, engine.ask(question), question)
    assert offered and offered[-1].kind == "explain"
    for f in offered:
        answer = engine.ask(f.question)
        assert answer.status == "answered", (f, answer.kind)
        if f.kind == "explain":
            assert answer.long and answer.sources  # the long form of the same answer
        else:
            assert any(v.published for v in answer.values), f


def test_a_follow_up_under_a_mention_answers_in_the_thread(sender, slack):
    sender.event(message_event("<@U0STANDINBOT> banen Leiden 2016", ts="1700000400.000100"))
    [answer] = slack.wait_for("chat.postMessage")
    follow = elements(answer.params["blocks"], actions.FOLLOW_BLOCK)
    explain = next(e for e in follow if e["value"].startswith("uitleg "))
    slack.clear()
    sender.action(explain["value"], "", action_id=explain["action_id"],
                  block_id=actions.FOLLOW_BLOCK, ephemeral=False,
                  thread_ts="1700000400.000100", message_ts="1700000400.000200")  # fmt: skip
    [post] = slack.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == "1700000400.000100"
    assert "Banen" in all_text(post.params["blocks"])


# -- charts and CSV --------------------------------------------------------------------------


def test_a_trend_in_a_channel_brings_a_chart_with_alt_text(sender, slack):
    sender.event(message_event("<@U0STANDINBOT> trend banen Leiden", ts="1700000500.000100"))
    [answer] = slack.wait_for("chat.postMessage")
    assert answer.params["thread_ts"] == "1700000500.000100"
    [(url, upload, done)] = uploads(slack)
    alt = url.params["alt_txt"]
    assert alt.startswith("Lijngrafiek van Banen") and "Leiden" in alt
    assert "in 2010" in alt and FIGURE in alt  # the key message: from 2010 to 67.537 in 2016
    assert url.params["filename"].endswith(".png")
    assert upload.body[:8] == b"\x89PNG\r\n\x1a\n"
    assert done.params["channel_id"] == CHANNEL_ID
    assert done.params["thread_ts"] == "1700000500.000100"


def test_a_comparison_in_a_dm_brings_a_bar_chart(sender, slack):
    sender.event(message_event("vergelijk banen", kind="message", channel="D0ALICE",
                               channel_type="im", ts="1700000600.000100"))  # fmt: skip
    [(url, _, done)] = uploads(slack)
    assert url.params["alt_txt"].startswith("Staafdiagram van Banen")
    assert "het hoogst bij Leiden" in url.params["alt_txt"]
    assert done.params["channel_id"] == "D0ALICE"


def test_a_figure_brings_no_chart(sender, slack):
    sender.event(message_event("<@U0STANDINBOT> banen Leiden 2016", ts="1700000700.000100"))
    slack.wait_for("chat.postMessage")
    time.sleep(0.5)
    assert slack.calls_to("files.getUploadURLExternal") == []


def test_a_private_trend_offers_its_chart_in_the_dm(sender, slack):
    body = sender.command("trend banen Leiden", slack.response_url()).json()
    [chart] = by_action(body["blocks"], actions.CHART)
    assert chart["text"]["text"] == "Toon grafiek"
    assert slack.calls_to("files.getUploadURLExternal") == []  # not before it is asked
    sender.action(chart["value"], slack.response_url("chart"), action_id=actions.CHART)
    [(url, _, done)] = uploads(slack)
    [opened] = slack.calls_to("conversations.open")
    assert opened.params["users"] == USER_ID
    assert done.params["channel_id"].startswith("D")
    assert "Lijngrafiek" in url.params["alt_txt"]
    [notice] = slack.wait_for("response_url")
    assert "privégesprek" in notice.json()["text"]


def test_a_table_downloads_as_csv(sender, slack):
    body = sender.command("vergelijk banen", slack.response_url()).json()
    text = all_text(body["blocks"])
    assert re.search(r"Leiden \*?67\.537", text)  # readable as text in Slack
    [button] = by_action(body["blocks"], actions.CSV)
    sender.action(button["value"], slack.response_url("csv"), action_id=actions.CSV)
    [(url, upload, _)] = uploads(slack)
    assert url.params["filename"].endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(upload.body.decode("utf-8-sig"))))
    assert len(rows) == 6
    leiden = next(r for r in rows if r["place_name"] == "Leiden")
    assert leiden["value"] == "67537" and leiden["period"] == "2016"
    assert leiden["source"] and leiden["unit"]
    [notice] = slack.wait_for("response_url")
    assert "CSV-bestand" in notice.json()["text"]


# -- feedback --------------------------------------------------------------------------------


def test_feedback_is_logged_once_and_listed_first(sender, slack, http_app):
    body = sender.command("banen Leiderdorp 2016", slack.response_url()).json()
    [down] = by_action(body["blocks"], actions.FEEDBACK_DOWN)
    assert down["value"] == "banen Leiderdorp 2016"
    for _ in range(2):  # a double click is one vote
        sender.action(down["value"], slack.response_url("fb"), action_id=actions.FEEDBACK_DOWN,
                      block_id=actions.TOOLS_BLOCK, message_ts="1700000800.000100")  # fmt: skip
    [thanks] = slack.wait_for("response_url")
    assert "Dank je" in thanks.json()["text"]
    time.sleep(0.3)
    assert len(slack.calls_to("response_url")) == 1
    log = http_app.assistant.question_log
    deadline = time.monotonic() + 5
    while not (rows := log.questions()) or rows[0].unhelpful == 0:
        assert time.monotonic() < deadline, rows[:3]
        time.sleep(0.05)
    assert rows[0].text == "banen Leiderdorp 2016" and rows[0].unhelpful == 1
    with closing(opsdb.connect(log.db_path)) as conn:
        [(user_hash, understood, helpful)] = conn.execute(
            "SELECT user_hash, understood, helpful FROM feedback WHERE text = ?",
            ("banen Leiderdorp 2016",),
        ).fetchall()
    assert helpful == 0 and understood.startswith("figure banen GM0547")
    assert user_hash == log.user_hash(USER_ID) and USER_ID not in user_hash


# -- App Home and the Messages tab -------------------------------------------------------------


def test_opening_the_home_publishes_a_view_built_by_the_engine(sender, slack):
    sender.event({"type": "app_home_opened", "user": USER_ID, "channel": "D0ALICE",
                  "tab": "home", "event_ts": "1700000900.000100"})  # fmt: skip
    [publish] = slack.wait_for("views.publish")
    assert publish.params["user_id"] == USER_ID
    view = publish.params["view"]
    assert view["type"] == "home"
    assert_valid_blocks(view["blocks"])
    text = all_text(view["blocks"])
    assert "Wat je kunt vragen" in text and "Kerncijfers van het 071-gebied" in text
    assert "120.198" in text  # banen in the 071 area, 2016, from the engine
    assert "5,5%" in text and "7,6%" in text  # werkloosheid: CBS and UWV side by side
    assert "Bron" in text and "LISA" in text
    assert "Nieuw in de cijferbank" in text
    examples = elements(view["blocks"], actions.EXAMPLES_BLOCK)
    assert "banen Leiden 2016" in [e["value"] for e in examples]
    # A click on an example answers in the user's DM with the app.
    slack.clear()
    sender.action("banen Leiden 2016", "", action_id="econ071_ask_example_0",
                  block_id=actions.EXAMPLES_BLOCK, home=True)  # fmt: skip
    [post] = slack.wait_for("chat.postMessage")
    [opened] = slack.calls_to("conversations.open")
    assert opened.params["users"] == USER_ID and post.params["channel"].startswith("D")
    assert FIGURE in all_text(post.params["blocks"])


def test_the_home_shows_what_the_user_follows(store_copy):
    from econ071.answering.engine import Engine
    from econ071.slackapp import home
    from econ071.store.follows import Follows
    from econ071.store.questionlog import QuestionLog

    engine = Engine(store_copy)
    assert "Je volgt nog geen cijfers" in all_text(home.home_view(engine, USER_ID)["blocks"])
    log = QuestionLog(store_copy)
    log.prepare()
    Follows(log).add(USER_ID, "banen", "GM0546", "banen Leiden")
    text = all_text(home.home_view(engine, USER_ID)["blocks"])
    assert "Wat je volgt" in text and "67.537" in text and "nog geen" not in text


def test_the_messages_tab_greets_once_with_examples(sender, slack):
    event = {"type": "app_home_opened", "user": "U0NEW", "channel": "D0NEW",
             "tab": "messages", "event_ts": "1700001000.000100"}  # fmt: skip
    sender.event(event)
    [greeting] = slack.wait_for("chat.postMessage")
    assert greeting.params["channel"] == "D0NEW"
    assert "Stel me een vraag" in greeting.params["text"]
    assert elements(greeting.params["blocks"], actions.EXAMPLES_BLOCK)
    sender.event({**event, "event_ts": "1700001000.000200"})
    time.sleep(0.5)
    assert len(slack.calls_to("chat.postMessage")) == 1


def test_an_assistant_thread_gets_suggested_prompts(sender, slack):
    sender.event({"type": "assistant_thread_started", "event_ts": "1700001100.000100",
                  "assistant_thread": {"user_id": USER_ID, "channel_id": "D0ALICE",
                                       "thread_ts": "1700001100.000050", "context": {}}})  # fmt: skip
    [call] = slack.wait_for("assistant.threads.setSuggestedPrompts")
    assert call.params["channel_id"] == "D0ALICE"
    assert call.params["thread_ts"] == "1700001100.000050"
    prompts = call.params["prompts"]
    assert 1 <= len(prompts) <= 4 and prompts[0]["message"] == "banen Leiden 2016"


def test_csv_keeps_ranges_and_never_turns_a_missing_figure_into_0(engine):
    from dataclasses import replace

    from econ071.slackapp import charts

    answer = engine.ask("vergelijk kwetsbare populatie")
    ranged = next(v for v in answer.values if v.low is not None)
    missing = replace(answer.values[0], value=None, low=None, high=None,
                      missing_reason="niet gepubliceerd", display="niet gepubliceerd")  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(
        charts.csv_bytes(replace(answer, values=(ranged, missing))).decode("utf-8-sig"))))  # fmt: skip
    assert rows[0]["value"] == "" and rows[0]["low"] and rows[0]["high"]
    assert rows[0]["shown_as"] == ranged.display  # "6 – 8%": a range stays a range
    assert (rows[1]["value"], rows[1]["low"], rows[1]["missing_reason"]) == (
        "", "", "niet gepubliceerd")  # fmt: skip
