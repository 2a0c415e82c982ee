"""Block Kit around the engine's answer: the question echoed (short, escaped), the share
button only where there is something to share, and Slack's 50-block limit."""

from __future__ import annotations

import pytest
from slack_harness import all_text, assert_valid_blocks

from econ071.slackapp import blocks


def _section(i: int) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": f"deel {i}"}}


def test_a_long_answer_is_cut_to_50_blocks_keeping_sources_and_button():
    head = [{"type": "header", "text": {"type": "plain_text", "text": "Kop"}}]
    body = [_section(i) for i in range(70)]
    body += [{"type": "divider"},
             {"type": "context", "elements": [{"type": "mrkdwn", "text": "Bron: LISA"}]}]  # fmt: skip
    tail = [{"type": "actions", "elements": [
        {"type": "button", "action_id": "x", "text": {"type": "plain_text", "text": "Deel"}}]}]  # fmt: skip
    fitted = blocks._fit(head, body, tail)
    assert len(fitted) == 50
    assert_valid_blocks(fitted)
    assert fitted[0] == head[0] and fitted[-1] == tail[0]
    assert fitted[-3]["type"] == "divider" and "Bron: LISA" in all_text(fitted[-2])
    assert "antwoord ingekort" in all_text(fitted[-4])
    assert blocks._fit(head, body[:3], tail) == head + body[:3] + tail


def test_the_echoed_question_is_escaped_and_short(engine):
    question = "<!channel> banen Leiden 2016 " + "x" * 1000
    out = blocks.answer_blocks(engine.ask(question), question, share=True)
    assert_valid_blocks(out)
    echo = all_text(out[1])
    assert echo.startswith("Je vroeg: “&lt;!channel&gt; banen Leiden 2016")
    assert len(echo) < 400 and echo.endswith("…”")


def test_no_echo_for_an_empty_question_and_no_button_for_help(engine):
    out = blocks.answer_blocks(engine.ask(""), "", share=True)
    assert "Je vroeg" not in all_text(out)
    assert not [b for b in out if b["type"] == "actions"]


@pytest.mark.parametrize(("question", "status"), [("xyzzy", "not found"), ("banen", "answered")])
def test_only_answers_get_a_share_button(engine, question, status):
    answer = engine.ask(question)
    assert answer.status == status
    out = blocks.answer_blocks(answer, question, share=True)
    ids = [e["action_id"] for b in out if b["type"] == "actions" for e in b["elements"]]
    assert ("econ071_share" in ids) == (status == "answered")
    # A miss can still be marked unhelpful: that is what the data team reads first.
    assert "econ071_feedback_down" in ids


def test_shared_by_needs_a_real_user_id(engine):
    answer = engine.ask("banen Leiden 2016")
    assert "Gedeeld door <@U0ALICE>" in all_text(blocks.shared_blocks(answer, "q", "U0ALICE"))
    with pytest.raises(ValueError):
        blocks.shared_blocks(answer, "q", "<!channel>")


def test_notification_text_is_the_header_and_the_figure(engine):
    out = blocks.answer_blocks(engine.ask("banen Leiden 2016"), "banen Leiden 2016")
    text = blocks.notification_text(out)
    assert text.startswith("Banen") and "67.537" in text and len(text) <= 300


def _text_objects(node):
    if isinstance(node, dict):
        if node.get("type") == "mrkdwn":
            yield node
        for value in node.values():
            yield from _text_objects(value)
    elif isinstance(node, list):
        for item in node:
            yield from _text_objects(item)


def test_a_typed_at_here_is_never_parsed_into_a_mention(engine):
    # The question is echoed back; Slack parses @here in mrkdwn unless it is verbatim.
    question = "@here banen Leiden 2016"
    out = blocks.answer_blocks(engine.ask(question), question, share=True)
    objects = list(_text_objects(out))
    assert any("@here" in o["text"] for o in objects)
    assert objects and all(o.get("verbatim") is True for o in objects)
