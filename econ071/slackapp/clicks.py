"""Where a click came from, and so where its answer goes; and the key that makes a double
click answer once.

- a private /071 answer (an ephemeral message): through the click's ``response_url``,
  replacing the clarifying question, or as a new private message under the answer;
- a message in a channel (an answer to a mention): in that message's thread;
- a direct message: in the DM (in its thread when the answer was in one);
- the App Home: in the user's DM with the app.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from econ071.slackapp.assistant import COMMAND, DM, MENTION

EPHEMERAL, THREAD, DIRECT, HOME = "ephemeral", "thread", "dm", "home"


@dataclass(frozen=True)
class Place:
    kind: str  # EPHEMERAL | THREAD | DIRECT | HOME
    channel: str | None
    thread_ts: str | None
    message_ts: str | None
    user: str
    team: str | None

    @property
    def surface(self) -> str:
        """The question log's surface for a question asked here."""
        return {EPHEMERAL: COMMAND, THREAD: MENTION}.get(self.kind, DM)


def place_of(body: dict[str, Any]) -> Place:
    container = body.get("container") or {}
    user = (body.get("user") or {}).get("id", "")
    team = (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id")
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    message_ts = container.get("message_ts")
    if container.get("type") == "view" or (body.get("view") and not channel):
        return Place(HOME, None, None, None, user, team)
    if container.get("is_ephemeral"):
        return Place(EPHEMERAL, channel, None, message_ts, user, team)
    thread_ts = container.get("thread_ts") or (body.get("message") or {}).get("thread_ts")
    if channel and channel.startswith("D"):
        return Place(DIRECT, channel, thread_ts, message_ts, user, team)
    return Place(THREAD, channel, thread_ts or message_ts, message_ts, user, team)


def click_key(body: dict[str, Any], action: dict[str, Any], *, per_user: bool = False) -> str:
    """The same for every delivery of one click on one message: a double click, Slack's
    retry, another worker. A Home view is published anew on each visit, so its hash is
    part of the key there; an ephemeral message is one user's, and so is ``per_user``."""
    place = place_of(body)
    where = place.message_ts or (body.get("view") or {}).get("hash") or ""
    who = place.user if per_user or place.kind in (EPHEMERAL, HOME) else ""
    value = action.get("value") or (action.get("selected_option") or {}).get("value") or ""
    raw = "\x1f".join([place.team or "-", place.channel or "-", where, who,
                       action.get("block_id") or "", action.get("action_id") or "", value])  # fmt: skip
    return "click:" + hashlib.sha256(raw.encode()).hexdigest()[:40]
