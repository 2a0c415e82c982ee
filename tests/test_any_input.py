"""Whatever a user types, the assistant replies — never an exception, never over Slack's limits."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from econ071.core.answer import ERROR
from econ071.rendering import render

WORDS = st.sampled_from(
    "banen leiden katwijk 2016 2010 werkloosheid bijstand vergelijk trend top uitleg lijst"
    " bronnen zorg 071 nederland <!channel> <@U024BE7LH> <!here> & > < * _ ~ ` 65+"
    " 2012-2016 leidn werkloos 💼 \x00 \u200b ﷽".split()
)
QUESTIONS = st.one_of(
    st.text(max_size=300),
    st.lists(WORDS, max_size=12).map(" ".join),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=5000),
)


@settings(
    max_examples=int(os.environ.get("ECON071_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(question=QUESTIONS)
def test_any_string_gets_a_reply_within_slack_limits(engine, question):
    answer = engine.ask(question)
    assert answer.status != ERROR, answer.reference
    text = render.text(answer)
    md = render.render(answer).text
    assert text.strip() and md.strip()
    assert len(md) <= render.MESSAGE_TEXT_MAX
    blocks = render.blocks(answer)
    assert 1 <= len(blocks) <= render.MAX_BLOCKS
    for block in blocks:
        if block["type"] == "section":
            assert 0 < len(block["text"]["text"]) <= render.SECTION_TEXT_MAX
        if block["type"] == "header":
            assert 0 < len(block["text"]["text"]) <= render.HEADER_TEXT_MAX
        if block["type"] == "context":
            assert len(block["elements"]) <= render.CONTEXT_ELEMENTS_MAX


@settings(max_examples=60, deadline=None)
@given(payload=st.sampled_from(["<!channel>", "<!here>", "<@U024BE7LH>", "<!subteam^S1>"]),
       words=st.lists(WORDS, max_size=4).map(" ".join))  # fmt: skip
def test_slack_markup_in_a_question_never_comes_back_live(engine, payload, words):
    md = render.render(engine.ask(f"{words} {payload} {words}")).text
    blocks = render.blocks(engine.ask(f"{payload} {words}"))
    assert payload not in md
    for block in blocks:
        assert payload not in str(block)
