"""Select figures: which stored figures an answer shows — the places asked (else the 071
area, its six municipalities, or the few places that have the figure), the breakdown asked,
the source asked, and the period asked (else the newest). Reads only the figures of the
places it can show, so a store with every Dutch municipality costs no more per question.

Returns a ``Selection``, or a ``Miss`` saying what is not there (a year, a breakdown, a
place) — never another place's or year's figure in its stead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from econ071.answering.context import NATIONAL, Context, period_key, period_matches
from econ071.answering.interpret import Reading
from econ071.answering.parse import Parsed
from econ071.answering.resolve import fuzzy_notes
from econ071.core.answer import Intent, Note
from econ071.store import figures as store
from econ071.store.catalog import Indicator
from econ071.store.schema import is_forecast

MAX_OTHER_PLACES = 12  # places shown for an indicator published outside the 071 area only


@dataclass
class Selection:
    indicator: Indicator
    figures: list[store.Figure]  # the places chosen, every period
    all_figures: list[store.Figure]  # also the other relevant places (for facts)
    places: list[str]
    asked_places: list[str]
    breakdowns: list[str]
    dimension_asked: bool
    totals_only: bool
    notes: list[Note] = field(default_factory=list)
    period: str | None = None
    shown: list[store.Figure] = field(default_factory=list)


@dataclass
class Miss:
    what: str  # no_data | breakdown | place | year
    indicator: Indicator
    notes: list[Note]
    data: dict = field(default_factory=dict)


def relevant_figures(ctx: Context, ind: Indicator, asked: list[str],
                     breakdown: str | list[str] | None | store.AnyBreakdown = store.ANY_BREAKDOWN,
                     ) -> list[store.Figure]:  # fmt: skip
    """The figures of the places asked, the 071 region, its six and Nederland; only when
    the indicator has none of those, a few places that have it."""
    figs = store.figures(ctx.conn, ind.id, ctx.relevant_places(asked), breakdown)
    if figs:
        return figs
    elsewhere = store.places_of(ctx.conn, ind.id, MAX_OTHER_PLACES)
    return store.figures(ctx.conn, ind.id, elsewhere, breakdown) if elsewhere else []


def figures(ctx: Context, p: Parsed, reading: Reading, ind: Indicator,
            notes: list[Note]) -> Selection | Miss:  # fmt: skip
    cat = ctx.catalog
    place_matches = p.of_kind("place")
    bd_matches = [m for m in p.of_kind("breakdown")
                  if cat.breakdowns[m.id].dimension == ind.breakdown_dimension]  # fmt: skip
    # A word that names both a place and a category ("Leiden": the municipality and the
    # work region) is the place, unless another word names the place.
    place_words = {m.typed for m in place_matches}
    if len(place_words) == 1:
        bd_matches = [m for m in bd_matches if m.typed not in place_words]
    else:
        bd_words = {m.typed for m in bd_matches}
        place_matches = [m for m in place_matches if m.typed not in bd_words] or place_matches
    asked = list(dict.fromkeys(m.id for m in place_matches))
    if reading.intent == Intent.SHARE and len(asked) > 1 and cat.region_code in asked:
        asked.remove(cat.region_code)  # the share of the area held by the place asked
    if reading.intent == Intent.COMPARE and (reading.national or asked == [NATIONAL]):
        if NATIONAL not in asked:
            asked.append(NATIONAL)
        if len(asked) == 1:  # "werkloosheid vs landelijk": the 071 area beside Nederland
            asked.insert(0, cat.region_code)
    bds = list(dict.fromkeys(m.id for m in bd_matches))
    notes += fuzzy_notes(ctx, [*place_matches, *bd_matches])
    dimension_asked = bool(ind.breakdown_dimension) and (
        any(m.kind == "dimension" and m.id == ind.breakdown_dimension for m in p.matches)
        or (reading.over_categories and not bds)
    )
    totals_only = not (bds or dimension_asked)
    ctx.check_time()
    all_figs = (relevant_figures(ctx, ind, asked, None) if totals_only
                else relevant_figures(ctx, ind, asked, bds) if bds else [])  # fmt: skip
    if not all_figs and not bds:
        totals_only = False
        all_figs = relevant_figures(ctx, ind, asked)
    if not all_figs and not (bds and ctx.has_data("indicator", ind.id)):
        return Miss("no_data", ind, notes)
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
            return Miss("breakdown", ind, notes, {"breakdown": cat.breakdowns[bds[0]].label})
    else:
        figs = [f for f in all_figs if f.breakdown is None] or all_figs

    have = {f.place for f in figs}
    ranking = reading.intent in (Intent.RANK, Intent.COMPARE) and not reading.over_categories
    if asked:
        missing = [c for c in asked if c not in have]
        places = [c for c in asked if c in have]
        if missing and not places:
            return Miss("place", ind, notes, {"missing": missing, "figures": figs})
        if missing:
            notes.append(Note("place_missing", {"places": [cat.place_name(c) for c in missing]}))
        if ranking and len(places) == 1 and reading.intent == Intent.RANK:
            places = [c for c in cat.six if c in have] or places
    elif ranking and any(c in have for c in cat.six):
        places = [c for c in cat.six if c in have]
        notes.append(Note("default_six", {}))
    elif cat.region_code in have:
        places = [cat.region_code]
        notes.append(Note("default_region", {}))
    elif any(c in have for c in cat.six):
        places = [c for c in cat.six if c in have]
        notes.append(Note("default_six", {}))
    else:
        places = sorted(have, key=lambda c: (c != NATIONAL, cat.place_name(c)))
        notes.append(Note("only_places", {"places": [cat.place_name(c) for c in places]}))
    figs = [f for f in figs if f.place in places]
    return Selection(ind, figs, all_figs, places, asked, bds, dimension_asked, totals_only, notes)


def choose_period(sel: Selection, p: Parsed, since: bool = False) -> Miss | None:
    """The asked year (or span), else the newest; fills ``sel.period`` and ``sel.shown``.
    ``since``: 'sinds 2013' asks for the newest, compared with that year."""
    figs = sel.figures
    periods = sorted({f.period for f in figs}, key=period_key)
    asked = list(p.years) or ([p.year_range[1]] if p.year_range else [])
    if since:
        asked = []
    span = f"{p.year_range[0]}-{p.year_range[1]}" if p.year_range else None
    if span and any(f.period == span for f in figs):
        chosen = span
    elif asked:
        year = asked[-1]
        hits = [q for q in periods if period_matches(q, year)]
        if hits:
            chosen = str(year) if str(year) in hits else hits[-1]
        else:  # (a figure without a year is no answer for a year: said, with what there is)
            return Miss("year", sel.indicator, sel.notes,
                        {"year": year, "periods": periods, "places": sel.places})  # fmt: skip
    else:
        # The newest measured period: a forecast (status 'prognose') is never shown as the
        # latest figure; it is answered when its year is asked (and then says so).
        measured = [q for q in periods if not _forecast_only(figs, q)]
        chosen = (measured or periods)[-1]
        others = [q for q in periods if q != chosen and q]
        if len(periods) > 1 or chosen:
            sel.notes.append(Note("default_period", {"period": chosen, "others": others}))
    sel.period = chosen
    sel.shown = [f for f in figs if f.period == chosen]
    return None


def _forecast_only(figs, period) -> bool:
    return all(is_forecast(f.status) for f in figs if f.period == period)
