"""A direct message to the app: the answer in the same conversation.

Every other message event (channels, edits, deletions, the bot's own posts) is
ignored; mentions in channels arrive through ``app_mention``."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext, Say
from slack_sdk import WebClient

from econ071.slackapp.assistant import DM, Assistant, question_text
from econ071.slackapp.blocks import refusal_text
from econ071.store.deliveries import Deliveries


def handle_message(
    event: dict[str, Any], say: Say, client: WebClient, context: BoltContext
) -> None:
    if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
        return
    assistant: Assistant = context["econ071"]
    # Returning acks the event at once; the answer follows from the background pool.
    assistant.later(
        answer_message, assistant, event, say, client, context, DM, event.get("thread_ts")
    )


def answer_message(
    assistant: Assistant,
    event: dict[str, Any],
    say: Say,
    client: WebClient,
    context: BoltContext,
    surface: str,
    thread_ts: str | None,
) -> None:
    """Answer a message event once, however often Slack delivers it."""
    key = Deliveries.message_key(context.get("team_id"), event.get("channel"), event.get("ts"))
    if not assistant.first_delivery(key):
        return
    if not assistant.allows(context):
        say(text=refusal_text(), thread_ts=thread_ts)
        return
    question = question_text(event.get("text"), context.get("bot_user_id"))
    reply = assistant.reply(question, conversation=True)
    where = f"channel {event.get('channel')}" + (f", thread {thread_ts}" if thread_ts else "")
    delivered = assistant.deliver(
        lambda: say(blocks=reply.blocks, text=reply.text, thread_ts=thread_ts),
        reply, question, event.get("user"), surface, where,
    )  # fmt: skip
    if delivered:
        assistant.send_chart(client, reply.answer, event.get("channel"), thread_ts)
