"""The answering pipeline, run once per question:

    parse → interpret → resolve → select figures → derive facts → annotate → answer

``Engine`` holds what outlives a question (the store connection per thread, the catalog in
memory) and runs the steps within a time budget: SQLite is interrupted when the budget
runs out, and the reply then says so in one short Dutch line instead of hanging.
"""

from __future__ import annotations

import gc
import logging
import os
import sqlite3
import threading
import time
import uuid
from dataclasses import replace
from pathlib import Path

from econ071.answering import compose, family, meta, misses, report, resolve, vocabulary
from econ071.answering.context import Context, OutOfTime
from econ071.answering.interpret import Reading, detect
from econ071.answering.parse import parse, reduce_tokens
from econ071.answering.places import unknown_places
from econ071.answering.select import Miss, choose_period, figures
from econ071.answering.specific import joint, more_specific
from econ071.core.answer import ERROR, NOT_FOUND, Answer, Intent, Kind, Note
from econ071.store import figures as store
from econ071.store.catalog import Catalog, load, store_version

log = logging.getLogger(__name__)

MAX_QUESTION = 1000  # characters kept of a question (for the log and the echo)
BUDGET_SECONDS = float(os.environ.get("ECON071_ANSWER_BUDGET", "3"))
_PROGRESS_STEPS = 20_000  # SQLite virtual-machine steps between two looks at the clock
UITLEG = "uitleg"


class Engine:
    """Answers questions from the store. Safe to share between threads."""

    def __init__(self, db_path: Path | None = None, *, budget: float | None = None):
        self.db_path = store.ensure_built(db_path)
        self.budget = BUDGET_SECONDS if budget is None else budget
        self._local = threading.local()
        self._catalog: Catalog | None = None
        self._catalog_lock = threading.Lock()
        self._lacking: dict[str, str] = {}  # words of data/vocabulary.csv the store lacks

    # -- store and catalog --------------------------------------------------------------
    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = store.connect(self.db_path, ensure=False)
            self._local.conn = conn
        return conn

    @property
    def catalog(self) -> Catalog:
        """The catalog in memory; ``refresh()`` reloads it after a build or an import."""
        if self._catalog is None:
            self.refresh()
        return self._catalog

    def refresh(self) -> None:
        """Reload the catalog if the store changed (one cheap query; once per question)."""
        version = store_version(self.conn)
        if self._catalog is None or self._catalog.version != version:
            with self._catalog_lock:
                if self._catalog is None or self._catalog.version != version:
                    catalog = load(self.conn)
                    self._lacking = vocabulary.extend(catalog, vocabulary.terms())
                    self._catalog = catalog
                    # The catalog lives as long as the store stays the same: out of the
                    # cyclic collector's way, so that a full collection during a question
                    # does not walk it (on a national catalog one took ~50 ms).
                    gc.collect()
                    gc.freeze()

    def has_data(self, kind: str, id_: str) -> bool:
        return store.has_figures(self.conn, kind, id_)

    # -- entry point --------------------------------------------------------------------
    def ask(self, text: str, *, long: bool = False) -> Answer:
        """The answer to a question. ``long``: the long form (as the word 'uitleg')."""
        text = (text or "")[:MAX_QUESTION]
        conn = self.conn
        deadline = time.monotonic() + self.budget
        conn.set_progress_handler(lambda: int(time.monotonic() > deadline), _PROGRESS_STEPS)
        try:
            return self._ask(text, long, deadline)
        except OutOfTime:
            return _timeout(text)
        except sqlite3.OperationalError as e:
            if "interrupted" in str(e):
                return _timeout(text)
            return _error(text)
        except Exception:
            return _error(text)
        finally:
            conn.set_progress_handler(None, 0)

    def _ask(self, text: str, long: bool, deadline: float) -> Answer:
        self.refresh()
        ctx = Context(self.conn, self.catalog, deadline)
        terms = vocabulary.terms()
        p = parse(text, ctx.catalog, vocabulary.rewrites(terms))
        words = reduce_tokens(text)
        words = [w for w in words if w != UITLEG]
        reading = detect(words, p, raw=text, long=long)
        if reading.intent == Intent.HELP:
            return meta.help_answer(ctx, text)
        if reading.intent == Intent.LIST:
            return meta.list_answer(ctx, text)
        if reading.intent == Intent.SOURCES:
            return meta.sources_answer(ctx, text)
        if reading.intent == Intent.PASSAGE:
            said = report.answer(ctx, text, reading)
            if said:
                return said
            if not (p.matches or p.unclear or p.unknown or p.sources or p.years):
                return meta.help_answer(ctx, text)
        elif reading.passage_first:
            said = report.answer(ctx, text, reading, strict=True)
            if said:
                return said
        ctx.check_time()
        understood = {m.typed for m in p.matches} | {w for m in p.matches for w in m.typed.split()}
        # CBS's list of municipalities is read only when some words were not understood.
        doubt = p.unknown or p.unclear or any(m.fuzzy for m in p.matches)
        unknown = unknown_places(words, ctx.catalog, understood) if doubt else []
        if unknown:
            p = _without(p, {name for _c, name in unknown}, words)
        lacking = sorted({self._lacking[w] for w in words if w in self._lacking})
        if lacking:  # known words whose figures are not loaded: never guessed at
            p = replace(p, unclear=tuple(u for u in p.unclear if u.typed not in self._lacking),
                        unknown=tuple(w for w in p.unknown if w not in self._lacking))  # fmt: skip
        if p.sources and not p.matches and reading.intent in (Intent.DEFINITION, Intent.FIGURE):
            return meta.sources_answer(ctx, text, only=p.sources)
        head = family.by_head(ctx, p)
        if head:
            together = family.answer(ctx, p, reading, *head)
            if together:
                return together
        if (
            reading.intent == Intent.DEFINITION
            and p.of_kind("place")
            and not (p.of_kind("indicator") or p.of_kind("breakdown") or p.unclear or p.unknown)
        ):
            return meta.places_explained(ctx, text, [m.id for m in p.of_kind("place")])
        clarify = resolve.clarify(ctx, p, words, reading.intent)
        if clarify:
            return clarify
        found = resolve.indicator(ctx, p, words, reading)
        if isinstance(found, Answer) and found.kind == Kind.CLARIFY:
            both = joint(ctx, p)  # one indicator named by all the names: no asking back
            if both:
                found = resolve.Resolved(both)
        if isinstance(found, Answer):
            if unknown:
                return misses.place_unknown(ctx, p, reading, unknown, None)
            asks_number = reading.intent in (Intent.COUNT, Intent.SHARE)
            if found.kind == Kind.NOT_FOUND and not lacking and not asks_number:
                definition = reading.intent == Intent.DEFINITION
                said = report.answer(ctx, text, reading, strict=True,
                                     min_score=0.0 if definition else report.FALLBACK_SCORE)  # fmt: skip
                if said:
                    return said
            if lacking and not found.extra.get("typed"):
                places = [ctx.label("place", m.id) for m in p.of_kind("place")]
                return Answer(status=NOT_FOUND, kind=Kind.NOT_FOUND, question=text,
                              intent=reading.intent, options=found.options,
                              extra={"lacking": lacking, "places": places, "unknown": []})  # fmt: skip
            return found
        ind, notes = more_specific(ctx, found.indicator, p), found.notes
        taken = [m for m in resolve.taken_from_unclear(ctx, p) if m.kind != "indicator"]
        if taken:
            p = _with_matches(p, taken)
            notes += resolve.fuzzy_notes(ctx, taken)
        # Words that resemble the indicator answered were understood as it, not ignored.
        as_ind = {u.typed for u in p.unclear if any(o.id == ind.id for o in u.options)}
        ignored = [w for w in [*p.unknown, *(u.typed for u in p.unclear)]
                   if w not in {m.typed for m in taken} and w not in as_ind]  # fmt: skip
        if ignored:
            notes.insert(0, Note("ignored", {"words": ignored}))
        if unknown:
            if not p.of_kind("place"):
                return misses.place_unknown(ctx, p, reading, unknown, ind.id)
            notes.insert(0, misses.unknown_note(unknown))
        if reading.intent == Intent.DEFINITION:
            return meta.explain(ctx, p, ind, notes, long=reading.long)
        members = family.by_split(ctx, " ".join(words), ind)
        if members:
            together = family.answer(ctx, p, reading, ind.label, members)
            if together:
                return together
        sel = figures(ctx, p, reading, ind, notes)
        if isinstance(sel, Miss):
            return misses.answer(ctx, p, reading, sel)
        if reading.intent in (Intent.TREND, Intent.EXTREME_YEAR):
            return compose.trend(ctx, p, reading, sel)
        if reading.intent == Intent.RANK and reading.by_change:
            return compose.ranked_change(ctx, p, reading, sel)
        miss = choose_period(sel, p, since=reading.since)
        if miss:
            return misses.answer(ctx, p, reading, miss)
        return compose.lookup(ctx, p, reading, sel)


def _without(p, names: set[str], words: list[str]):
    """The parse without the words of places the store does not know."""
    from econ071.store.catalog import normalise

    parts = {w for n in names for w in normalise(n).split()}
    return replace(
        p,
        unknown=tuple(w for w in p.unknown if w not in parts),
        unclear=tuple(u for u in p.unclear if u.typed not in parts),
        matches=tuple(m for m in p.matches if not (m.fuzzy and m.typed in parts)),
    )


def _with_matches(p, extra):
    typed = {m.typed for m in extra}
    return replace(p, matches=(*p.matches, *extra),
                   unclear=tuple(u for u in p.unclear if u.typed not in typed))  # fmt: skip


def _timeout(text: str) -> Answer:
    log.warning("answering ran out of its time budget for question %r", text[:200])
    return Answer(status=ERROR, kind=Kind.TIMEOUT, question=text)


def _error(text: str) -> Answer:
    reference = uuid.uuid4().hex[:8]
    log.exception("answering failed (reference %s) for question %r", reference, text[:200])
    return Answer(status=ERROR, kind=Kind.ERROR, question=text, reference=reference)


__all__ = ["Engine", "Reading"]
