"""Block Kit for the Slack surfaces, around ``econ071.rendering.render.blocks``.

The answer itself is rendered by the engine's templates; this adds what only Slack
has: the question echoed back (escaped), what can be clicked under it (econ071/slackapp/actions.py:
options, follow-ups, "Deel in kanaal", "Toon grafiek", CSV, 👍/👎), the line that names
who shared an answer, and the refusal. Dutch wording lives in templates/slack_*.j2.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from econ071.core.answer import ANSWERED, CLARIFY, ERROR, NOT_FOUND, Answer, Kind
from econ071.rendering import render
from econ071.slackapp import actions, charts, followups
from econ071.slackapp.followups import FollowUp

TABLE_KINDS = frozenset({Kind.TABLE, Kind.TREND, Kind.BREAKDOWN})  # answers that download as CSV
NOTIFICATION_TEXT_MAX = 300
QUESTION_ECHO_MAX = 300
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")

Blocks = list[dict[str, Any]]


def _mrkdwn(template: str, **context: Any) -> str:
    """Render a templates/slack_*.j2 text; every value is escaped for Slack first, so a
    question with ``<!channel>`` or ``<@U…>`` in it notifies nobody."""
    safe = {k: render.slack_escape(v) if isinstance(v, str) else v for k, v in context.items()}
    return render.environment(render.MRKDWN).get_template(template).render(safe).strip()


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [render.text_object(text)]}


def _shortened(question: str) -> str:
    """The question as echoed back: one line, at most QUESTION_ECHO_MAX characters."""
    return render.shorten(" ".join(question.split()), QUESTION_ECHO_MAX)


def _fit(head: Blocks, body: Blocks, tail: Blocks) -> Blocks:
    """head + body + tail within Slack's 50 blocks, cutting the body (never the sources)."""
    return head + render.fit(body, render.MAX_BLOCKS - len(head) - len(tail)) + tail


def _split_header(blocks: Blocks) -> tuple[Blocks, Blocks]:
    if blocks and blocks[0].get("type") == "header":
        return blocks[:1], blocks[1:]
    return [], blocks


def answer_blocks(
    answer: Answer,
    question: str,
    *,
    share: bool = False,
    conversation: bool = False,
    follow_ups: Sequence[FollowUp] = (),
    dimension: str | None = None,
) -> Blocks:
    """The answer as a private or thread reply: header, the question as asked, the answer,
    caveats and sources; then what can be clicked. ``share``: a private /071 answer (with
    "Deel in kanaal" and "Toon grafiek"); ``conversation``: an answer in a thread or DM
    (its chart is uploaded beside it). Either way: the options of a clarifying question,
    the follow-ups, "Download als CSV" for a table and 👍 / 👎."""
    header, body = _split_header(render.blocks(answer))
    head = header
    if question.strip():
        head = head + [_context(_mrkdwn("slack_question.j2", question=_shortened(question)))]
    tail: Blocks = []
    interactive = share or conversation
    if interactive and answer.options and answer.status in (CLARIFY, NOT_FOUND):
        tail += actions.clarify(
            (o.label, followups.option_question(answer, o)) for o in answer.options
        )
    answered = answer.status == ANSWERED and answer.kind != Kind.HELP
    if interactive and answered:
        tail += actions.follow_up_buttons(follow_ups, dimension)
    if interactive and answer.kind != Kind.HELP and answer.status != ERROR:
        tail += actions.tools(
            question,
            share=share and answered,
            chart=share and charts.drawable(answer),
            csv=answered and answer.kind in TABLE_KINDS and any(v.published for v in answer.values),
            feedback=True,
        )
    return _fit(head, body, tail)


def shared_blocks(answer: Answer, question: str, user_id: str, command: str = "/071") -> Blocks:
    """The same answer, posted visibly, with a line naming who shared it."""
    if not _USER_ID.fullmatch(user_id or ""):
        raise ValueError("not a Slack user id")
    line = _mrkdwn(
        "slack_shared_by.j2", user_id=user_id, command=command, question=_shortened(question)
    )
    header, body = _split_header(render.blocks(answer))
    return _fit(header, body, [_context(line)])


def notification_text(reply_blocks: Blocks) -> str:
    """The message's ``text`` (what notifications and screen readers show), taken from
    the rendered blocks: the header and the first line of the answer that is not a note
    in italics. Already escaped, as the blocks are."""
    header = next((b["text"]["text"] for b in reply_blocks if b["type"] == "header"), "")
    first_line = ""
    for block in reply_blocks:
        if block["type"] == "section":
            lines = [line for line in block["text"]["text"].splitlines() if line.strip()]
            first_line = next((line for line in lines if not line.startswith("_")), "")
            if first_line:
                break
    text = " — ".join(t for t in (header, first_line) if t) or "Antwoord van 071"
    if len(text) > NOTIFICATION_TEXT_MAX:
        text = text[: NOTIFICATION_TEXT_MAX - 1] + "…"
    return text


def refusal_text() -> str:
    return _mrkdwn("slack_refusal.j2")


def share_failed_text(reason: str | None) -> str:
    return _mrkdwn("slack_share_failed.j2", reason=reason or "")


def error_answer(question: str, reference: str) -> Answer:
    """The apology (templates/error.j2) with the reference under which the error is logged."""
    return Answer(ERROR, Kind.ERROR, question, reference=reference)


def notice_text(template: str, **context: Any) -> str:
    """A short mrkdwn notice from a templates/slack_*.j2 (values escaped)."""
    return _mrkdwn(template, **context)
