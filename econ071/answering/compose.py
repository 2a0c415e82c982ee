"""Answer: the selected figures, their facts and annotations, put together as one
``Answer`` of the kind the intent calls for — a figure, a table (comparison or ranking),
a breakdown, a trend (or its extreme year) — short by default, the long form in ``more``
(and in full when ``uitleg`` was asked)."""

from __future__ import annotations

from econ071.answering import annotate, facts
from econ071.answering.context import Context, indicator_dict, period_key
from econ071.answering.interpret import Reading
from econ071.answering.parse import Parsed, clean_text
from econ071.answering.resolve import companion
from econ071.answering.select import Selection
from econ071.core.answer import ANSWERED, Answer, Fact, Intent, Kind, Note, Value
from econ071.store.schema import is_forecast

MAX_SHORT_FACTS = 3  # context lines under the figure line
MAX_SHORT_CAVEATS = 2


def build(ctx: Context, p: Parsed, reading: Reading, kind: Kind, sel: Selection,
          values: list[Value], *, facts_: list[Fact] = (), rows: list[dict] = (),
          extra: dict | None = None) -> Answer:  # fmt: skip
    cat = ctx.catalog
    ctx.check_time()
    all_caveats = annotate.caveats(ctx, values)
    all_readings = annotate.interpretations(ctx, values)
    long = reading.long
    extra = dict(extra or {})
    tables = annotate.imported_tables(ctx, values)
    if tables:
        extra["tables"] = tables
    more = {
        "definition": sel.indicator.definition or None,
        "interpretations": all_readings,
        "caveats": all_caveats,
        "facts": list(facts_),
        "question": f"uitleg {clean_text(p.raw)}".strip(),
    }
    return Answer(
        status=ANSWERED,
        kind=kind,
        question=p.raw,
        intent=reading.intent,
        long=long,
        indicator=indicator_dict(sel.indicator),
        places=tuple({"code": c, "name": cat.place_name(c)} for c in sel.places),
        period=sel.period,
        values=tuple(values),
        rows=tuple(rows),
        facts=tuple(facts_ if long else list(facts_)[:MAX_SHORT_FACTS]),
        notes=tuple(sel.notes),
        interpretations=tuple(all_readings if long else ()),
        caveats=tuple(all_caveats if long else annotate.short_caveats(all_caveats,
                                                                      MAX_SHORT_CAVEATS)),
        sources=tuple(annotate.source_refs(ctx, values)),
        region=annotate.region(ctx, values, sel.notes) if long else None,
        extra=extra,
        more=more,
    )  # fmt: skip


def lookup(ctx: Context, p: Parsed, reading: Reading, sel: Selection) -> Answer:
    """A figure, a breakdown or a table of places for one period (the intents figure,
    share, count, change, compare, breakdown and rank)."""
    cat = ctx.catalog
    ind = sel.indicator
    shown = sel.shown
    multi_breakdown = len({f.breakdown for f in shown}) > 1
    if len(sel.places) == 1 and (multi_breakdown or sel.dimension_asked):
        kind = Kind.BREAKDOWN
    elif len(sel.places) == 1:
        kind = Kind.FIGURE
    else:
        kind = Kind.TABLE
    values = [ctx.value(f) for f in shown]
    extra: dict = {"lowest": reading.lowest}
    rows: list[dict] = []
    found: list[Fact] = []
    if kind == Kind.BREAKDOWN:

        def order(v: Value):
            bd = cat.breakdowns.get(v.breakdown) if v.breakdown else None
            return (bd.sort if bd else -1, v.breakdown or "", v.source)

        values.sort(key=order)
        if reading.intent == Intent.RANK:
            values.sort(
                key=lambda v: (v.value is None, (v.value or 0) * (1 if reading.lowest else -1))
            )
            extra["ranked"] = True
    elif kind == Kind.TABLE:
        # A place without a figure for this period shows its own newest one (its period said).
        have = {v.place for v in values}
        for place in sel.places:
            if place not in have:
                own = [f for f in sel.figures if f.place == place and f.breakdown is None]
                own = [f for f in own if not is_forecast(f.status)] or own
                if own:
                    newest = max(own, key=lambda f: period_key(f.period))
                    values += [ctx.value(f) for f in own if f.period == newest.period]
        rows = facts.table_rows(ctx, values, sel.places, ranked=reading.intent == Intent.RANK,
                                lowest=reading.lowest)  # fmt: skip
        after = cat.place_name(reading.after) if reading.after else None
        names = [r["name"] for r in rows]
        if after in names and names.index(after) + 1 < len(rows) and rows[0].get("rank") == 1:
            extra["after"] = after
            extra["head"] = names.index(after) + 1
        elif rows and rows[0].get("rank") == 1 and rows[0]["values"]:
            top = facts.sort_value(rows[0]["values"][0])
            extra["tied"] = [r["name"] for r in rows[1:] if r["values"]
                             and facts.sort_value(r["values"][0]) == top]  # fmt: skip
    else:
        if reading.intent == Intent.RANK and not sel.asked_places:
            # Nothing to rank: the figure exists for one place only; said first.
            extra["no_ranking"] = True
        found = facts.figure_facts(ctx, ind.unit, ind.additive, shown, sel.all_figures)
        if reading.intent == Intent.CHANGE:
            start = min(p.years) if p.years else (p.year_range[0] if p.year_range else None)
            if start:
                changes = []
                for f in shown:
                    base = [g for g in facts.series(sel.all_figures, f) if g.period == str(start)]
                    if base and f.value is not None and base[0].period != f.period:
                        changes.append(facts.change(ctx, ind.unit, base[0], f))
                found = changes + [f for f in found if f.kind != "change"]
            found.sort(key=lambda f: f.kind != "change")
        other = companion(ctx, ind)
        if other and shown:
            from econ071.store import figures as store

            mates = [g for g in store.figures(ctx.conn, other.id, [shown[0].place], None)
                     if g.period == shown[0].period]  # fmt: skip
            extra["companion"] = [ctx.value(g) for g in mates]
            if mates and ind.unit == "aantal":
                # A rank of counts beside their share mostly restates the places' size
                # (Zoeterwoude: fewest disabled people, highest share of them): left out.
                found = [f for f in found if f.kind != "rank"]
        newest_seed = _earlier_report_figure(sel, shown)
        if newest_seed:
            extra["report_figure"] = ctx.value(newest_seed)
        if not reading.long:  # at most three lines of context under the figure
            room = MAX_SHORT_FACTS - len(extra.get("companion", [])) - bool(newest_seed)
            found = found[: max(room, 1)]
    if (
        kind == Kind.FIGURE
        and not sel.breakdowns
        and ind.breakdown_dimension
        and (any(f.breakdown for f in sel.all_figures) if not sel.totals_only else False)
    ):
        sel.notes.append(Note("breakdown_available", {"dimension": ind.breakdown_dimension,
                                                      "example": f"{ind.id.replace('_', ' ')} per {ind.breakdown_dimension}"}))  # fmt: skip
    return build(ctx, p, reading, kind, sel, values, facts_=found, rows=rows, extra=extra)


def _earlier_report_figure(sel: Selection, shown: list) -> object | None:
    """When the newest figure comes from an imported table, the quick scan's own (seed)
    figure for the same place, if it has one: partners know that number."""
    if not shown or sel.period is None or any(f.origin == "seed" for f in shown):
        return None
    seeds = [f for f in sel.figures if f.origin == "seed" and f.place == shown[0].place
             and f.breakdown == shown[0].breakdown and f.value is not None]  # fmt: skip
    return max(seeds, key=lambda f: period_key(f.period)) if seeds else None


def ranked_change(ctx: Context, p: Parsed, reading: Reading, sel: Selection) -> Answer:
    """Which place (or category) grew or shrank most, from the first to the last year."""
    ind = sel.indicator
    if reading.over_categories or sel.dimension_asked:
        place = sel.places[0]
        figs = [f for f in sel.figures if f.place == place and f.breakdown]
        keys = sorted({f.breakdown for f in figs})
        rows = facts.change_rows(ctx, ind.unit, figs, keys, "breakdown", reading.lowest,
                                 reading.relative)  # fmt: skip
    else:
        figs = [f for f in sel.figures if f.breakdown is None]
        rows = facts.change_rows(ctx, ind.unit, figs, sel.places, "place", reading.lowest,
                                 reading.relative)  # fmt: skip
    periods = sorted({f.period for f in figs if f.period}, key=period_key)
    sel.period = periods[-1] if periods else None
    values = [ctx.value(f) for f in figs if f.period in (periods[:1] + periods[-1:])]
    return build(ctx, p, reading, Kind.TABLE, sel, values,
                 extra={"change_rows": rows, "decline": reading.lowest})  # fmt: skip


def trend(ctx: Context, p: Parsed, reading: Reading, sel: Selection) -> Answer:
    cat = ctx.catalog
    places = sel.places
    figs = sel.figures
    if len(places) > 1 and cat.region_code not in places:
        counts = {c: len({f.period for f in figs if f.place == c}) for c in places}
        places = [max(places, key=lambda c: (counts[c], c == cat.region_code))]
        sel.notes.append(Note("trend_one_place", {"place": cat.place_name(places[0])}))
    elif len(places) > 1:
        places = [cat.region_code]
    figs = [f for f in figs if f.place in places and f.breakdown is None] or [
        f for f in figs if f.place in places
    ]
    if p.year_range:
        lo, hi = p.year_range
        figs = [f for f in figs if f.period and lo <= period_key(f.period)[0] <= hi]
    figs, grain, mixed = facts.one_grain(figs)
    if mixed:
        sel.notes.append(Note("trend_granularity", {"grain": grain}))
    periods = sorted({f.period for f in figs}, key=period_key)
    sources = sorted({f.source for f in figs})
    values = [ctx.value(f) for f in sorted(figs, key=lambda f: (period_key(f.period), f.source))]
    rows = [{"period": q, "values": {s: next((v for v in values
                                               if v.period == q and v.source == s), None)
                                      for s in sources}} for q in periods]  # fmt: skip
    # Forecasts are marked in the series; the change, the extremes and the headline are the
    # measured figures' (a forecast is never the latest or the highest measured value).
    for row in rows:
        row["forecast"] = all(_forecast(v) for v in row["values"].values() if v)
    measured = [f for f in figs if not is_forecast(f.status)] or figs
    sel.places = places
    found = facts.trend_facts(ctx, sel.indicator.unit, measured, places[0]) if places else []
    extra = {"sources_order": [ctx.source_name(s) for s in sources]}
    if reading.intent == Intent.EXTREME_YEAR:
        extra["extreme"] = [ctx.value(f) for f in facts.extreme(measured, reading.lowest)]
        extra["lowest"] = reading.lowest
    return build(ctx, p, reading, Kind.TREND, sel, values, facts_=found, rows=rows, extra=extra)


def _forecast(v) -> bool:
    return is_forecast(getattr(v, "status", None))
