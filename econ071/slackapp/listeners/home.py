"""Opening the app: ``app_home_opened`` publishes the Home tab (views.publish) or greets in
the Messages tab; ``assistant_thread_started`` (the agent-style split view, where the
workspace has it) sets suggested prompts. All after the ack, from the background pool."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from econ071.slackapp import home
from econ071.slackapp.assistant import Assistant

log = logging.getLogger(__name__)


def handle_home_opened(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    assistant: Assistant = context["econ071"]
    if not assistant.allows(context):
        return
    user = event.get("user") or ""
    if event.get("tab") == "messages":
        assistant.later(_greet, assistant, client, context.get("team_id"), user,
                        event.get("channel"))  # fmt: skip
    else:
        assistant.later(_publish, assistant, client, user)


def _publish(assistant: Assistant, client: WebClient, user: str) -> None:
    view = home.home_view(assistant.engine, user, assistant.settings.command)
    client.views_publish(user_id=user, view=view)


def _greet(
    assistant: Assistant, client: WebClient, team: str | None, user: str, channel: str | None
) -> None:
    """A greeting with examples, the first time the Messages tab is opened (an empty DM)."""
    if not channel or not assistant.first_delivery(f"greet:{team or '-'}:{user}:{channel}"):
        return
    history = client.conversations_history(channel=channel, limit=1)
    if history.get("messages"):
        return
    text, blocks = home.greeting_blocks(assistant.engine)
    client.chat_postMessage(channel=channel, text=text, blocks=blocks)


def handle_thread_started(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    assistant: Assistant = context["econ071"]
    if not assistant.allows(context):
        return
    thread = event.get("assistant_thread") or {}
    assistant.later(_prompts, assistant, client, thread.get("channel_id"),
                    thread.get("thread_ts"))  # fmt: skip


def _prompts(
    assistant: Assistant, client: WebClient, channel: str | None, thread_ts: str | None
) -> None:
    if not channel:
        return
    title, prompts = home.suggested_prompts(assistant.engine)
    client.assistant_threads_setSuggestedPrompts(
        channel_id=channel, thread_ts=thread_ts, title=title, prompts=prompts
    )
