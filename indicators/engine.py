"""The answer engine: parsed question -> resolved against the catalog -> figures from the
store -> an Answer with derived facts, caveats and sources.

    engine = Engine()            # opens (and if needed builds) the store
    answer = engine.ask("banen Leiden 2016")
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import uuid
from collections.abc import Iterable
from pathlib import Path

from rapidfuzz import fuzz, process

from indicators import formatting, store
from indicators.answer import (
    ANSWERED,
    CLARIFY,
    ERROR,
    NOT_FOUND,
    Answer,
    Caveat,
    Fact,
    Interpretation,
    Note,
    Option,
    SourceRef,
    Value,
)
from indicators.catalog import Catalog, Indicator, Rule, load, rule_applies, store_version
from indicators.question import Match, Parsed, parse

log = logging.getLogger(__name__)

MAX_QUESTION = 1000  # characters considered; Slack commands are shorter anyway
NATIONAL = "NL01"
MAX_INTERPRETATIONS = 2  # readable in a meeting; `uitleg` shows them all
MAX_RELATED = 3  # related figures offered when a place lacks the one asked for
MAX_OTHER_PLACES = 12  # places shown for an indicator published outside the 071 area only


def period_key(period: str | None) -> tuple[int, int, str]:
    """Sort key: undated first, then by end year, then by text ('2012-2016' after '2012')."""
    if not period:
        return (-1, -1, "")
    digits = [int(p) for p in period.replace("Q", "-").replace("M", "-").split("-") if p.isdigit()]
    end = max((d for d in digits if d > 1800), default=0)
    return (end, len(period), period)


def granularity(period: str) -> str:
    """'2019' and '2012-2016' are years, '2019Q1' a quarter, '2019M01' a month."""
    if "Q" in period:
        return "quarter"
    if "M" in period:
        return "month"
    return "year"


def period_matches(period: str | None, year: int) -> bool:
    if not period:
        return False
    if period == str(year) or period.startswith(f"{year}Q") or period.startswith(f"{year}M"):
        return True
    parts = period.split("-")
    return len(parts) == 2 and all(p.isdigit() for p in parts) and int(parts[1]) == year


class Engine:
    """Answers questions from the store. Safe to share between threads."""

    def __init__(self, db_path: Path | None = None):
        self.db_path = store.ensure_built(db_path)
        self._local = threading.local()
        self._catalog: Catalog | None = None
        self._catalog_lock = threading.Lock()

    # -- store access -------------------------------------------------------------------
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
        version = self._version()
        if self._catalog is None or self._catalog.version != version:
            with self._catalog_lock:
                if self._catalog is None or self._catalog.version != version:
                    self._catalog = load(self.conn)

    def _version(self) -> str:
        return store_version(self.conn)

    def has_data(self, kind: str, id_: str) -> bool:
        return store.has_figures(self.conn, kind, id_)

    # -- entry point --------------------------------------------------------------------
    def ask(self, text: str) -> Answer:
        text = (text or "")[:MAX_QUESTION]
        try:
            return self._ask(text)
        except Exception:
            reference = uuid.uuid4().hex[:8]
            log.exception("answering failed (reference %s) for question %r", reference, text)
            return Answer(ERROR, "error", text, reference=reference)

    def _ask(self, text: str) -> Answer:
        self.refresh()
        cat = self.catalog
        p = parse(text, cat)
        if p.verb == "help" or (p.verb is None and p.empty):
            return self._help(text)
        if p.verb == "lijst":
            return self._list(text)
        if p.verb == "bronnen":
            return self._sources(text)
        clarify = self._clarify(p)
        if clarify:
            return clarify
        resolved = self._indicator(p)
        if isinstance(resolved, Answer):
            return resolved
        indicator, notes = resolved
        ignored = [*p.unknown, *(u.typed for u in p.unclear)]
        if ignored:
            notes.insert(0, Note("ignored", {"words": ignored}))
        if p.verb == "uitleg":
            return self._explain(p, indicator, notes)
        return self._figures(p, indicator, notes)

    # -- resolution ---------------------------------------------------------------------
    def _fuzzy_notes(self, matches: Iterable[Match]) -> list[Note]:
        return [
            Note("fuzzy", {"typed": m.typed, "understood": self._label(m.kind, m.id)})
            for m in matches
            if m.fuzzy
        ]

    def _label(self, kind: str, id_: str) -> str:
        cat = self.catalog
        if kind == "indicator":
            return cat.indicators[id_].label
        if kind == "place":
            return cat.place_name(id_)
        if kind == "breakdown":
            return cat.breakdowns[id_].label
        return id_

    def _clarify(self, p: Parsed) -> Answer | None:
        """Ask back when a typed word resembles several things (or one thing too little);
        ignore it when it can only be something the question already names."""
        have = {m.kind for m in p.matches}
        dims = {self.catalog.breakdowns[m.id].dimension for m in p.of_kind("breakdown")}
        for u in p.unclear:
            fitting = [
                o for o in u.options
                if o.kind == "indicator" and "indicator" not in have
                and self.catalog.indicators[o.id].breakdown_dimension in dims
            ]  # fmt: skip
            if len(fitting) == 1:
                continue  # the breakdown settles it; _indicator picks it up

            options = [o for o in u.options if o.kind not in have or o.kind == "place"]
            # Only things that can be shown as an option and have figures.
            options = [o for o in options
                       if o.kind in ("indicator", "place", "breakdown") and self.has_data(o.kind, o.id)]  # fmt: skip
            if not options:
                continue
            seen: list[Option] = []
            for o in options:
                if o.kind == "source":
                    continue
                if not any(s.kind == o.kind and s.id == o.id for s in seen):
                    seen.append(Option(o.kind, o.id, self._label(o.kind, o.id)))
            if seen:
                return Answer(CLARIFY, "clarify", p.raw, options=tuple(seen[:3]),
                              extra={"typed": u.typed})  # fmt: skip
        return None

    def _indicator(self, p: Parsed) -> tuple[Indicator, list[Note]] | Answer:
        cat = self.catalog
        inds = p.of_kind("indicator")
        bds = p.of_kind("breakdown")
        dims_named = {cat.breakdowns[b.id].dimension for b in bds}
        if not inds:
            for u in p.unclear:
                fitting = [o for o in u.options if o.kind == "indicator"
                           and cat.indicators[o.id].breakdown_dimension in dims_named]  # fmt: skip
                if len(fitting) == 1:
                    o = fitting[0]
                    inds = [Match("indicator", o.id, u.typed, o.phrase, 80.0)]
        notes: list[Note] = []
        dims = {cat.breakdowns[b.id].dimension for b in bds}
        if len(inds) > 1:
            fitting = [m for m in inds if cat.indicators[m.id].breakdown_dimension in dims]
            if fitting:
                inds = fitting
            # A phrase that is both a breakdown and an indicator name counts as the breakdown
            # when another indicator is named too ("banen onderwijs").
            breakdown_words = {b.typed for b in bds}
            named = [m for m in inds if m.typed not in breakdown_words]
            if named:
                inds = named
        if len(inds) > 1:
            with_data = [m for m in inds if self.has_data("indicator", m.id)]
            if len({m.id for m in with_data}) > 1:
                options = tuple(Option("indicator", m.id, cat.indicators[m.id].label)
                                for m in with_data[:3])  # fmt: skip
                return Answer(CLARIFY, "clarify", p.raw, options=options,
                              extra={"typed": " / ".join(m.typed for m in inds)})  # fmt: skip
            inds = with_data or inds[:1]
        if inds:
            notes += self._fuzzy_notes(inds[:1])
            return cat.indicators[inds[0].id], notes
        place_words = {m.typed for m in p.of_kind("place")}
        bds = [b for b in bds if b.typed not in place_words]  # "Leiden" alone is a place
        dims = {cat.breakdowns[b.id].dimension for b in bds} | {
            m.id
            for m in p.of_kind("dimension")  # "sectoren": the whole breakdown
        }
        if dims:
            # A sector alone ("horeca 2016") asks for the count of jobs, not a share.
            candidates = sorted(
                (ind for ind in cat.indicators.values()
                 if ind.breakdown_dimension in dims and self.has_data("indicator", ind.id)),
                key=lambda ind: (ind.unit != "aantal", ind.sort, ind.id),
            )  # fmt: skip
            if candidates:
                notes.append(Note("default_indicator", {"indicator": candidates[0].label}))
                return candidates[0], notes
        return self._not_found(p)

    def _not_found(self, p: Parsed) -> Answer:
        cat = self.catalog
        places = [self._label("place", m.id) for m in p.of_kind("place")]
        typed = [u.typed for u in p.unclear] + list(p.unknown)
        suggestions: list[Option] = []
        for word in typed:
            for phrase, _score, _ in process.extract(
                word, list(cat.vocabulary), scorer=fuzz.WRatio, limit=6, score_cutoff=50
            ):
                for e in cat.vocabulary[phrase]:
                    if e.kind == "indicator" and self.has_data("indicator", e.id):
                        opt = Option("indicator", e.id, cat.indicators[e.id].label)
                        if opt not in suggestions:
                            suggestions.append(opt)
        if not suggestions and p.of_kind("place"):
            code = p.of_kind("place")[0].id
            found = store.indicators_at(self.conn, code, limit=3)
            suggestions = [Option("indicator", i, cat.indicators[i].label) for i in found]
        return Answer(
            NOT_FOUND,
            "not_found",
            p.raw,
            options=tuple(suggestions[:3]),
            extra={"unknown": typed, "places": places, "verb": p.verb},
        )

    # -- figures ------------------------------------------------------------------------
    def _value(self, f: store.Figure) -> Value:
        cat = self.catalog
        ind = cat.indicators[f.indicator]
        src = cat.sources.get(f.source)
        display = formatting.value(f.value, ind.unit, f.qualifier, f.low, f.high)
        return Value(
            f.indicator, ind.label, f.place, cat.place_name(f.place), f.period, f.breakdown,
            cat.breakdowns[f.breakdown].label if f.breakdown in cat.breakdowns else None,
            f.value, f.low, f.high, f.qualifier, f.value_text, ind.unit, f.source,
            src.organisation if src else f.source, f.chapter, f.ref_date, f.status,
            f.missing_reason, f.note, f.origin, display, bool(f.computed),
        )  # fmt: skip

    def _figures(self, p: Parsed, ind: Indicator, notes: list[Note]) -> Answer:
        cat = self.catalog
        place_matches = p.of_kind("place")
        bd_matches = [m for m in p.of_kind("breakdown")
                      if cat.breakdowns[m.id].dimension == ind.breakdown_dimension]  # fmt: skip
        # A word that names both a place and a category ("Leiden": the municipality and
        # the work region) is the place, unless another word names the place.
        place_words = {m.typed for m in place_matches}
        if len(place_words) == 1:
            bd_matches = [m for m in bd_matches if m.typed not in place_words]
        else:
            bd_words = {m.typed for m in bd_matches}
            place_matches = [m for m in place_matches if m.typed not in bd_words] or place_matches
        asked_places = [m.id for m in place_matches]
        bds = [m.id for m in bd_matches]
        notes += self._fuzzy_notes([*place_matches, *bd_matches])
        dimension_asked = any(
            m.kind == "dimension" and m.id == ind.breakdown_dimension for m in p.matches
        )
        # Only what can be shown is read: the totals when no breakdown is asked for (all
        # figures when there are none), the breakdowns asked for.
        totals_only = not (bds or dimension_asked)
        all_figs = (self._relevant_figures(ind, asked_places, None) if totals_only
                    else self._relevant_figures(ind, asked_places, bds) if bds else [])  # fmt: skip
        if not all_figs and not bds:
            totals_only = False
            all_figs = self._relevant_figures(ind, asked_places)
        # (No figures for the breakdowns asked: said below, unless there are none at all.)
        if not all_figs and not (bds and self.has_data("indicator", ind.id)):
            return Answer(NOT_FOUND, "no_data", p.raw, indicator=self._ind_dict(ind),
                          notes=tuple(notes))  # fmt: skip
        if p.sources:
            wanted = set(p.sources)
            chosen = [f for f in all_figs if wanted & set(f.source.split("_"))]
            if chosen:
                all_figs = chosen
                notes.append(Note("source_filter", {"sources": sorted(wanted)}))
        if dimension_asked and not bds:
            figs = [f for f in all_figs if f.breakdown] or all_figs
        elif bds:
            figs = [f for f in all_figs if f.breakdown in bds]
            if not figs:
                return self._missing(p, ind, notes, "breakdown",
                                     {"breakdown": cat.breakdowns[bds[0]].label})  # fmt: skip
        else:
            totals = [f for f in all_figs if f.breakdown is None]
            figs = totals or all_figs

        figs_places = {f.place for f in figs}
        if asked_places:
            missing = [c for c in asked_places if c not in figs_places]
            places = [c for c in asked_places if c in figs_places]
            if missing and not places:
                return self._place_missing(p, ind, notes, missing, figs)
            if missing:
                notes.append(
                    Note("place_missing", {"places": [cat.place_name(c) for c in missing]})
                )
        elif p.verb in ("top", "vergelijk") and any(c in figs_places for c in cat.six):
            places = [c for c in cat.six if c in figs_places]
            notes.append(Note("default_six", {}))
        elif cat.region_code in figs_places and p.verb != "top":
            places = [cat.region_code]
            notes.append(Note("default_region", {}))
        elif any(c in figs_places for c in cat.six):
            places = [c for c in cat.six if c in figs_places]
            notes.append(Note("default_six", {}))
        else:
            places = sorted(figs_places, key=lambda c: (c != NATIONAL, cat.place_name(c)))
            notes.append(Note("only_places", {"places": [cat.place_name(c) for c in places]}))
        figs = [f for f in figs if f.place in places]

        if p.verb == "trend":
            return self._trend(p, ind, notes, figs, places)

        # Period: the asked year(s), else the latest, naming the others.
        periods = sorted({f.period for f in figs}, key=period_key)
        asked = list(p.years) or ([p.year_range[1]] if p.year_range else [])
        if p.year_range and any(f.period == f"{p.year_range[0]}-{p.year_range[1]}" for f in figs):
            chosen_period = f"{p.year_range[0]}-{p.year_range[1]}"
        elif asked:
            year = asked[-1]
            hits = [q for q in periods if period_matches(q, year)]
            if hits:
                # The year itself before its last quarter or month ("2019", not "2019M12").
                chosen_period = str(year) if str(year) in hits else hits[-1]
            elif None in periods:
                chosen_period = None
                notes.append(Note("undated_for_year", {"year": year}))
            else:
                return self._year_missing(p, ind, notes, year, periods, places)
        else:
            chosen_period = periods[-1]
            others = [q for q in periods if q != chosen_period and q]
            if len(periods) > 1 or chosen_period:
                notes.append(Note("default_period", {"period": chosen_period, "others": others}))
        shown = [f for f in figs if f.period == chosen_period]

        multi_breakdown = len({f.breakdown for f in shown}) > 1
        if len(places) == 1 and (multi_breakdown or dimension_asked):
            kind = "breakdown"
        elif len(places) == 1:
            kind = "figure"
        else:
            kind = "table"
        values = [self._value(f) for f in shown]
        if kind == "breakdown":
            values.sort(key=lambda v: (cat.breakdowns[v.breakdown].sort if v.breakdown else -1,
                                       v.breakdown or "", v.source))  # fmt: skip
        rows: list[dict] = []
        if kind == "table":
            rows = self._table_rows(ind, values, places, ranked=p.verb == "top")
        facts = self._facts(ind, shown, all_figs) if kind == "figure" else []
        broken_down = (
            store.has_breakdowns(self.conn, ind.id, self._relevant_places(asked_places))
            if totals_only
            else any(f.breakdown for f in all_figs)
        )
        if kind == "figure" and not bds and broken_down:
            dim = ind.breakdown_dimension
            example = f"{p.of_kind('indicator')[0].typed if p.of_kind('indicator') else ind.label.lower()} per {dim}"
            notes.append(Note("breakdown_available", {"dimension": dim, "example": example}))
        return self._answer(p, ind, kind, values, notes, facts, rows, chosen_period, places)

    def _relevant_places(self, asked: list[str]) -> list[str]:
        cat = self.catalog
        return list(dict.fromkeys([*asked, cat.region_code, NATIONAL, *cat.six]))

    def _relevant_figures(self, ind: Indicator, asked: list[str],
                          breakdown: str | list[str] | None | type[...] = ...) -> list[store.Figure]:  # fmt: skip
        """The figures an answer can use: the places asked, the 071 region, its six
        municipalities and Nederland (for shares, ranks and gaps). Only when the indicator
        is published for none of those, the few places that have it. With every Dutch
        municipality imported, loading all places would cost a hundred times more.
        ``breakdown=None``: the totals only (a CBS table by age has a hundred more)."""
        relevant = self._relevant_places(asked)
        figs = store.figures(self.conn, ind.id, relevant, breakdown)
        if figs:
            return figs
        elsewhere = store.places_of(self.conn, ind.id, MAX_OTHER_PLACES)
        return store.figures(self.conn, ind.id, elsewhere, breakdown) if elsewhere else []

    def _answer(self, p: Parsed, ind: Indicator, kind: str, values: list[Value],
                notes: list[Note], facts: list[Fact], rows: list[dict],
                period: str | None, places: list[str]) -> Answer:  # fmt: skip
        cat = self.catalog
        return Answer(
            ANSWERED,
            kind,
            p.raw,
            indicator=self._ind_dict(ind),
            places=tuple({"code": c, "name": cat.place_name(c)} for c in places),
            period=period,
            values=tuple(values),
            rows=tuple(rows),
            facts=tuple(facts),
            notes=tuple(notes),
            interpretations=tuple(self._interpretations(values, MAX_INTERPRETATIONS)),
            caveats=tuple(self._caveats(values)),
            sources=tuple(self._source_refs(values)),
            region=self._region(values, notes),
        )

    def _source_name(self, source_id: str) -> str:
        src = self.catalog.sources.get(source_id)
        return src.organisation if src else source_id

    def _ind_dict(self, ind: Indicator) -> dict:
        return {
            "id": ind.id, "label": ind.label, "unit": ind.unit, "theme": ind.theme,
            "definition": ind.definition, "level": ind.level,
            "breakdown_dimension": ind.breakdown_dimension, "availability": ind.availability,
        }  # fmt: skip

    def _region(self, values: list[Value], notes: list[Note]) -> dict | None:
        cat = self.catalog
        uses_region = any(v.place == cat.region_code for v in values) or any(
            n.kind in ("default_region", "default_six") for n in notes
        )
        if not uses_region:
            return None
        region = cat.places.get(cat.region_code)
        return {
            "name": cat.place_name(cat.region_code),
            "members": [cat.place_name(c) for c in cat.six],
            "note": region.note if region else None,
        }

    def _table_rows(self, ind: Indicator, values: list[Value], places: list[str],
                    ranked: bool) -> list[dict]:  # fmt: skip
        by_place: dict[str, list[Value]] = {}
        for v in values:
            by_place.setdefault(v.place, []).append(v)
        rows = [{"place": c, "name": self.catalog.place_name(c), "values": by_place.get(c, [])}
                for c in places]  # fmt: skip
        if ranked:

            def sort_value(row: dict) -> float:
                exact = [v.value for v in row["values"] if v.value is not None]
                return -(exact[0]) if exact else float("inf")

            rows.sort(key=sort_value)
            for i, row in enumerate(rows, 1):
                row["rank"] = i
        return rows

    # -- derived facts ------------------------------------------------------------------
    def _facts(self, ind: Indicator, shown: list[store.Figure],
               all_figs: list[store.Figure]) -> list[Fact]:  # fmt: skip
        cat = self.catalog
        facts: list[Fact] = []
        for f in shown:
            if f.value is None or f.qualifier != "exact":
                continue
            series = sorted(
                (g for g in all_figs
                 if g.place == f.place and g.breakdown == f.breakdown and g.source == f.source
                 and g.value is not None and g.qualifier == "exact" and g.period
                 and g.period.isdigit()),
                key=lambda g: period_key(g.period),
            )  # fmt: skip
            earlier = [g for g in series if f.period and g.period < f.period]
            if earlier:
                first = earlier[0]
                diff = formatting.difference(f.value, first.value)
                data = {"place": cat.place_name(f.place), "from": first.period, "to": f.period,
                        "source": f.source, "source_name": self._source_name(f.source),
                        "unit": ind.unit, "diff": diff,
                        "from_display": formatting.value(first.value, ind.unit)}  # fmt: skip
                if ind.unit != "procent" and first.value:
                    data["pct"] = diff / first.value * 100
                facts.append(Fact("change", data))
            same = {
                g.place: g for g in all_figs
                if g.period == f.period and g.breakdown == f.breakdown and g.source == f.source
                and g.value is not None and g.qualifier == "exact"
            }  # fmt: skip
            total = same.get(cat.region_code)
            if ind.additive and f.place in cat.six and total and total.value:
                facts.append(Fact("share", {"place": cat.place_name(f.place), "period": f.period,
                                            "pct": f.value / total.value * 100,
                                            "region": cat.place_name(cat.region_code)}))  # fmt: skip
            if f.place in cat.six and all(c in same for c in cat.six):
                ordered = sorted(cat.six, key=lambda c: -same[c].value)
                facts.append(Fact("rank", {"place": cat.place_name(f.place),
                                           "rank": ordered.index(f.place) + 1,
                                           "of": len(ordered), "period": f.period}))  # fmt: skip
            national = same.get(NATIONAL)
            if national and f.place != NATIONAL:
                diff = formatting.difference(f.value, national.value)
                facts.append(Fact("gap", {"place": cat.place_name(f.place), "unit": ind.unit,
                                          "source_name": self._source_name(f.source),
                                          "diff": diff, "national": formatting.value(
                                              national.value, ind.unit)}))  # fmt: skip
        return facts

    # -- trend --------------------------------------------------------------------------
    def _trend(self, p: Parsed, ind: Indicator, notes: list[Note], figs: list[store.Figure],
               places: list[str]) -> Answer:  # fmt: skip
        cat = self.catalog
        if len(places) > 1 and cat.region_code not in places:
            # One line per place is a table; the trend is for one place at a time.
            counts = {c: len({f.period for f in figs if f.place == c}) for c in places}
            places = [max(places, key=lambda c: (counts[c], c == cat.region_code))]
            notes.append(Note("trend_one_place", {"place": cat.place_name(places[0])}))
        elif len(places) > 1:
            places = [cat.region_code]
        figs = [f for f in figs if f.place in places and f.breakdown is None] or [
            f for f in figs if f.place in places
        ]
        if p.year_range:
            lo, hi = p.year_range
            figs = [f for f in figs if f.period and lo <= period_key(f.period)[0] <= hi]
        # One granularity per series: years if there are any, else quarters, else months.
        grains = {granularity(f.period) for f in figs if f.period}
        for grain in ("year", "quarter", "month"):
            if grain in grains:
                if len(grains) > 1:
                    notes.append(Note("trend_granularity", {"grain": grain}))
                figs = [f for f in figs if f.period and granularity(f.period) == grain]
                break
        periods = sorted({f.period for f in figs}, key=period_key)
        sources = sorted({f.source for f in figs})
        values = [
            self._value(f) for f in sorted(figs, key=lambda f: (period_key(f.period), f.source))
        ]
        rows = [
            {"period": q, "values": {s: next((v for v in values if v.period == q and v.source == s),
                                             None) for s in sources}}
            for q in periods
        ]  # fmt: skip
        facts = []
        for s in sources:
            series = [f for f in figs if f.source == s and f.value is not None
                      and f.qualifier == "exact" and f.period]  # fmt: skip
            series.sort(key=lambda f: period_key(f.period))
            if len(series) >= 2:
                first, last = series[0], series[-1]
                peak = max(series, key=lambda f: f.value)
                data = {"source": cat.sources[s].organisation if s in cat.sources else s,
                        "from": first.period, "to": last.period, "unit": ind.unit,
                        "diff": formatting.difference(last.value, first.value),
                        "peak": peak.period,
                        "peak_display": formatting.value(peak.value, ind.unit),
                        "place": cat.place_name(places[0])}  # fmt: skip
                if ind.unit != "procent" and first.value:
                    data["pct"] = (last.value - first.value) / first.value * 100
                facts.append(Fact("trend", data))
        answer = self._answer(p, ind, "trend", values, notes, facts, rows, None, places)
        return _replace_extra(
            answer,
            {
                "sources_order": [
                    cat.sources[s].organisation if s in cat.sources else s for s in sources
                ]
            },
        )

    # -- misses -------------------------------------------------------------------------
    def _year_missing(self, p: Parsed, ind: Indicator, notes: list[Note], year: int,
                      periods: list, places: list[str]) -> Answer:  # fmt: skip
        cat = self.catalog
        return Answer(
            NOT_FOUND, "year_missing", p.raw, indicator=self._ind_dict(ind),
            places=tuple({"code": c, "name": cat.place_name(c)} for c in places),
            notes=tuple(notes),
            extra={"year": year, "periods": [q for q in periods if q],
                   "undated": None in periods},
        )  # fmt: skip

    def _missing(self, p: Parsed, ind: Indicator, notes: list[Note], what: str,
                 data: dict) -> Answer:  # fmt: skip
        return Answer(NOT_FOUND, "missing", p.raw, indicator=self._ind_dict(ind),
                      notes=tuple(notes), extra={"what": what, **data})  # fmt: skip

    def _place_missing(self, p: Parsed, ind: Indicator, notes: list[Note],
                       missing: list[str], figs: list[store.Figure]) -> Answer:  # fmt: skip
        """The figure is not published for this place: say so, and offer the nearest level
        that has it (the 071 region, else the places that do) and related figures for the
        place itself (e.g. the survey margin the report gives)."""
        cat = self.catalog
        have = {f.place for f in figs}
        nearest = [c for c in (cat.region_code, NATIONAL) if c in have] or sorted(have)[:3]
        latest = {}
        for c in nearest:
            mine = [f for f in figs if f.place == c]
            last = max((f.period for f in mine), key=period_key)
            latest[c] = [self._value(f) for f in mine if f.period == last]
        related = []
        for code in missing:
            others = [i for i in store.indicators_at(self.conn, code, theme=ind.theme)
                      if i != ind.id]  # fmt: skip
            for rid in sorted(others, key=lambda i: cat.indicators[i].sort)[:MAX_RELATED]:
                related += [self._value(f) for f in store.figures(self.conn, rid, [code])]
        values = [v for c in nearest for v in latest[c]] + related
        return Answer(
            ANSWERED if values else NOT_FOUND,
            "place_missing",
            p.raw,
            indicator=self._ind_dict(ind),
            places=tuple({"code": c, "name": cat.place_name(c)} for c in missing),
            values=tuple(values),
            notes=tuple(notes),
            caveats=tuple(self._caveats(values)),
            sources=tuple(self._source_refs(values)),
            interpretations=tuple(self._interpretations(values)),
            region=self._region(values, notes),
            extra={
                "missing": [cat.place_name(c) for c in missing],
                "nearest": [{"name": cat.place_name(c), "values": latest[c]} for c in nearest],
                "related": related,
            },
        )

    # -- caveats, interpretations, sources ----------------------------------------------
    def _matching_rules(self, table: str, values: Iterable[Value]) -> list[Rule]:
        """The rules of data/caveats.csv or data/interpretations.csv that apply to any of
        the values, each once, in the order they first apply."""
        cat = self.catalog
        found: dict[str, Rule] = {}
        seen: set[tuple] = set()
        for v in values:
            key = (v.indicator, v.place, v.breakdown, v.source, v.period)
            if key in seen:
                continue
            seen.add(key)
            place = cat.places.get(v.place)
            for rule in cat.rules_for(table, v.indicator):
                if rule.id not in found and rule_applies(
                    rule, indicator=v.indicator, place=v.place,
                    place_kind=place.kind if place else "", breakdown=v.breakdown,
                    source=v.source, period=v.period,
                ):  # fmt: skip
                    found[rule.id] = rule
        return list(found.values())

    def _caveats(self, values: Iterable[Value]) -> list[Caveat]:
        values = list(values)
        out = {r.id: Caveat(r.id, r.kind, r.text, r.chapter)
               for r in self._matching_rules("caveats", values)}  # fmt: skip
        generated: dict[str, Caveat] = {}
        for v in values:
            if not v.published:
                generated.setdefault("missing", Caveat("missing", "missing", None, data={
                    "reasons": sorted({x.missing_reason or "" for x in values if not x.published})
                }))  # fmt: skip
            elif v.qualifier != "exact":
                generated.setdefault("approximation", Caveat("approximation", "approximation",
                                                             None))  # fmt: skip
            if not v.period:
                generated.setdefault("undated", Caveat("undated", "undated", None))
            if v.computed:
                generated.setdefault("computed", Caveat("computed", "computed", None,
                                                        data={"place": v.place_name}))  # fmt: skip
            if v.status and v.status.lower() != "definitief":
                generated.setdefault("status", Caveat("status", "status", None,
                                                      data={"status": v.status}))  # fmt: skip
        keys = {(v.place, v.period, v.breakdown) for v in values}
        for key in keys:
            srcs = {v.source for v in values if (v.place, v.period, v.breakdown) == key}
            if len(srcs) > 1 and not any(c.kind == "disagreement" for c in out.values()):
                generated.setdefault("sources_differ", Caveat("sources_differ", "disagreement",
                                                              None))  # fmt: skip
        order = ("disagreement", "source", "small_area", "definition", "place_note",
                 "computed", "approximation", "missing", "undated", "status")  # fmt: skip
        caveats = list(out.values()) + list(generated.values())
        caveats.sort(key=lambda c: order.index(c.kind) if c.kind in order else len(order))
        return caveats

    def _interpretations(
        self, values: Iterable[Value], limit: int | None = None
    ) -> list[Interpretation]:
        """The report's readings that apply, most specific first (a remark on this very
        sector or place before a general one)."""
        cat = self.catalog

        def specificity(rule: Rule) -> int:
            return sum(bool(c) for c in (rule.indicator, rule.place, rule.breakdown, rule.period))

        rules = sorted(
            self._matching_rules("interpretations", values), key=lambda r: -specificity(r)
        )
        return [
            Interpretation(
                rule.text,
                rule.chapter,
                cat.place_name(rule.place[0]) if len(rule.place) == 1 else None,
                cat.breakdowns[rule.breakdown[0]].label
                if len(rule.breakdown) == 1 and rule.breakdown[0] in cat.breakdowns
                else None,
            )  # fmt: skip
            for rule in rules[:limit]
        ]

    def _source_refs(self, values: Iterable[Value]) -> list[SourceRef]:
        cat = self.catalog
        chapters: dict[str, list[str]] = {}
        dates: dict[str, list[str]] = {}
        for v in values:
            chapters.setdefault(v.source, [])
            dates.setdefault(v.source, [])
            if v.chapter and v.chapter not in chapters[v.source]:
                chapters[v.source].append(v.chapter)
            if v.ref_date and v.ref_date not in dates[v.source]:
                dates[v.source].append(v.ref_date)
        refs = []
        for sid in chapters:
            s = cat.sources.get(sid)
            if s is None:
                continue
            refs.append(SourceRef(s.id, s.organisation, s.publication, s.via, s.method,
                                  s.reliability, s.licence, tuple(chapters[sid]),
                                  tuple(dates[sid])))  # fmt: skip
        return refs

    # -- verbs without figures ----------------------------------------------------------
    def _help(self, text: str) -> Answer:
        return Answer(ANSWERED, "help", text, region=self._region([], [Note("default_region", {})]))

    def _list(self, text: str) -> Answer:
        cat = self.catalog
        with_data = store.indicators_with_figures(self.conn)
        themes: dict[str, list[dict]] = {}
        for ind in cat.indicators.values():
            themes.setdefault(ind.theme or "overig", []).append(
                {"id": ind.id, "label": ind.label, "has_data": ind.id in with_data,
                 "availability": ind.availability}
            )  # fmt: skip
        return Answer(ANSWERED, "list", text, extra={"themes": themes})

    def _sources(self, text: str) -> Answer:
        cat = self.catalog
        counts = self._source_counts()
        refs = [SourceRef(s.id, s.organisation, s.publication, s.via, s.method, s.reliability,
                          s.licence, (), ()) for s in cat.sources.values()]  # fmt: skip
        imports = [
            dict(zip(("file", "table_id", "title", "imported_at", "added", "changed", "unchanged"),
                     r, strict=True))
            for r in self.conn.execute(
                "SELECT file, table_id, title, imported_at, rows_added, rows_changed,"
                " rows_unchanged FROM imports ORDER BY imported_at DESC LIMIT 10")
        ]  # fmt: skip
        return Answer(ANSWERED, "sources", text, sources=tuple(refs),
                      extra={"counts": counts, "imports": imports})  # fmt: skip

    def _source_counts(self) -> dict[str, int]:
        """Figures per source; counting a national store takes most of a second, so the
        count is kept until the next build or import."""
        version = self.catalog.version
        cached = getattr(self, "_counts", None)
        if cached is None or cached[0] != version:
            counts = store.counts_by_source(self.conn)
            self._counts = cached = (version, counts)
        return cached[1]

    def _explain(self, p: Parsed, ind: Indicator, notes: list[Note]) -> Answer:
        cat = self.catalog
        figs = store.figures(self.conn, ind.id)
        values = [self._value(f) for f in figs]
        periods = sorted({f.period for f in figs if f.period}, key=period_key)
        places = sorted({f.place for f in figs}, key=lambda c: cat.place_name(c))
        return Answer(
            ANSWERED if figs else NOT_FOUND,
            "explain",
            p.raw,
            indicator=self._ind_dict(ind),
            notes=tuple(notes),
            caveats=tuple(self._caveats(values)),
            interpretations=tuple(self._interpretations(values)),
            sources=tuple(self._source_refs(values)) or tuple(
                SourceRef(s.id, s.organisation, s.publication, s.via, s.method, s.reliability,
                          s.licence, (), ())
                for sid in ind.sources if (s := cat.sources.get(sid))
            ),  # fmt: skip
            region=self._region(values, notes),
            extra={"periods": periods, "places": [cat.place_name(c) for c in places],
                   "undated": any(not f.period for f in figs),
                   "breakdowns": sorted({v.breakdown_label for v in values if v.breakdown_label}),
                   "count": len(figs)},
        )  # fmt: skip


def _replace_extra(answer: Answer, extra: dict) -> Answer:
    from dataclasses import replace

    return replace(answer, extra={**answer.extra, **extra})
