"""The "Toon grafiek" and "Download als CSV" buttons: the answer's chart or table as a file.

Under a private /071 answer the file goes to the user's DM with the app (a file in the
channel would be seen by everyone); under an answer in a thread or DM, into that thread
or DM. The button carries the question: it is answered again (the same figures)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from econ071.slackapp import actions, charts
from econ071.slackapp.assistant import Assistant
from econ071.slackapp.blocks import notice_text
from econ071.slackapp.clicks import EPHEMERAL, HOME, Place, click_key, place_of


def handle_file(
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
    what = "csv" if action.get("action_id") == actions.CSV else "chart"
    assistant.later(_send_file, assistant, click_key(body, action), place_of(body), what,
                    actions.clicked_value(action), respond, client)  # fmt: skip


def _send_file(
    assistant: Assistant,
    key: str,
    place: Place,
    what: str,
    question: str,
    respond: Respond,
    client: WebClient,
) -> None:
    if not assistant.first_delivery(key):
        return
    answer = assistant.engine.ask(question)
    drawn = charts.draw(assistant.engine, answer) if what == "chart" else None
    empty = drawn is None if what == "chart" else not any(v.published for v in answer.values)
    if empty:
        respond(text=notice_text("slack_nothing_to_draw.j2", what=what),
                response_type="ephemeral", replace_original=False)  # fmt: skip
        return
    channel, thread_ts = place.channel, place.thread_ts
    if place.kind in (EPHEMERAL, HOME):
        channel = client.conversations_open(users=place.user)["channel"]["id"]
        thread_ts = None
    if drawn is not None:
        charts.upload_chart(client, drawn, channel, thread_ts)
    else:
        charts.upload_csv(client, answer, channel, thread_ts)
    if place.kind == EPHEMERAL:
        respond(text=notice_text("slack_chart_sent.j2", what=what), response_type="ephemeral",
                replace_original=False)  # fmt: skip
