"""Answers from catalog metadata: help, the list of indicators, the sources, and the
explanation of an indicator (definition, unit, where it is published, caveats and the
report's readings). Their cost is bounded by what they show: an explanation reads the
figures of the 071 area, its six and Nederland only — never a whole imported table."""

from __future__ import annotations

from econ071.answering import annotate
from econ071.answering.context import Context, indicator_dict, period_key
from econ071.answering.parse import Parsed
from econ071.answering.select import MAX_OTHER_PLACES
from econ071.core.answer import ANSWERED, NOT_FOUND, Answer, Intent, Kind, Note
from econ071.store import figures as store
from econ071.store.catalog import Indicator

MAX_SHOWN_PLACES = 12
MAX_CATEGORIES = 20


def _categories(ctx: Context, indicator: str, places: list[str]) -> list[store.Figure]:
    """The figures by breakdown of one place, newest period only (a handful of rows)."""
    if not places:
        return []
    row = ctx.conn.execute(
        "SELECT cd.code FROM figure_values f JOIN codes cd ON cd.id = f.period"
        " WHERE f.indicator = (SELECT id FROM codes WHERE code = ?)"
        " AND f.place = (SELECT id FROM codes WHERE code = ?) AND f.breakdown > 0"
        " ORDER BY f.breakdown LIMIT 1",
        (indicator, places[0]),
    ).fetchone()
    if row is None:
        return []
    figs = store.figures(ctx.conn, indicator, places[:1])
    return [f for f in figs if f.breakdown and f.period == row[0]][: MAX_CATEGORIES + 50]


def help_answer(ctx: Context, text: str) -> Answer:
    return Answer(status=ANSWERED, kind=Kind.HELP, question=text, intent=Intent.HELP,
                  region=annotate.region(ctx, [], [Note("default_region", {})]))  # fmt: skip


def list_answer(ctx: Context, text: str) -> Answer:
    cat = ctx.catalog
    with_data = store.indicators_with_figures(ctx.conn)
    themes: dict[str, list[dict]] = {}
    for ind in cat.indicators.values():
        themes.setdefault(ind.theme or "overig", []).append(
            {"id": ind.id, "label": ind.label, "has_data": ind.id in with_data,
             "availability": ind.availability}
        )  # fmt: skip
    return Answer(status=ANSWERED, kind=Kind.LIST, question=text, intent=Intent.LIST,
                  extra={"themes": themes})  # fmt: skip


_counts: dict[str, tuple[str, dict[str, int]]] = {}


def sources_answer(ctx: Context, text: str, only: tuple[str, ...] = ()) -> Answer:
    """Every source with its reliability; ``only``: the sources a question names ('lisa')."""
    cat = ctx.catalog
    key = str(id(ctx.conn))
    cached = _counts.get(key)
    if cached is None or cached[0] != cat.version:
        # Counting a national store takes most of a second: kept until the next import.
        cached = _counts[key] = (cat.version, store.counts_by_source(ctx.conn))
    wanted = set(only)
    refs = [annotate.catalog_source(ctx, sid) for sid in cat.sources
            if not wanted or wanted & set(sid.split("_"))]  # fmt: skip
    imports = [
        dict(zip(("file", "table_id", "title", "imported_at", "added", "changed", "unchanged"),
                 r, strict=True))
        for r in ctx.conn.execute(
            "SELECT file, table_id, title, imported_at, rows_added, rows_changed,"
            " rows_unchanged FROM imports ORDER BY imported_at DESC LIMIT 10")
    ]  # fmt: skip
    return Answer(status=ANSWERED, kind=Kind.SOURCES, question=text, intent=Intent.SOURCES,
                  sources=tuple(refs), extra={"counts": cached[1], "imports": imports})  # fmt: skip


def explain(ctx: Context, p: Parsed, ind: Indicator, notes: list[Note], *,
            long: bool = True) -> Answer:  # fmt: skip
    """What an indicator is. Short: the definition, where it is published, the two most
    specific caveats; long ('uitleg'): every caveat and the report's readings."""
    cat = ctx.catalog
    ctx.check_time()
    # Only the totals of the 071 area, its six and Nederland (else a dozen places that
    # have it), and the breakdown's categories of one place: bounded by what is shown.
    others = store.places_of(ctx.conn, ind.id, MAX_OTHER_PLACES + 1)
    shown = ctx.relevant_places([])
    figs = store.figures(ctx.conn, ind.id, shown, None)
    if not figs and others:
        shown = others[:MAX_OTHER_PLACES]
        figs = store.figures(ctx.conn, ind.id, shown, None)
    categories = _categories(ctx, ind.id, [f.place for f in figs[:1]] or shown[:1] or others[:1])
    if not figs and categories:
        figs = categories
    values = [ctx.value(f) for f in figs]
    periods = sorted({f.period for f in figs if f.period}, key=period_key)
    places = sorted({f.place for f in figs}, key=cat.place_name)
    has_any = bool(figs or others)
    breakdown_labels = sorted({ctx.label("breakdown", f.breakdown) for f in categories
                               if f.breakdown})  # fmt: skip
    all_caveats = annotate.caveats(ctx, values)
    sources = annotate.source_refs(ctx, values) or [
        annotate.catalog_source(ctx, sid) for sid in ind.sources if sid in cat.sources
    ]
    return Answer(
        status=ANSWERED if has_any else NOT_FOUND,
        kind=Kind.EXPLAIN,
        question=p.raw,
        intent=Intent.DEFINITION,
        long=long,
        indicator=indicator_dict(ind),
        notes=tuple(notes),
        caveats=tuple(all_caveats if long else annotate.short_caveats(all_caveats)),
        interpretations=tuple(annotate.interpretations(ctx, values) if long else ()),
        more={"question": f"uitleg {ind.id.replace('_', ' ')}", "caveats": all_caveats},
        sources=tuple(sources),
        region=annotate.region(ctx, values, notes),
        extra={"periods": periods, "places": [cat.place_name(c) for c in places][:MAX_SHOWN_PLACES],
               "more_places": len(others) > MAX_OTHER_PLACES,
               "undated": any(not f.period for f in figs),
               "breakdowns": breakdown_labels[:MAX_CATEGORIES],
               "more_breakdowns": max(0, len(breakdown_labels) - MAX_CATEGORIES),
               "count": len(figs) or len(others),
               "report_definition": _report_definition(ctx, p, ind)},
    )  # fmt: skip


def _report_definition(ctx: Context, p: Parsed, ind: Indicator) -> dict | None:
    """How the quick scan or the slides themselves define what the question named."""
    from econ071.answering import report  # the passage search: only for a definition

    typed = " ".join(m.typed for m in p.of_kind("indicator")) or ind.label
    return report.definition(ctx, typed)


def places_explained(ctx: Context, text: str, codes: list[str]) -> Answer:
    """What a place is ("wat bedoelen ze met het 071-gebied"): its note in data/places.csv,
    else what the store knows of it (one of the six, or its kind)."""
    cat = ctx.catalog
    places = []
    for code in dict.fromkeys(codes):
        place = cat.places.get(code)
        places.append({"name": cat.place_name(code), "note": place.note if place else None,
                       "in_region": code in cat.six, "kind": place.kind if place else ""})  # fmt: skip
    return Answer(status=ANSWERED, kind=Kind.PLACE, question=text, intent=Intent.DEFINITION,
                  extra={"places": places})  # fmt: skip
