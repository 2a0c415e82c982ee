"""The App Home and the greeting of the Messages tab, built through the engine.

The Home tab shows what can be asked (the help's own examples, as buttons), the latest
headline figures of the 071 area with their sources (answers of the engine), what is new
in the store (the imports the engine lists under ``bronnen``) and, when following exists
(``econ071/store/follows.py``), the figures the user follows. Wording: templates/slack_home_*.j2.
"""

from __future__ import annotations

import functools
import logging
import re
from pathlib import Path
from typing import Any

from econ071.answering.engine import Engine
from econ071.core.answer import ANSWERED, Answer, Kind
from econ071.rendering import render
from econ071.slackapp import actions
from econ071.store import follows

log = logging.getLogger(__name__)

HEADLINES = 4  # figures on the Home tab
MAX_IMPORTS = 3
MAX_PROMPTS = 4  # Slack shows at most four suggested prompts
_EXAMPLE = re.compile(r"^• `([^`]+)` — (.+)$", re.MULTILINE)


@functools.cache
def _titles() -> tuple[dict[str, str], str]:
    module = render.environment(render.PLAIN).get_template("slack_home_titles.j2").module
    return dict(module.titles), str(module.greeting)  # type: ignore[attr-defined]


def examples(engine: Engine) -> list[tuple[str, str]]:
    """(question, what it shows) as the help answer lists them."""
    body = render.render(engine.ask("help"), render.PLAIN).body
    return _EXAMPLE.findall(body)


def headline_answers(engine: Engine, limit: int = HEADLINES) -> list[Answer]:
    """The engine's answers for the first indicators (catalog order) that have a dated
    figure for the 071 area."""
    from econ071.store import figures as store

    cat = engine.catalog
    region = cat.place_name(cat.region_code)
    out = []
    for ind_id in store.indicators_at(engine.conn, cat.region_code):
        answer = engine.ask(f"{ind_id.replace('_', ' ')} {region}")
        if (
            answer.status == ANSWERED
            and answer.kind == Kind.FIGURE
            and answer.period
            and any(v.published for v in answer.values)
        ):
            out.append(answer)
        if len(out) >= limit:
            break
    return out


def followed_answers(engine: Engine, user_id: str) -> list[Answer]:
    """The figures a user follows (``/071 volg …``), each answered by the engine."""
    answers = [engine.ask(q) for q in follows.followed_questions(Path(engine.db_path), user_id)]
    return [a for a in answers if a.status == ANSWERED]


def _mrkdwn(template: str, **context: Any) -> str:
    env = render.environment(render.MRKDWN)
    return render.tidy(env.get_template(template).render(**render.escaped(context)))


def _section(text: str) -> list[dict[str, Any]]:
    return [{"type": "section", "text": render.text_object(piece)}
            for piece in render.chunks(text, render.SECTION_TEXT_MAX)]  # fmt: skip


def _header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": text, "emoji": True}}


def home_view(engine: Engine, user_id: str, command: str = "/071") -> dict[str, Any]:
    titles, _ = _titles()
    blocks: list[dict[str, Any]] = [_header(titles["home"])]
    blocks += _section(_mrkdwn("slack_home_intro.j2", command=command))
    blocks += [{"type": "divider"}, _header(titles["ask"])]
    blocks += actions.examples(examples(engine))
    blocks += [{"type": "divider"}, _header(titles["figures"])]
    blocks += _section(_mrkdwn("slack_home_figures.j2", answers=headline_answers(engine)))
    imports = engine.ask("bronnen").extra.get("imports", [])[:MAX_IMPORTS]
    blocks += [{"type": "divider"}, _header(titles["new"])]
    blocks += _section(_mrkdwn("slack_home_new.j2", imports=imports))
    followed = followed_answers(engine, user_id)
    if followed is not None:
        blocks += [{"type": "divider"}, _header(titles["follows"])]
        blocks += _section(_mrkdwn("slack_home_follows.j2", answers=followed))
    return {"type": "home", "blocks": blocks[:100]}


def suggested_prompts(engine: Engine) -> tuple[str, list[dict[str, str]]]:
    """The title and the prompts for an assistant thread (assistant.threads.setSuggestedPrompts)."""
    titles, _ = _titles()
    prompts = [{"title": render.shorten(f"{question} — {what}", 75), "message": question}
               for question, what in examples(engine)[:MAX_PROMPTS]]  # fmt: skip
    return titles["prompts"], prompts


def greeting_blocks(engine: Engine) -> tuple[str, list[dict[str, Any]]]:
    """The plain greeting of the Messages tab, with example questions as buttons."""
    _, greeting = _titles()
    blocks = _section(render.slack_escape(greeting)) + actions.examples(examples(engine)[:5])
    return greeting, blocks
