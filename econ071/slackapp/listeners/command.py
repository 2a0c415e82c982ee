"""``/071 <question>``: a private answer, in the ack when it is ready within the budget,
else through ``respond()`` right after an empty ack."""

from __future__ import annotations

from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from econ071.slackapp import follows
from econ071.slackapp.assistant import COMMAND, Assistant, Reply, question_text
from econ071.slackapp.blocks import refusal_text


def handle_command(
    ack: Ack, respond: Respond, command: dict[str, Any], context: BoltContext
) -> None:
    assistant: Assistant = context["econ071"]
    if not assistant.allows(context):
        ack(text=refusal_text(), response_type="ephemeral")
        return
    question = question_text(command.get("text"))
    user_id = command.get("user_id")
    if follows.is_follow(question) and user_id:  # /071 volg …: follow a figure
        reply = follows.handle(assistant.engine, assistant.question_log, question, user_id,
                               assistant.settings.command)  # fmt: skip
        ack(text=reply, response_type="ephemeral")
        return
    job = assistant.submit(assistant.reply, question, share=True)
    try:
        reply = job.result(timeout=assistant.budget_left(context))
    except FutureTimeout:
        ack()  # the response goes out as this listener returns
        assistant.later(_respond_when_ready, assistant, job, respond, question, user_id)
        return
    ack(blocks=reply.blocks, text=reply.text, response_type="ephemeral")
    assistant.later(assistant.log_question, reply, question, user_id, COMMAND)


def _respond_when_ready(
    assistant: Assistant, job: Future[Reply], respond: Respond, question: str, user_id: str | None
) -> None:
    reply = job.result()
    assistant.deliver(
        lambda: respond(blocks=reply.blocks, text=reply.text, response_type="ephemeral"),
        reply, question, user_id, COMMAND, "response_url",
    )  # fmt: skip
