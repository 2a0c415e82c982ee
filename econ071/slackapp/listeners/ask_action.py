"""A click that asks a question: an option of a clarifying question, a follow-up under an
answer, an example on the Home tab. The button carries the question; it is answered as
if typed, in the place the click came from (econ071/slackapp/clicks.py), once however often Slack
delivers the click."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from econ071.slackapp import actions
from econ071.slackapp.assistant import Assistant
from econ071.slackapp.clicks import EPHEMERAL, HOME, Place, click_key, place_of


def handle_ask(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    client: WebClient,
    context: BoltContext,
) -> None:
    ack()  # the answer follows from the background pool
    assistant: Assistant = context["econ071"]
    if not assistant.admits_click(context, respond):
        return
    question = actions.clicked_value(action)
    if not question.strip():
        return
    replace = action.get("block_id") == actions.CLARIFY_BLOCK
    assistant.later(_answer_click, assistant, click_key(body, action), place_of(body), question,
                    replace, respond, client)  # fmt: skip


def _answer_click(
    assistant: Assistant,
    key: str,
    place: Place,
    question: str,
    replace: bool,
    respond: Respond,
    client: WebClient,
) -> None:
    if not assistant.first_delivery(key):
        return
    private = place.kind == EPHEMERAL
    reply = assistant.reply(question, share=private, conversation=not private)
    if private:
        # In place of the clarifying question; a follow-up comes as a new message.
        respond(blocks=reply.blocks, text=reply.text, response_type="ephemeral",
                replace_original=replace)  # fmt: skip
    else:
        channel = place.channel
        if place.kind == HOME:
            channel = client.conversations_open(users=place.user)["channel"]["id"]
        client.chat_postMessage(channel=channel, thread_ts=place.thread_ts, blocks=reply.blocks,
                                text=reply.text)  # fmt: skip
        assistant.send_chart(client, reply.answer, channel, place.thread_ts)
    assistant.log_question(reply, question, place.user, place.surface)
