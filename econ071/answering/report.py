"""What the report says: the passages of the quick scan and the slides that address a
question (full-text search, econ071.store.passages), each quoted with its chapter or slide —
only the sentences that carry the question's words, so the quote stays short."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import replace

from econ071.answering.context import Context
from econ071.answering.interpret import Reading, asks_definition
from econ071.core.answer import ANSWERED, Answer, Intent, Kind

MAX_PASSAGES = 3
QUOTE_CHARS = (650, 260, 200)  # the best passage, the next ones
FALLBACK_SCORE = 8.0  # bm25 a passage needs to answer a question that named no figure
_SENTENCE = re.compile(r"(?<=[.!?…])\s+(?=[A-Z‘'“\"(0-9])")
DOCUMENT_NAMES = {"quickscan": "De quick scan", "slides": "De dia’s"}
# How the documents define their terms: "onder bijstand verstaan we", "bij mkb gaat het om".
_DEFINING = re.compile(
    r"(?i)\b(verstaan we|verstaat men|wordt verstaan|bedoelen we|wordt bedoeld|gaat het om"
    r"|noemen we|is de naam van|is een uitkering|zijn personen|omvat|bestaat uit)\b"
)


def quote(text: str, terms: set[str], limit: int, *, defining: bool = False) -> str:
    """The sentences of a passage with the most of the question's stems (in their order),
    '[…]' where sentences are left out; at most ``limit`` characters."""
    from econ071.store import passages

    if len(text) <= limit:
        return text
    sentences = [s.strip() for s in _SENTENCE.split(text) if s.strip()]
    if not sentences:
        return ""
    held = [set(passages.stems(s)) & terms for s in sentences]
    # A word in few of the sentences says more (a place) than one in many (the subject).
    spread = {t: sum(t in h for h in held) for t in terms}
    scored = [(sum(1 / spread[t] for t in h), i) for i, h in enumerate(held)]
    if defining:  # a definition asked: the sentence that defines the term first
        scored = [(sc + (2 if sc and _DEFINING.search(sentences[i]) else 0), i) for sc, i in scored]
    ranked = sorted(scored, key=lambda x: (-x[0], x[1]))
    best = ranked[0][1]
    # Around the best sentence first: what follows it often says why, what precedes it what
    # it refers to; then the other sentences with the question's words; then what follows.
    near = [(1, i) for i in (best + 1, best - 1) if 0 <= i < len(sentences)]
    chosen: list[int] = []
    total = 0
    for score, i in [(ranked[0][0], best), *near, *ranked[1:]]:
        if i in chosen or (chosen and (score == 0 or total + len(sentences[i]) > limit)):
            continue
        chosen.append(i)
        total += len(sentences[i])
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


def defines(passage_text: str, terms: set[str]) -> str | None:
    """The sentence of a passage that defines one of the question's words, if any."""
    from econ071.store import passages

    for sentence in _SENTENCE.split(passage_text):
        if _DEFINING.search(sentence) and terms & set(passages.stems(sentence)):
            return sentence.strip()
    return None


def definition(ctx: Context, text: str) -> dict | None:
    """The documents' own definition of what ``text`` names ("bijstand": "Onder bijstand
    verstaan we …"), quoted with its chapter or slide; None when they give none."""
    from econ071.store import passages

    try:
        found = passages.search(ctx.conn, text, limit=MAX_PASSAGES)
    except sqlite3.OperationalError:
        return None
    terms = set(passages.query_terms(text))
    for p in found:
        sentence = defines(p.text, terms)
        if sentence:
            return {"document_name": DOCUMENT_NAMES.get(p.document, p.document),
                    "reference": p.reference, "quote": sentence}  # fmt: skip
    return None


def covers(passage_text: str, terms: list[str]) -> bool:
    """Whether a passage holds the question's words: all of one or two, most of more."""
    from econ071.store import passages

    if not terms:
        return False
    held = set(passages.stems(passage_text))
    found = sum(t in held for t in terms)
    return found == len(terms) if len(terms) <= 2 else found / len(terms) >= 0.6


def _with_next(conn: sqlite3.Connection, p):
    """A passage that is only a heading (a slide's title) with the passage that follows it
    in the same document: the heading asks, the next one answers."""
    if len(p.text) > len(p.title) + 20:
        return p
    row = conn.execute(
        "SELECT b.text FROM passages a JOIN passages b ON b.n = a.n + 1 "
        "WHERE a.id = ? AND b.document = a.document",
        (p.id,),
    ).fetchone()
    return replace(p, text=f"{p.text} {row[0]}") if row else p


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
    found = [_with_next(ctx.conn, p) for p in found]
    defining = reading.intent == Intent.DEFINITION or asks_definition(text)
    if defining:  # the passage that defines the term first, then the others in their order
        found.sort(key=lambda p: defines(p.text, terms) is None)
    quoted = [
        {"document": p.document, "document_name": DOCUMENT_NAMES.get(p.document, p.document),
         "reference": p.reference, "title": p.title, "id": p.id,
         "quote": quote(p.text, terms, QUOTE_CHARS[min(i, len(QUOTE_CHARS) - 1)],
                        defining=defining)}
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
