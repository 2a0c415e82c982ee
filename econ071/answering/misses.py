"""Answers that say what is not there: no figures for an indicator, not for the breakdown
asked, not for the place asked (with the nearest level that has it), not for the year asked
(with the years that are), or a place the store does not know at all."""

from __future__ import annotations

from econ071.answering import annotate
from econ071.answering.context import NATIONAL, Context, indicator_dict, period_key
from econ071.answering.interpret import Reading
from econ071.answering.parse import Parsed, clean_text
from econ071.answering.select import Miss
from econ071.core.answer import ANSWERED, NOT_FOUND, Answer, Kind, Note
from econ071.store import figures as store
from econ071.store.schema import is_forecast

MAX_RELATED = 3  # related figures offered when a place lacks the one asked for


def answer(ctx: Context, p: Parsed, reading: Reading, miss: Miss) -> Answer:
    ind = miss.indicator
    base = {"question": p.raw, "intent": reading.intent, "indicator": indicator_dict(ind),
            "notes": tuple(miss.notes)}  # fmt: skip
    if miss.what == "no_data":
        return Answer(status=NOT_FOUND, kind=Kind.NO_DATA, **base)
    if miss.what == "breakdown":
        return Answer(status=NOT_FOUND, kind=Kind.MISSING,
                      extra={"what": "breakdown", **miss.data}, **base)  # fmt: skip
    if miss.what == "year":
        periods, places = miss.data["periods"], miss.data["places"]
        return Answer(
            status=NOT_FOUND, kind=Kind.YEAR_MISSING,
            places=tuple({"code": c, "name": ctx.catalog.place_name(c)} for c in places),
            extra={"year": miss.data["year"], "periods": [q for q in periods if q],
                   "undated": None in periods}, **base,
        )  # fmt: skip
    return place_missing(ctx, p, reading, miss)


def place_missing(ctx: Context, p: Parsed, reading: Reading, miss: Miss) -> Answer:
    """Not published for this place: say so, and offer the nearest level that has it
    (the 071 region, else Nederland, else the places that do) and related figures for the
    place itself (e.g. the survey margin the report gives)."""
    cat = ctx.catalog
    ind = miss.indicator
    missing, figs = miss.data["missing"], miss.data["figures"]
    have = {f.place for f in figs}
    # The nearest level that holds the place: the 071 area for its six, Nederland for the
    # area. For any other place no other place's figure is shown: that would stand in for it.
    members = set(cat.six) | {cat.region_code}
    inside = all(c in members for c in missing)
    levels = (cat.region_code, NATIONAL) if inside else ()
    nearest = [c for c in levels if c in have and c not in missing]
    if inside and not nearest:
        nearest = sorted(have)[:3]
    latest = {}
    for c in nearest:
        mine = [f for f in figs if f.place == c]
        mine = [f for f in mine if not is_forecast(f.status)] or mine
        last = max((f.period for f in mine), key=period_key)
        latest[c] = [ctx.value(f) for f in mine if f.period == last]
    related = []
    for code in missing:
        ctx.check_time()
        others = [i for i in store.indicators_at(ctx.conn, code, theme=ind.theme, limit=8)
                  if i != ind.id]  # fmt: skip
        for rid in sorted(others, key=lambda i: cat.indicators[i].sort)[:MAX_RELATED]:
            related += [ctx.value(f) for f in store.figures(ctx.conn, rid, [code], None)][:4]
    values = [v for c in nearest for v in latest[c]] + related
    all_caveats = annotate.caveats(ctx, values)
    return Answer(
        status=ANSWERED if values and inside else NOT_FOUND,
        kind=Kind.PLACE_MISSING,
        question=p.raw,
        intent=reading.intent,
        long=reading.long,
        indicator=indicator_dict(ind),
        places=tuple({"code": c, "name": cat.place_name(c)} for c in missing),
        values=tuple(values),
        notes=tuple(miss.notes),
        caveats=tuple(all_caveats if reading.long else annotate.short_caveats(all_caveats)),
        sources=tuple(annotate.source_refs(ctx, values)),
        interpretations=tuple(annotate.interpretations(ctx, values) if reading.long else ()),
        extra={
            "missing": [cat.place_name(c) for c in missing],
            "available": [] if inside else sorted(cat.place_name(c) for c in have)[:8],
            "nearest": [{"name": cat.place_name(c), "values": latest[c]} for c in nearest],
            "related": related,
        },
        more={
            "caveats": all_caveats,
            "definition": ind.definition or None,
            "question": f"uitleg {clean_text(p.raw)}".strip(),
        },
    )


def place_unknown(ctx: Context, p: Parsed, reading: Reading, unknown: list[tuple[str, str]],
                  indicator_id: str | None) -> Answer:  # fmt: skip
    """A municipality the store has no figures for: named and refused, with what is there."""
    cat = ctx.catalog
    ind = cat.indicators.get(indicator_id) if indicator_id else None
    return Answer(
        status=NOT_FOUND,
        kind=Kind.PLACE_UNKNOWN,
        question=p.raw,
        intent=reading.intent,
        indicator=indicator_dict(ind) if ind else None,
        places=tuple({"code": code, "name": name} for code, name in unknown),
        extra={"six": [cat.place_name(c) for c in cat.six],
               "region": cat.place_name(cat.region_code)},
    )  # fmt: skip


def unknown_note(unknown: list[tuple[str, str]]) -> Note:
    return Note("place_unknown", {"places": [name for _code, name in unknown]})
