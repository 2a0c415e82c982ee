"""Derive facts from the selected figures: change since the first period, share of the
071 total, rank among the six, gap with Nederland, trend summaries, ranked rows and the
extreme year. Computed from stored figures only; nothing typed in."""

from __future__ import annotations

from econ071.answering.context import NATIONAL, Context, granularity, period_key
from econ071.core.answer import Fact, Value
from econ071.rendering import formatting
from econ071.store import figures as store

Figs = list[store.Figure]


def _exact(f: store.Figure) -> bool:
    return f.value is not None and f.qualifier == "exact"


def change(ctx: Context, unit: str, first: store.Figure, last: store.Figure) -> Fact:
    diff = formatting.difference(last.value, first.value)
    data = {"place": ctx.catalog.place_name(last.place), "from": first.period,
            "to": last.period, "source": last.source, "source_name": ctx.source_name(last.source),
            "unit": unit, "diff": diff, "from_display": formatting.value(first.value, unit),
            "to_display": formatting.value(last.value, unit)}  # fmt: skip
    if unit != "procent" and first.value:
        data["pct"] = diff / first.value * 100
    return Fact("change", data)


def series(figs: Figs, like: store.Figure) -> Figs:
    """The yearly exact figures of the same place, breakdown and source, oldest first."""
    return sorted(
        (g for g in figs
         if g.place == like.place and g.breakdown == like.breakdown and g.source == like.source
         and _exact(g) and g.period and g.period.isdigit()),
        key=lambda g: period_key(g.period),
    )  # fmt: skip


def figure_facts(
    ctx: Context, unit: str, additive: bool, shown: Figs, all_figs: Figs
) -> list[Fact]:
    cat = ctx.catalog
    facts: list[Fact] = []
    for f in shown:
        if not _exact(f):
            continue
        earlier = [g for g in series(all_figs, f) if f.period and g.period < f.period]
        if earlier:
            facts.append(change(ctx, unit, earlier[0], f))
        same = {g.place: g for g in all_figs
                if g.period == f.period and g.breakdown == f.breakdown and g.source == f.source
                and _exact(g)}  # fmt: skip
        total = same.get(cat.region_code)
        if additive and f.place in cat.six and total and total.value:
            facts.append(Fact("share", {"place": cat.place_name(f.place), "period": f.period,
                                        "pct": f.value / total.value * 100,
                                        "region": cat.place_name(cat.region_code)}))  # fmt: skip
        if f.place in cat.six and all(c in same for c in cat.six):
            ordered = sorted(cat.six, key=lambda c: -same[c].value)
            facts.append(Fact("rank", {"place": cat.place_name(f.place),
                                       "rank": ordered.index(f.place) + 1, "of": len(ordered),
                                       "period": f.period}))  # fmt: skip
        national = same.get(NATIONAL)
        if national and f.place != NATIONAL:
            facts.append(Fact("gap", {"place": cat.place_name(f.place), "unit": unit,
                                      "source_name": ctx.source_name(f.source),
                                      "diff": formatting.difference(f.value, national.value),
                                      "national": formatting.value(national.value, unit)}))  # fmt: skip
    return facts


def one_grain(figs: Figs) -> tuple[Figs, str | None, bool]:
    """One granularity per series: years if there are any, else quarters, else months."""
    grains = {granularity(f.period) for f in figs if f.period}
    for grain in ("year", "quarter", "month"):
        if grain in grains:
            return (
                [f for f in figs if f.period and granularity(f.period) == grain],
                grain,
                len(grains) > 1,
            )
    return figs, None, False


def trend_facts(ctx: Context, unit: str, figs: Figs, place: str) -> list[Fact]:
    facts = []
    for s in sorted({f.source for f in figs}):
        points = sorted((f for f in figs if f.source == s and _exact(f) and f.period),
                        key=lambda f: period_key(f.period))  # fmt: skip
        if len(points) >= 2:
            first, last = points[0], points[-1]
            peak = max(points, key=lambda f: f.value)
            low = min(points, key=lambda f: f.value)
            data = {"source": ctx.source_name(s), "from": first.period, "to": last.period,
                    "unit": unit, "diff": formatting.difference(last.value, first.value),
                    "peak": peak.period, "peak_display": formatting.value(peak.value, unit),
                    "low": low.period, "low_display": formatting.value(low.value, unit),
                    "place": ctx.catalog.place_name(place)}  # fmt: skip
            if unit != "procent" and first.value:
                data["pct"] = (last.value - first.value) / first.value * 100
            facts.append(Fact("trend", data))
    return facts


def extreme(figs: Figs, lowest: bool) -> list[store.Figure]:
    """Per source, the figure with the highest (or lowest) value over the periods."""
    out = []
    for s in sorted({f.source for f in figs}):
        points = [f for f in figs if f.source == s and _exact(f) and f.period]
        if points:
            out.append((min if lowest else max)(points, key=lambda f: f.value))
    return out


def table_rows(ctx: Context, values: list[Value], places: list[str], *, ranked: bool,
               lowest: bool = False) -> list[dict]:  # fmt: skip
    by_place: dict[str, list[Value]] = {}
    for v in values:
        by_place.setdefault(v.place, []).append(v)
    rows = [{"place": c, "name": ctx.catalog.place_name(c), "values": by_place.get(c, [])}
            for c in places]  # fmt: skip
    if ranked:
        rows = rank_rows(rows, lowest)
    return rows


def rank_rows(rows: list[dict], lowest: bool) -> list[dict]:
    """Rows ordered by their first exact value (highest first, or lowest), numbered; rows
    without a value last, unnumbered order kept."""

    def key(row: dict) -> float:
        level = [sort_value(v) for v in row["values"] if sort_value(v) is not None]
        if not level:
            return float("inf")
        return level[0] if lowest else -level[0]

    rows = sorted(rows, key=key)
    for i, row in enumerate(rows, 1):
        row["rank"] = i
    return rows


def sort_value(v: Value) -> float | None:
    """The value a ranking uses: the figure, or the middle of a published range."""
    if v.value is not None:
        return v.value
    if v.low is not None and v.high is not None:
        return (v.low + v.high) / 2
    return None


def change_rows(ctx: Context, unit: str, figs: Figs, keys: list[str], by: str,
                lowest: bool, relative: bool = False) -> list[dict]:  # fmt: skip
    """Rows ranked by change from the first to the last period, one per place or per
    breakdown category (``by`` = 'place' | 'breakdown')."""
    rows = []
    for k in keys:
        mine = [f for f in figs if getattr(f, by) == k and _exact(f) and f.period
                and f.period.isdigit()]  # fmt: skip
        for s in sorted({f.source for f in mine}):
            points = sorted((f for f in mine if f.source == s), key=lambda f: period_key(f.period))
            if len(points) >= 2:
                fact = change(ctx, unit, points[0], points[-1])
                label = ctx.catalog.place_name(k) if by == "place" else ctx.label("breakdown", k)
                rows.append({"key": k, "name": label, "change": fact.data})
                break
    measure = "pct" if relative and unit != "procent" else "diff"
    rows.sort(key=lambda r: r["change"].get(measure, r["change"]["diff"]) * (1 if lowest else -1))
    for i, row in enumerate(rows, 1):
        row["rank"] = i
    return rows
