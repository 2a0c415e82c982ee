"""The project's own tidy figures CSV (the format of data/figures/*.csv), for figures typed
in from reports, LISA or UWV publications. Indicators, breakdowns and sources must already
be in the catalog; a place may also be any CBS region (it is then added)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd

from econ071.core.errors import DataError
from econ071.importing import csvfile
from econ071.importing.detect import Detected
from econ071.importing.errors import Problems
from econ071.importing.model import CHUNK_ROWS, STAGE_COLUMNS, ParsedFile, TableInfo
from econ071.store import schema
from econ071.store.regions import Region

NUMBER = "expected a number like 67537 or 5.5 (a '.' as decimal separator)"


@dataclass(frozen=True)
class Known:
    """What the catalog in the store holds, for checking references."""

    indicators: frozenset[str]
    places: frozenset[str]
    breakdowns: frozenset[str]
    sources: frozenset[str]


def read(det: Detected, known: Known, regions: dict[str, Region]) -> ParsedFile:
    shown = str(det.path)
    table = TableInfo(None, det.path.name, "", "", None, None, "other")
    parsed = ParsedFile("tidy-csv", shown, table, {}, iter(()), tidy=True, value_field="value")
    parsed.chunks = _chunks(det, shown, known, regions, parsed)
    return parsed


def _chunks(det: Detected, shown: str, known: Known, regions: dict[str, Region],
            parsed: ParsedFile) -> Iterator[pd.DataFrame]:  # fmt: skip
    problems = Problems()
    for chunk in csvfile.chunks(det.path, shown, CHUNK_ROWS, sep=",", dtype=str,
                                keep_default_na=False, na_filter=False):  # fmt: skip
        chunk = chunk.apply(lambda c: c.str.strip())
        yield _check(chunk, shown, known, regions, parsed, problems)
    problems.raise_if_any()


def _check(chunk: pd.DataFrame, shown: str, known: Known, regions: dict[str, Region],
           parsed: ParsedFile, problems: Problems) -> pd.DataFrame:  # fmt: skip
    def flag(mask: pd.Series, field: str, problem) -> None:
        for line in mask[mask].index[:5]:
            text = problem(chunk.at[line, field]) if callable(problem) else problem
            problems.add(DataError(shown, int(line), field, text))

    flag(~chunk.indicator.isin(known.indicators), "indicator",
         lambda v: f"is {v!r}; no such indicator in the catalog")  # fmt: skip
    for code in set(chunk.place) - known.places:
        if code in regions:
            parsed.regions[code] = regions[code]
    flag(~chunk.place.isin(known.places | set(parsed.regions)), "place",
         lambda v: f"is {v!r}; no such place (expected a code like GM0546 or X_071)")  # fmt: skip
    flag((chunk.breakdown != "") & ~chunk.breakdown.isin(known.breakdowns), "breakdown",
         lambda v: f"is {v!r}; no such breakdown")  # fmt: skip
    flag(~chunk.source.isin(known.sources), "source", lambda v: f"is {v!r}; no such source")
    qualifier = chunk.qualifier.where(chunk.qualifier != "", "exact")
    flag(~qualifier.isin(schema.QUALIFIERS), "qualifier",
         lambda v: f"is {v!r}; expected one of {', '.join(schema.QUALIFIERS)}")  # fmt: skip
    flag((chunk.period != "") & ~chunk.period.str.match(schema.PERIOD), "period",
         lambda v: f"is {v!r}; {schema.PERIOD_EXPECTED}")  # fmt: skip
    flag((chunk.ref_date != "") & ~chunk.ref_date.str.match(schema.ISO_DATE), "ref_date",
         lambda v: f"is {v!r}; {schema.ISO_DATE_EXPECTED}")  # fmt: skip
    numbers = {}
    for field in ("value", "low", "high"):
        numbers[field] = pd.to_numeric(chunk[field], errors="coerce")
        flag((chunk[field] != "") & numbers[field].isna(), field, lambda v: f"is {v!r}; {NUMBER}")
    empty = numbers["value"].isna() & numbers["low"].isna() & numbers["high"].isna()
    flag(empty & (chunk.value == "") & (chunk.low == "") & (chunk.high == ""), "value",
         "is empty and so are low and high")  # fmt: skip
    bad_range = (qualifier == "range") & (
        numbers["low"].isna() | numbers["high"].isna() | (numbers["low"] > numbers["high"])
    )
    flag(bad_range, "low", "a range needs low <= high")
    out = pd.DataFrame({
        "ref": chunk.index.astype("int64"),
        "indicator": chunk.indicator,
        "place": chunk.place,
        "period": chunk.period.where(chunk.period != "", None),
        "breakdown": chunk.breakdown.where(chunk.breakdown != "", None),
        "value": numbers["value"],
        "low": numbers["low"],
        "high": numbers["high"],
        "qualifier": qualifier,
        **{c: chunk[c].where(chunk[c] != "", None) for c in ("value_text", "source", "chapter",
                                                             "ref_date", "note")},
        "status": None,
        "missing_reason": None,
    })  # fmt: skip
    return out[list(STAGE_COLUMNS)]
