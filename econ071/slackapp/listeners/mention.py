"""``@071 <question>`` in a channel: the answer in a thread under the question."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext, Say
from slack_sdk import WebClient

from econ071.slackapp.assistant import MENTION, Assistant
from econ071.slackapp.listeners.message import answer_message


def handle_mention(
    event: dict[str, Any], say: Say, client: WebClient, context: BoltContext
) -> None:
    assistant: Assistant = context["econ071"]
    thread_ts = event.get("thread_ts") or event.get("ts")
    # Returning acks the event at once; the answer follows from the background pool.
    assistant.later(answer_message, assistant, event, say, client, context, MENTION, thread_ts)
