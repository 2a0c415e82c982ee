"""The "Deel in kanaal" button: post the same answer visibly, naming who shared it.

The button carries the question, not the answer: it is answered again (the figures
are the same) and posted with chat.postMessage. Where the app is no member (a private
channel, a DM between people) it goes through the interaction's response_url, which
Slack allows in any conversation the command was used in."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from econ071.core.answer import ERROR
from econ071.slackapp.assistant import Assistant
from econ071.slackapp.blocks import share_failed_text

log = logging.getLogger(__name__)

# chat.postMessage errors after which the response_url can still post the answer.
_NOT_A_MEMBER = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}


def handle_share(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    client: WebClient,
    context: BoltContext,
) -> None:
    ack()
    assistant: Assistant = context["econ071"]
    if not assistant.admits_click(context, respond):
        return
    user_id = (body.get("user") or {}).get("id", "")
    channel_id = context.get("channel_id") or (body.get("channel") or {}).get("id")
    assistant.later(_share, assistant, action.get("value") or "", user_id, channel_id, respond,
                    client)  # fmt: skip


def _share(
    assistant: Assistant,
    question: str,
    user_id: str,
    channel_id: str | None,
    respond: Respond,
    client: WebClient,
) -> None:
    reply = assistant.reply(question, shared_by=user_id)
    if reply.answer.status == ERROR:  # an apology is for the asker only
        respond(blocks=reply.blocks, text=reply.text, response_type="ephemeral",
                replace_original=False)  # fmt: skip
        return
    try:
        client.chat_postMessage(channel=channel_id, blocks=reply.blocks, text=reply.text)
    except SlackApiError as exc:
        error = exc.response.get("error")
        log.info("sharing through chat.postMessage failed (%s); using response_url", error)
        if error not in _NOT_A_MEMBER:
            respond(
                text=share_failed_text(error), response_type="ephemeral", replace_original=False
            )
            return
        respond(blocks=reply.blocks, text=reply.text, response_type="in_channel",
                replace_original=False)  # fmt: skip
    respond(delete_original=True)
