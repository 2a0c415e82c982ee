"""A family of indicators asked for at once: 'opleidingsniveau Leiden' (laag-, middelbaar-
and hoogopgeleiden), 'arbeidsongeschiktheid Leiden per regeling' (WAO, WIA, Wajong, totaal).
Shown as one breakdown of the place, each indicator a line."""

from __future__ import annotations

import os
from dataclasses import replace

from econ071.answering import compose
from econ071.answering.context import Context, period_key
from econ071.answering.interpret import Reading
from econ071.answering.parse import Parsed
from econ071.answering.select import Selection
from econ071.core.answer import Answer, Kind, Note
from econ071.store import figures as store
from econ071.store.catalog import Indicator
from econ071.store.schema import is_forecast

SPLIT_CUES = ("per regeling", "naar regeling", "uitsplitsing", "uitgesplitst", "opbouw",
              "samenstelling", "per soort", "naar soort", "per type", "onderverdeling")  # fmt: skip
STEM = 2  # ids of one family share their first part (ao_wao, ao_wajong, ao_totaal)


def by_head(ctx: Context, p: Parsed) -> tuple[str, list[Indicator]] | None:
    """An unclear word that begins a name of two or more indicators of one theme and unit
    ('opleidingsniveau' → 'opleidingsniveau laag | middelbaar | hoog'): all of them."""
    cat = ctx.catalog
    for u in p.unclear:
        members = []
        for ind in cat.indicators.values():
            names = [n.lower() for n in ind.synonyms]
            if any(n.startswith(u.typed + " ") for n in names):
                members.append(ind)
        groups: dict[tuple[str, str], list[Indicator]] = {}
        for m in members:
            groups.setdefault((m.theme, m.unit), []).append(m)
        largest = max(groups.values(), key=len, default=[])
        if len(largest) >= 2:
            return u.typed, largest
    return None


def by_split(ctx: Context, text: str, found: Indicator) -> list[Indicator]:
    """'… per regeling': the indicators of the same theme, unit and id stem as ``found``."""
    from econ071.answering.interpret import _has

    if not _has(text, SPLIT_CUES):
        return []
    stem = found.id.split("_")[0]
    members = [i for i in ctx.catalog.indicators.values()
               if i.theme == found.theme and i.unit == found.unit
               and os.path.commonprefix([i.id.split("_")[0], stem]) == stem]  # fmt: skip
    return members if len(members) >= 2 else []


def answer(ctx: Context, p: Parsed, reading: Reading, title: str,
           members: list[Indicator]) -> Answer | None:  # fmt: skip
    cat = ctx.catalog
    asked = [m.id for m in p.of_kind("place")]
    places = asked[:1] or [cat.region_code]
    values = []
    for ind in members:
        ctx.check_time()
        figs = store.figures(ctx.conn, ind.id, places, None)
        figs = [f for f in figs if not is_forecast(f.status)] or figs
        if figs:
            newest = max(figs, key=lambda f: period_key(f.period))
            values += [replace(ctx.value(f), breakdown_label=ind.label) for f in figs
                       if f.period == newest.period]  # fmt: skip
    if len(values) < 2:
        return None
    periods = sorted({v.period for v in values if v.period}, key=period_key)
    sel = Selection(indicator=members[0], figures=[], all_figures=[], places=places,
                    asked_places=asked, breakdowns=[], dimension_asked=True,
                    totals_only=False, notes=[Note("family", {"members": len(values)})],
                    period=periods[-1] if periods else None)  # fmt: skip
    return compose.build(ctx, p, reading, Kind.BREAKDOWN, sel, values,
                         extra={"family": title[:1].upper() + title[1:], "lowest": False})  # fmt: skip
