"""What the report says: the passages of the quick scan and the slides that address a
question (full-text search, econ071.store.passages), each quoted with its chapter or slide —
only the sentences that carry the question's words, so the quote stays short."""

from __future__ import annotations

import re
import sqlite3

from econ071.answering.context import Context
from econ071.answering.interpret import Reading
from econ071.core.answer import ANSWERED, Answer, Kind

MAX_PASSAGES = 3
QUOTE_CHARS = (650, 260, 200)  # the best passage, the next ones
FALLBACK_SCORE = 8.0  # bm25 a passage needs to answer a question that named no figure
_SENTENCE = re.compile(r"(?<=[.!?…])\s+(?=[A-Z‘'“\"(0-9])")
DOCUMENT_NAMES = {"quickscan": "De quick scan", "slides": "De dia’s"}


def quote(text: str, terms: set[str], limit: int) -> str:
    """The sentences of a passage with the most of the question's stems (in their order),
    '[…]' where sentences are left out; at most ``limit`` characters."""
    from econ071.store import passages

    if len(text) <= limit:
        return text
    sentences = [s.strip() for s in _SENTENCE.split(text) if s.strip()]
    if not sentences:
        return ""
    scored = [(sum(st in terms for st in passages.stems(s)), i) for i, s in enumerate(sentences)]
    chosen: list[int] = []
    total = 0
    for score, i in sorted(scored, key=lambda x: (-x[0], x[1])):
        if chosen and (score == 0 or total + len(sentences[i]) > limit):
            continue
        chosen.append(i)
        total += len(sentences[i])
    # What follows the best sentence often says why: added while there is room.
    best = chosen[0]
    for i in range(best + 1, len(sentences)):
        if i not in chosen and total + len(sentences[i]) <= limit:
            chosen.append(i)
            total += len(sentences[i])
        elif i not in chosen:
            break
    out, last = [], None
    for i in sorted(chosen):
        if last is not None and i != last + 1:
            out.append("[…]")
        out.append(sentences[i])
        last = i
    text = " ".join(out)
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " […]"
    return text


def covers(passage_text: str, terms: list[str]) -> bool:
    """Whether a passage holds the question's words: all of one or two, most of more."""
    from econ071.store import passages

    if not terms:
        return False
    held = set(passages.stems(passage_text))
    found = sum(t in held for t in terms)
    return found == len(terms) if len(terms) <= 2 else found / len(terms) >= 0.6


def answer(ctx: Context, text: str, reading: Reading, *, min_score: float = 0.0,
           strict: bool = False) -> Answer | None:  # fmt: skip
    """The report's passages on the question, or None when none addresses it. ``strict``
    (a question that named no figure, answered from the text instead): the best passage
    must hold the question's words."""
    from econ071.store import passages  # snowballstemmer: loaded by the first passage question

    ctx.check_time()
    try:
        found = passages.search(ctx.conn, text, limit=MAX_PASSAGES)
    except sqlite3.OperationalError:  # a store built before passages were indexed
        return None
    found = [p for p in found if p.score >= min_score]
    if not found:
        return None
    if strict and not covers(found[0].title + " " + found[0].text, passages.query_terms(text)):
        return None
    terms = set(passages.query_terms(text))
    quoted = [
        {"document": p.document, "document_name": DOCUMENT_NAMES.get(p.document, p.document),
         "reference": p.reference, "title": p.title, "id": p.id,
         "quote": quote(p.text, terms, QUOTE_CHARS[min(i, len(QUOTE_CHARS) - 1)])}
        for i, p in enumerate(found)
    ]  # fmt: skip
    return Answer(
        status=ANSWERED,
        kind=Kind.PASSAGES,
        question=text,
        intent=reading.intent,
        long=reading.long,
        extra={"passages": quoted},
        more={"passages": [{"id": p.id, "reference": p.reference, "text": p.text} for p in found]},
    )
