"""Annotate: the caveats, the report's interpretations and the sources that go with the
values an answer shows — read from the catalog's rules (data/caveats.csv,
data/interpretations.csv) and the values themselves, never from other figures."""

from __future__ import annotations

from collections.abc import Iterable

from econ071.answering.context import Context
from econ071.core.answer import Caveat, Interpretation, Note, SourceRef, Value
from econ071.store.catalog import Rule, rule_applies

# Most specific first: sources that disagree, a known distortion of this value, the
# reliability of this source at this level; generic wording last.
ORDER = ("disagreement", "place_note", "small_area", "source", "definition", "status",
         "computed", "approximation", "missing", "undated")  # fmt: skip


SHORT_CHARS = 480


def matching_rules(ctx: Context, table: str, values: Iterable[Value]) -> list[Rule]:
    """The rules of caveats or interpretations that apply to any of the values, each once,
    in the order they first apply."""
    cat = ctx.catalog
    found: dict[str, Rule] = {}
    seen: set[tuple] = set()
    for n, v in enumerate(values):
        if n % 256 == 0:
            ctx.check_time()
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


def caveats(ctx: Context, values: Iterable[Value]) -> list[Caveat]:
    values = list(values)
    out = {r.id: Caveat(r.id, r.kind, r.text, r.chapter)
           for r in matching_rules(ctx, "caveats", values)}  # fmt: skip
    generated: dict[str, Caveat] = {}
    for v in values:
        if not v.published:
            reasons = sorted({x.missing_reason or "" for x in values if not x.published})
            generated.setdefault("missing", Caveat("missing", "missing", None,
                                                   data={"reasons": reasons}))  # fmt: skip
        elif v.qualifier != "exact":
            generated.setdefault("approximation", Caveat("approximation", "approximation", None))
        if not v.period:
            generated.setdefault("undated", Caveat("undated", "undated", None))
        if v.computed:
            generated.setdefault("computed", Caveat("computed", "computed", None,
                                                    data={"place": v.place_name}))  # fmt: skip
        if v.status and v.status.lower() != "definitief":
            generated.setdefault("status", Caveat("status", "status", None,
                                                  data={"status": v.status}))  # fmt: skip
    sources_per_key: dict[tuple, set[str]] = {}
    for v in values:
        sources_per_key.setdefault((v.place, v.period, v.breakdown), set()).add(v.source)
    if any(len(srcs) > 1 for srcs in sources_per_key.values()) and not any(
        c.kind == "disagreement" for c in out.values()
    ):
        generated.setdefault("sources_differ", Caveat("sources_differ", "disagreement", None))
    found = list(out.values()) + list(generated.values())
    found.sort(key=lambda c: ORDER.index(c.kind) if c.kind in ORDER else len(ORDER))
    return found


def short_caveats(found: list[Caveat], limit: int = 2) -> list[Caveat]:
    """The caveats a short answer shows: the most specific, never one that only repeats
    what the figure line already says (a range or 'approximately' is in the figure)."""
    shown = [c for c in found if c.kind not in ("approximation", "undated")][:limit]
    # A second caveat only while both stay readable in a meeting.
    if len(shown) > 1 and sum(len(c.text or "") for c in shown) > SHORT_CHARS:
        shown = shown[:1]
    return shown


def interpretations(ctx: Context, values: Iterable[Value],
                    limit: int | None = None) -> list[Interpretation]:  # fmt: skip
    """The report's readings that apply, most specific first."""
    cat = ctx.catalog

    def specificity(rule: Rule) -> int:
        return sum(bool(c) for c in (rule.indicator, rule.place, rule.breakdown, rule.period))

    rules = sorted(matching_rules(ctx, "interpretations", values), key=lambda r: -specificity(r))
    return [
        Interpretation(
            text=rule.text,
            chapter=rule.chapter,
            place_name=cat.place_name(rule.place[0]) if len(rule.place) == 1 else None,
            breakdown_label=cat.breakdowns[rule.breakdown[0]].label
            if len(rule.breakdown) == 1 and rule.breakdown[0] in cat.breakdowns
            else None,
        )
        for rule in rules[:limit]
    ]


def source_refs(ctx: Context, values: Iterable[Value]) -> list[SourceRef]:
    cat = ctx.catalog
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
        if s is not None:
            refs.append(catalog_source(ctx, sid, tuple(chapters[sid]), tuple(dates[sid])))
    return refs


def catalog_source(ctx: Context, sid: str, chapters: tuple[str, ...] = (),
                   dates: tuple[str, ...] = ()) -> SourceRef:  # fmt: skip
    s = ctx.catalog.sources[sid]
    return SourceRef(id=s.id, organisation=s.organisation, publication=s.publication, via=s.via,
                     method=s.method, reliability=s.reliability, licence=s.licence,
                     chapters=chapters, ref_dates=dates)  # fmt: skip


def imported_tables(ctx: Context, values: Iterable[Value]) -> list[dict]:
    """The CBS tables (id, title, release) the imported values come from, newest first:
    one query on the imports' own small tables."""
    keys = {(v.indicator, v.place, v.period) for v in values if v.origin != "seed"}
    if not keys:
        return []
    ind, place, period = next(iter(keys))
    try:
        rows = ctx.conn.execute(
            "SELECT i.table_id, i.title, d.release, i.imported_at FROM figure_values f"
            " JOIN imports i ON i.id = f.import_id"
            " LEFT JOIN import_details d ON d.import_id = i.id"
            " WHERE f.indicator = (SELECT id FROM codes WHERE code = ?)"
            " AND f.place = (SELECT id FROM codes WHERE code = ?)"
            " AND f.period = (SELECT id FROM codes WHERE code IS ?) LIMIT 3",
            (ind, place, period),
        ).fetchall()
    except Exception:  # noqa: BLE001 - an older store without import details
        return []
    tables = {}
    for table_id, title, release, imported_at in rows:
        if table_id and table_id not in tables:
            tables[table_id] = {"table": table_id, "title": title,
                                "release": (release or imported_at or "")[:10] or None}  # fmt: skip
    return list(tables.values())


def region(ctx: Context, values: list[Value], notes: list[Note]) -> dict | None:
    cat = ctx.catalog
    uses_region = any(v.place == cat.region_code for v in values) or any(
        n.kind in ("default_region", "default_six") for n in notes
    )
    if not uses_region:
        return None
    place = cat.places.get(cat.region_code)
    return {
        "name": cat.place_name(cat.region_code),
        "members": [cat.place_name(c) for c in cat.six],
        "note": place.note if place else None,
    }
