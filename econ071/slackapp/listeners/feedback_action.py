"""👍 / 👎 under an answer: logged with the question (the user id hashed, as every
question is), once per person and message; only the voter sees the thanks."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from econ071.slackapp import actions
from econ071.slackapp.assistant import Assistant
from econ071.slackapp.blocks import notice_text
from econ071.slackapp.clicks import Place, click_key, place_of
from econ071.store.questionlog import understood


def handle_feedback(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    ack()
    assistant: Assistant = context["econ071"]
    if not assistant.allows(context):
        return
    helpful = action.get("action_id") == actions.FEEDBACK_UP
    # One vote per person and message: 👍 then 👎 counts the first.
    vote = {"block_id": actions.FEEDBACK_KEY, "action_id": "vote", "value": ""}
    key = click_key(body, vote, per_user=True)
    assistant.later(_record, assistant, key, place_of(body), actions.clicked_value(action),
                    helpful, respond)  # fmt: skip


def _record(
    assistant: Assistant, key: str, place: Place, question: str, helpful: bool, respond: Respond
) -> None:
    if not assistant.first_delivery(key):
        return
    answer = assistant.engine.ask(question)  # how it was understood, as the log keeps it
    assistant.question_log.record_feedback(
        question, helpful=helpful, understood=understood(answer), user_id=place.user,
        surface=place.surface,
    )  # fmt: skip
    respond(text=notice_text("slack_feedback_thanks.j2", helpful=helpful),
            response_type="ephemeral", replace_original=False)  # fmt: skip
