"""What every step of the answering pipeline shares for one question: the store
connection, the catalog, the time budget, and the conversion of a stored figure into a
``Value`` ready to show (the period helpers live in core/periods.py)."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass, field

from econ071.core.answer import Value

# Re-exported: the answering steps import the period helpers from here.
from econ071.core.periods import granularity as granularity
from econ071.core.periods import period_key as period_key
from econ071.core.periods import period_matches as period_matches
from econ071.core.places import NATIONAL
from econ071.rendering import formatting
from econ071.store import figures as store
from econ071.store.catalog import Catalog, Indicator


class OutOfTime(Exception):
    """The question's time budget ran out (answered with a short Dutch reply)."""


@dataclass
class Context:
    conn: sqlite3.Connection
    catalog: Catalog
    deadline: float = float("inf")  # time.monotonic() by which the answer must be ready
    _has: dict[tuple[str, str], bool] = field(default_factory=dict)

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise OutOfTime

    def has_data(self, kind: str, id_: str) -> bool:
        key = (kind, id_)
        if key not in self._has:
            self._has[key] = store.has_figures(self.conn, kind, id_)
        return self._has[key]

    def label(self, kind: str, id_: str) -> str:
        cat = self.catalog
        if kind == "indicator" and id_ in cat.indicators:
            return cat.indicators[id_].label
        if kind == "place":
            return cat.place_name(id_)
        if kind == "breakdown" and id_ in cat.breakdowns:
            return cat.breakdowns[id_].label
        return id_

    def source_name(self, source_id: str) -> str:
        return self.catalog.source_name(source_id)

    def value(self, f: store.Figure) -> Value:
        cat = self.catalog
        ind = cat.indicators[f.indicator]
        bd = cat.breakdowns.get(f.breakdown) if f.breakdown else None
        return Value(
            indicator=f.indicator,
            indicator_label=ind.label,
            place=f.place,
            place_name=cat.place_name(f.place),
            period=f.period,
            breakdown=f.breakdown,
            breakdown_label=bd.label if bd else None,
            value=f.value,
            low=f.low,
            high=f.high,
            qualifier=f.qualifier,
            value_text=f.value_text,
            unit=ind.unit,
            source=f.source,
            source_name=self.source_name(f.source),
            chapter=f.chapter,
            ref_date=f.ref_date,
            status=f.status,
            missing_reason=f.missing_reason,
            note=f.note,
            origin=f.origin,
            display=formatting.value(f.value, ind.unit, f.qualifier, f.low, f.high),
            computed=bool(f.computed),
        )

    def relevant_places(self, asked: list[str]) -> list[str]:
        """The places asked, the 071 region, its six municipalities and Nederland."""
        cat = self.catalog
        return list(dict.fromkeys([*asked, cat.region_code, NATIONAL, *cat.six]))


def indicator_dict(ind: Indicator) -> dict:
    return {
        "id": ind.id,
        "label": ind.label,
        "unit": ind.unit,
        "theme": ind.theme,
        "definition": ind.definition,
        "level": ind.level,
        "breakdown_dimension": ind.breakdown_dimension,
        "availability": ind.availability,
    }
