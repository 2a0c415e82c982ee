"""Render an Answer to Slack mrkdwn, to Block Kit and to plain text, with Jinja2 templates.

Two environments share the templates in templates/: for ``mrkdwn`` every string of the
answer is escaped per Slack's rules (& < >) before rendering, so that text a user typed
(``<!channel>``, ``<@U123>``) can never notify anyone; ``plain`` is for the terminal. In
both, every string is cleaned of control and format characters first (econ071.core.cleantext). Templates mark
emphasis with the ``b`` and ``i`` filters, which are ``*x*``/``_x_`` in mrkdwn and bare
text in plain.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jinja2

from econ071.core import paths, periods
from econ071.core.answer import Answer
from econ071.core.cleantext import clean
from econ071.rendering import formatting

MRKDWN, PLAIN = "mrkdwn", "plain"

# Slack limits we render within.
SECTION_TEXT_MAX = 3000
HEADER_TEXT_MAX = 150
CONTEXT_TEXT_MAX = 2000
CONTEXT_ELEMENTS_MAX = 10
MAX_BLOCKS = 50
MESSAGE_TEXT_MAX = 40000


def slack_escape(text: str) -> str:
    """Slack's three control characters (https://api.slack.com/reference/surfaces/formatting),
    after the text is cleaned of control and format characters (econ071.core.cleantext)."""
    return clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_FIELDS: dict[type, tuple[str, ...]] = {}


def escaped(obj: Any) -> Any:
    """A copy of an answer (or any part of it) with every string escaped for Slack.

    Escaping the data rather than the template output keeps the templates' own markup
    (``*bold*``, macro results) intact and escapes each user or data string exactly once.
    """
    return _mapped(obj, slack_escape, {})


def cleaned(obj: Any) -> Any:
    """A copy of an answer (or any part of it) with every string cleaned for a terminal."""
    return _mapped(obj, clean, {})


def _mapped(obj: Any, fn: Callable[[str], str], memo: dict[int, Any]) -> Any:
    if isinstance(obj, str):
        return fn(obj)
    if isinstance(obj, int | float | bool) or obj is None:
        return obj
    if id(obj) in memo:  # the same figure is often in values and in extra
        return memo[id(obj)]
    memo[id(obj)] = result = _copy(obj, fn, memo)
    return result


def _copy(obj: Any, fn: Callable[[str], str], memo: dict[int, Any]) -> Any:
    names = _FIELDS.get(type(obj))
    if names is None and dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        names = _FIELDS[type(obj)] = tuple(f.name for f in dataclasses.fields(obj))
    if names is not None:
        copy = object.__new__(type(obj))  # frozen dataclasses: fill the copy directly
        for name in names:
            object.__setattr__(copy, name, _mapped(getattr(obj, name), fn, memo))
        return copy
    if isinstance(obj, dict):
        return {k: _mapped(v, fn, memo) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return type(obj)(_mapped(v, fn, memo) for v in obj)
    return obj


def _finalize(value: Any) -> Any:
    return "" if value is None else value


def _emphasis(marker: str, mode: str):
    def apply(value: Any) -> str:
        text = str(value)
        if mode == PLAIN or not text.strip():
            return text
        return f"{marker}{text}{marker}"

    return apply


def _excerpt(text: str, limit: int = 360) -> str:
    """A long quote cut at a sentence end, marked with […] as the report marks its own cuts."""
    if len(text) <= limit:
        return text
    cut = max(text.rfind(". ", 0, limit), text.rfind("; ", 0, limit))
    return (text[: cut + 1] if cut > limit // 3 else text[:limit].rsplit(" ", 1)[0]) + " […]"


def _join(items: list[str], last: str = "en") -> str:
    items = [str(i) for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja2's file cache, which never fails an answer: a cache that cannot be read or
    written (read-only, full disk, owned by someone else) is simply not used."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, ValueError, EOFError):
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if self.broken:
            return
        try:
            super().dump_bytecode(bucket)
        except OSError:
            self.broken = True  # compiled in memory this time; no more attempts

    broken = False


def _bytecode_cache(mode: str) -> jinja2.BytecodeCache | None:
    """Compiled templates are cached on disk: compiling them costs more than answering."""
    directory = paths.cache_dir() / f"jinja-{mode}"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _BytecodeCache(str(directory))


@functools.cache
def environment(mode: str) -> jinja2.Environment:
    env = jinja2.Environment(
        bytecode_cache=_bytecode_cache(mode),
        loader=jinja2.FileSystemLoader(str(paths.templates_dir())),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=False,
        finalize=_finalize,
    )
    env.filters.update(
        b=_emphasis("*", mode),
        i=_emphasis("_", mode),
        number=formatting.number,
        one_decimal=formatting.one_decimal,
        signed=formatting.signed_one_decimal,
        signed_number=formatting.signed_number,
        value=formatting.value,
        date=formatting.long_date,
        period=periods.label,
        join_nl=_join,
        excerpt=_excerpt,
        ucfirst=lambda s: s[:1].upper() + s[1:] if s else s,
    )
    env.globals.update(mode=mode)
    return env


@dataclass(frozen=True)
class Rendered:
    header: str  # plain text: what the question was understood as
    body: str  # the answer itself
    footer: str  # caveats and sources
    text: str  # body + footer, as one message


def tidy(text: str) -> str:
    """Rendered template text without trailing spaces and runs of blank lines."""
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, ending in '…' when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render(answer: Answer, mode: str = MRKDWN) -> Rendered:
    env = environment(mode)
    if mode == MRKDWN:
        # The long form in ``more`` is for other surfaces; templates use only its question.
        slim = dataclasses.replace(answer, more={"question": answer.more.get("question", "")})
        ctx = {"a": escaped(slim)}
    else:
        ctx = {"a": cleaned(answer)}
    header = tidy(env.get_template("_header.j2").render(ctx))
    body = tidy(env.get_template(f"{answer.kind}.j2").render(ctx))
    footer = tidy(env.get_template("_footer.j2").render(ctx))
    text = body + ("\n\n" + footer if footer else "")
    text = shorten(text, MESSAGE_TEXT_MAX)
    return Rendered(header, body, footer, text)


# Replies whose first line is the figure itself (with place, period and source): in a
# terminal they need no header line above it.
FIGURE_FIRST = frozenset({"figure", "table", "breakdown", "trend", "place_missing",
                          "year_missing", "place_unknown", "missing", "no_data",
                          "explain", "not_found", "place"})  # fmt: skip


def text(answer: Answer) -> str:
    """The reply as a person reads it in a terminal."""
    r = render(answer, PLAIN)
    header = "" if str(answer.kind) in FIGURE_FIRST else r.header
    return (header + "\n\n" if header else "") + r.text


def chunks(text: str, limit: int) -> list[str]:
    """Split text at paragraph (else line) boundaries into pieces of at most limit chars."""
    pieces: list[str] = []
    current = ""
    for para in text.split("\n\n"):
        candidate = f"{current}\n\n{para}" if current else para
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        while len(para) > limit:
            cut = para.rfind("\n", 0, limit)
            cut = cut if cut > 0 else limit - 1
            pieces.append(para[:cut] + ("…" if cut == limit - 1 else ""))
            para = para[cut:].lstrip("\n")
        current = para
    if current:
        pieces.append(current)
    return pieces


def blocks(answer: Answer) -> list[dict[str, Any]]:
    """Block Kit: a header (the question as understood), the answer, and a context block
    with caveats and sources. Always within Slack's limits (50 blocks, 3000 per section)."""
    return slack(answer)[1]


def slack(answer: Answer) -> tuple[str, list[dict[str, Any]]]:
    """What a Slack message needs, rendered once: the mrkdwn text (the notification and
    fallback text) and the Block Kit blocks."""
    r = render(answer, MRKDWN)
    return r.text, _blocks(r)


def text_object(text: str) -> dict[str, Any]:
    """A mrkdwn text object, verbatim: Slack must not turn a typed @here, #channel or URL
    into a mention or link on its own (user text is in answers: the echoed question)."""
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def _blocks(r: Rendered) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if r.header:
        header = shorten(r.header, HEADER_TEXT_MAX)
        out.append(
            {"type": "header", "text": {"type": "plain_text", "text": header, "emoji": True}}
        )
    for piece in chunks(r.body, SECTION_TEXT_MAX):
        out.append({"type": "section", "text": text_object(piece)})
    if r.footer:
        out.append({"type": "divider"})
        elements = [text_object(piece)
                    for piece in chunks(r.footer, CONTEXT_TEXT_MAX)][:CONTEXT_ELEMENTS_MAX]  # fmt: skip
        out.append({"type": "context", "elements": elements})
    return fit(out, MAX_BLOCKS)


def fit(blocks: list[dict[str, Any]], room: int) -> list[dict[str, Any]]:
    """At most ``room`` blocks: a long answer is cut, and says so, but its closing divider
    and context (caveats and sources) are always kept."""
    if len(blocks) <= room:
        return blocks
    keep = 2 if len(blocks) >= 2 and blocks[-2].get("type") == "divider" else 0
    end = blocks[len(blocks) - keep :] if keep else []
    cut = {"type": "context", "elements": [text_object("_(antwoord ingekort)_")]}
    return blocks[: room - keep - 1] + [cut] + end
