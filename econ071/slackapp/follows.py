"""``/071 volg …`` in Slack and the direct messages about new releases.

    /071 volg werkloosheid Leiden     follow (indicator and place as the question is understood)
    /071 volg niet werkloosheid Leiden
    /071 volg                         what you follow

After a sync that changed figures, ``notify`` sends each user one direct message per new
release of what they follow, through the app's own Slack client (econ071.slackapp.post_summary's
client_from_env or the Bolt app's client); econ071.store.follows makes it once per release.
"""

from __future__ import annotations

import logging
import re
import sqlite3

from slack_sdk import WebClient

from econ071.answering.engine import Engine
from econ071.rendering import formatting, render
from econ071.slackapp import blocks
from econ071.store import figures
from econ071.store.follows import Follow, Follows, changed_by
from econ071.store.questionlog import QuestionLog

log = logging.getLogger(__name__)

TEMPLATE = "slack_follow.j2"
ANYWHERE = "*"  # followed without a place: the 071 area and its six municipalities
_VOLG = re.compile(r"^\s*volg\b\s*(.*)$", re.IGNORECASE | re.DOTALL)
_NIET = re.compile(r"^(?:niet(?:\s+meer)?|stop)\b\s*(.*)$", re.IGNORECASE | re.DOTALL)


def is_follow(text: str) -> bool:
    return bool(_VOLG.match(text or ""))


def _reply(kind: str, command: str = "/071", **context) -> str:
    return blocks._mrkdwn(TEMPLATE, kind=kind, command=command, **context)


def _what(engine: Engine, indicator: str, place: str) -> str:
    cat = engine.catalog
    label = cat.indicators[indicator].label if indicator in cat.indicators else indicator
    where = "het 071-gebied en zijn gemeenten" if place == ANYWHERE else cat.place_name(place)
    return f"{label} in {where}"


def _understood(engine: Engine, question: str) -> tuple[str, list[str]] | None:
    answer = engine.ask(question)
    indicator = (answer.indicator or {}).get("id")
    if not indicator:
        return None
    places = [p["code"] for p in answer.places if p.get("code")]
    if any(n.kind == "default_six" for n in getattr(answer, "notes", ())):
        places = []
    return indicator, places or [ANYWHERE]


def handle(engine: Engine, question_log: QuestionLog, text: str, user_id: str,
           command: str = "/071") -> str:  # fmt: skip
    """The reply (mrkdwn) to ``volg …``."""
    follows = Follows(question_log)
    rest = _VOLG.match(text).group(1).strip()
    if not rest:
        items = [_what(engine, f.indicator, f.place) for f in follows.of_user(user_id)]
        example = follows.of_user(user_id)[0].question if items else ""
        return _reply("list", command, items=[render.slack_escape(i) for i in items],
                      example=example)  # fmt: skip
    stop = _NIET.match(rest)
    question = (stop.group(1) if stop else rest).strip()
    found = _understood(engine, question) if question else None
    if found is None:
        return _reply("unknown", command, question=question)
    indicator, places = found
    replies = []
    for place in places:
        what = _what(engine, indicator, place)
        if stop:
            removed = follows.remove(user_id, indicator, place)
            replies.append(_reply("removed" if removed else "not_following", command, what=what))
        else:
            newest = engine.conn.execute("SELECT coalesce(max(id), 0) FROM imports").fetchone()[0]
            added = follows.add(user_id, indicator, place, question, newest)
            replies.append(_reply("added" if added else "already", command, what=what,
                                  question=question))  # fmt: skip
    return "\n".join(replies)


def notify(engine: Engine, client: WebClient, question_log: QuestionLog,
           import_ids: list[int], command: str = "/071") -> int:  # fmt: skip
    """One direct message per follow whose figures an import of ``import_ids`` (made
    after the follow) added or changed; returns how many were sent. Pass the latest import
    of every table (not only this run's): a message that failed is then tried again."""
    if not import_ids:
        return 0
    follows = Follows(question_log)
    cat = engine.catalog
    local = [cat.region_code, *cat.six]
    store = figures.connect(engine.db_path, ensure=False, timeout=30)
    sent = 0
    try:
        for follow in follows.all():
            places = local if follow.place == ANYWHERE else [follow.place]
            for import_id in import_ids:
                if import_id <= follow.after_import:
                    continue  # a release from before the follow: not news to this user
                if not changed_by(store, import_id, follow.indicator, places):
                    continue
                if not follows.claim(follow.id, import_id):
                    continue  # told already
                try:
                    _send(engine, client, store, follow, import_id, command)
                    sent += 1
                except Exception as exc:  # noqa: BLE001 (one user's failure stops no one else)
                    follows.release(follow.id, import_id)
                    log.warning("follow %d: the message about import %d was not sent: %s",
                                follow.id, import_id, type(exc).__name__)  # fmt: skip
    finally:
        store.close()
    return sent


def _send(engine: Engine, client: WebClient, store: sqlite3.Connection, follow: Follow,
          import_id: int, command: str) -> None:  # fmt: skip
    from econ071.sync import state

    table = title = None
    released = "onlangs"
    for st in state.all_states(store):
        if st.import_id == import_id:
            table, title = st.table_id, st.title
            if st.release_date:
                released = formatting.long_date(st.release_date)
    head = _reply("notice", command, what=_what(engine, follow.indicator, follow.place),
                  released=released, table=f"{title} ({table})" if title else "een tabel",
                  question=follow.question)  # fmt: skip
    answer = engine.ask(follow.question)
    body = blocks.answer_blocks(answer, follow.question)
    message = [{"type": "section", "text": render.text_object(head)}, *body]
    client.chat_postMessage(channel=follow.user_id, text=blocks.notification_text(body) or head,
                            blocks=render.fit(message, render.MAX_BLOCKS),
                            unfurl_links=False, unfurl_media=False)  # fmt: skip
