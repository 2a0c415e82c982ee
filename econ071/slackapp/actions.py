"""The interactive parts of an answer in Block Kit: the options of a clarifying question
(buttons, or a list when there are more than five), the follow-ups, "Toon grafiek",
"Download als CSV", "Deel in kanaal" and 👍 / 👎. Labels are templates/slack_labels.j2's.

Every button carries a question text as its value: the question it asks (an option, a
follow-up, an example) or the question its answer answered (share, chart, CSV,
feedback). Listeners answer that text again, so no state is kept between the answer and
the click.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

from econ071.rendering import render
from econ071.slackapp.followups import FollowUp

Blocks = list[dict[str, Any]]

# action_ids: listeners match these (an action_id is unique within its block, hence the
# numbered variants, matched by pattern).
SHARE = "econ071_share"
ASK = "econ071_ask"  # a question to answer: an option, a follow-up, an example
ASK_PATTERN = re.compile(r"^econ071_ask(_\w+)?$")
CHART = "econ071_chart"
CSV = "econ071_csv"
FEEDBACK_UP, FEEDBACK_DOWN = "econ071_feedback_up", "econ071_feedback_down"
FEEDBACK_PATTERN = re.compile(r"^econ071_feedback_(up|down)$")

# block_ids: they tell a listener what kind of question a click asks.
CLARIFY_BLOCK, FOLLOW_BLOCK, TOOLS_BLOCK = "econ071_clarify", "econ071_follow", "econ071_tools"
FEEDBACK_KEY = "econ071_feedback"  # one vote per person and message, 👍 or 👎
EXAMPLES_BLOCK = "econ071_examples"

VALUE_MAX = 2000  # a button's value
OPTION_VALUE_MAX = 150  # a select option's value
TEXT_MAX = 75  # a button's or option's text
MAX_BUTTONS = 5  # more options than this become a select
MAX_ELEMENTS = 25  # in one actions block


@functools.cache
def labels() -> dict[str, str]:
    env = render.environment(render.PLAIN)
    return dict(env.get_template("slack_labels.j2").module.labels)  # type: ignore[attr-defined]


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": render.shorten(text, TEXT_MAX), "emoji": True}


def button(action_id: str, text: str, value: str, *, primary: bool = False) -> dict[str, Any]:
    element = {"type": "button", "action_id": action_id, "text": _plain(text),
               "value": value[:VALUE_MAX]}  # fmt: skip
    if primary:
        element["style"] = "primary"
    return element


def clarify(options: Iterable[tuple[str, str]]) -> Blocks:
    """(label, question) pairs as buttons, or as a static_select when there are more
    than five; with the hint that the answer comes in place of the question."""
    options = [(label, question) for label, question in options if question.strip()]
    if not options:
        return []
    # A select's option carries at most 150 characters: a longer question stays a button.
    if len(options) <= MAX_BUTTONS or any(len(q) > OPTION_VALUE_MAX for _, q in options):
        elements = [button(f"{ASK}_{i}", label, question)
                    for i, (label, question) in enumerate(options[:MAX_ELEMENTS])]  # fmt: skip
    else:
        elements = [
            {
                "type": "static_select",
                "action_id": f"{ASK}_select",
                "placeholder": _plain(labels()["choose"]),
                "options": [
                    {"text": _plain(label), "value": question} for label, question in options[:100]
                ],
            }
        ]
    hint = render.text_object(
        render.environment(render.MRKDWN).get_template("slack_clarify_hint.j2").render().strip()
    )
    return [
        {"type": "context", "elements": [hint]},
        {"type": "actions", "block_id": CLARIFY_BLOCK, "elements": elements},
    ]


def follow_up_buttons(follow_ups: Iterable[FollowUp], dimension: str | None = None) -> Blocks:
    names = labels()
    elements = []
    for i, f in enumerate(follow_ups):
        label = names.get(f.kind, f.kind)
        if f.kind == "breakdown" and dimension and dimension != "sector":
            label = names["breakdown_other"]
        elements.append(button(f"{ASK}_{i}", label, f.question))
    if not elements:
        return []
    return [{"type": "actions", "block_id": FOLLOW_BLOCK, "elements": elements}]


def tools(question: str, *, share: bool, chart: bool, csv: bool, feedback: bool) -> Blocks:
    """One row under an answer: share, "Toon grafiek" and "Download als CSV" as they
    apply, then 👍 / 👎."""
    names = labels()
    elements = []
    if share:
        elements.append(button(SHARE, names["share"], question))
    if chart:
        elements.append(button(CHART, names["chart"], question))
    if csv:
        elements.append(button(CSV, names["csv"], question))
    if feedback:
        elements.append(button(FEEDBACK_UP, names["feedback_up"], question))
        elements.append(button(FEEDBACK_DOWN, names["feedback_down"], question))
    if not elements:
        return []
    return [{"type": "actions", "block_id": TOOLS_BLOCK, "elements": elements}]


def examples(pairs: Iterable[tuple[str, str]]) -> Blocks:
    """Example questions as buttons (the Home tab): (question, what it shows)."""
    elements = [button(f"{ASK}_example_{i}", question, question)
                for i, (question, _) in enumerate(pairs)][:MAX_ELEMENTS]  # fmt: skip
    if not elements:
        return []
    return [{"type": "actions", "block_id": EXAMPLES_BLOCK, "elements": elements}]


def clicked_value(action: dict[str, Any]) -> str:
    """What a button or select carries: the question."""
    selected = action.get("selected_option") or {}
    return str(selected.get("value") or action.get("value") or "")
