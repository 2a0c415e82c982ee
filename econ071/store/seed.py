"""Reading and checking the tidy files of data/ (the seed of the store) before anything is written."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from econ071.core.errors import DataError
from econ071.core.plausible import never_negative, non_finite_message
from econ071.store import passages as passage_index
from econ071.store import schema

SEED = "seed"


@dataclass(frozen=True)
class Row:
    file: str
    line: int
    values: dict[str, str]


def _read_csv(path: Path, table: str, data_dir: Path) -> list[Row]:
    expected = schema.SEED_FILES[table]
    name = str(path.relative_to(data_dir.parent)) if data_dir.parent in path.parents else str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(name, None, None, f"is not UTF-8 ({exc.reason})") from None
    reader = csv.reader(text.splitlines(keepends=True))
    try:
        header = next(reader)
    except StopIteration:
        raise DataError(name, 1, None, "is empty; expected a header row") from None
    if tuple(header) != expected:
        raise DataError(
            name, 1, None, f"header is {','.join(header)}; expected {','.join(expected)}"
        )
    rows = []
    for fields in reader:
        line = reader.line_num
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(expected):
            raise DataError(name, line, None, f"has {len(fields)} fields; expected {len(expected)}")
        rows.append(Row(name, line, {k: v.strip() for k, v in zip(expected, fields, strict=True)}))
    return rows


def _number(row: Row, field: str) -> float | None:
    text = row.values[field]
    if text == "":
        return None
    try:
        number = float(text)
    except ValueError:
        raise DataError(
            row.file, row.line, field, f"is {text!r}; expected a number like 67537 or 5.5"
        ) from None
    if not math.isfinite(number):  # as an import refuses it (core/plausible.py)
        raise DataError(row.file, row.line, field, non_finite_message(text))
    return number


def _matches(row: Row, field: str, pattern, expected: str) -> None:
    text = row.values[field]
    if text and not pattern.match(text):
        raise DataError(row.file, row.line, field, f"is {text!r}; {expected}")


def _one_of(row: Row, field: str, allowed: tuple[str, ...], default: str | None = None) -> str:
    text = row.values[field] or (default or "")
    if text not in allowed:
        raise DataError(
            row.file, row.line, field, f"is {text!r}; expected one of {', '.join(allowed)}"
        )
    return text


def _exists(row: Row, field: str, known: set[str], what: str, optional: bool = False) -> str | None:
    text = row.values[field]
    if text == "" and optional:
        return None
    if text not in known:
        raise DataError(row.file, row.line, field, f"is {text!r}; no such {what}")
    return text


def _unique(rows: list[Row], key: str, what: str) -> set[str]:
    seen: dict[str, Row] = {}
    for row in rows:
        value = row.values[key]
        if not value:
            raise DataError(row.file, row.line, key, f"is empty; every {what} needs one")
        if value in seen:
            raise DataError(row.file, row.line, key, f"{value!r} repeats line {seen[value].line}")
        seen[value] = row
    return set(seen)


@dataclass
class SeedData:
    sources: list[dict]
    places: list[dict]
    place_members: list[dict]
    breakdowns: list[dict]
    indicators: list[dict]
    figures: list[dict]
    caveats: list[dict]
    interpretations: list[dict]
    passages: list[dict]


def load_seed(data_dir: Path, known_places: set[str] = frozenset()) -> SeedData:
    """Read and validate every file in data/; raise DataError at the first problem."""

    def read(table: str) -> list[Row]:
        path = data_dir / f"{table}.csv"
        if not path.exists():
            raise DataError(str(path), None, None, "is missing")
        return _read_csv(path, table, data_dir)

    src_rows, place_rows = read("sources"), read("places")
    member_rows, bd_rows, ind_rows = read("place_members"), read("breakdowns"), read("indicators")
    cav_rows, int_rows = read("caveats"), read("interpretations")
    passage_rows = read("passages")
    fig_rows = [
        row
        for path in sorted((data_dir / "figures").glob("*.csv"))
        for row in _read_csv(path, "figures", data_dir)
    ]

    source_ids = _unique(src_rows, "id", "source")
    place_codes = _unique(place_rows, "code", "place") | set(known_places)
    breakdown_ids = _unique(bd_rows, "id", "breakdown")
    indicator_ids = _unique(ind_rows, "id", "indicator")
    _unique(cav_rows, "id", "caveat")
    _unique(int_rows, "id", "interpretation")

    sources = []
    for r in src_rows:
        _one_of(r, "method", schema.SOURCE_METHODS)
        sources.append({**r.values, "origin": SEED})
    places = []
    for r in place_rows:
        _one_of(r, "kind", schema.PLACE_KINDS)
        places.append({**r.values, "origin": SEED})
    members = []
    for r in member_rows:
        _exists(r, "place", place_codes, "place")
        _exists(r, "member", place_codes, "place")
        members.append({**r.values, "origin": SEED})
    breakdowns = []
    for r in bd_rows:
        if r.values["id"].split(":", 1)[0] != r.values["dimension"]:
            raise DataError(
                r.file, r.line, "id", "must start with its dimension, as in sector:zorg"
            )
        breakdowns.append({**r.values, "sort": int(_number(r, "sort") or 0), "origin": SEED})
    indicators = []
    for r in ind_rows:
        _one_of(r, "unit", schema.UNITS)
        _one_of(r, "additive", ("ja", "nee"), default="nee")
        for source in filter(None, r.values["sources"].split("|")):
            if source not in source_ids:
                raise DataError(r.file, r.line, "sources", f"names {source!r}; no such source")
        if not r.values["label"]:
            raise DataError(
                r.file, r.line, "label", "is empty; every indicator needs a Dutch label"
            )
        indicators.append(
            {
                **r.values,
                "additive": 1 if r.values["additive"] == "ja" else 0,
                "sort": int(_number(r, "sort") or 0),
                "origin": SEED,
            }
        )
    figures = []
    counts = {i["id"] for i in indicators if never_negative(i["unit"], f"{i['id']} {i['label']}")}
    for r in fig_rows:
        _exists(r, "indicator", indicator_ids, "indicator")
        _exists(r, "place", place_codes, "place")
        _exists(r, "breakdown", breakdown_ids, "breakdown", optional=True)
        _exists(r, "source", source_ids, "source")
        qualifier = _one_of(r, "qualifier", schema.QUALIFIERS, default="exact")
        _matches(r, "period", schema.PERIOD, schema.PERIOD_EXPECTED)
        _matches(r, "ref_date", schema.ISO_DATE, schema.ISO_DATE_EXPECTED)
        value, low, high = _number(r, "value"), _number(r, "low"), _number(r, "high")
        if value is None and low is None and high is None:
            raise DataError(r.file, r.line, "value", "is empty and so are low and high")
        if qualifier == "range" and (low is None or high is None or low > high):
            raise DataError(r.file, r.line, "low", "a range needs low <= high")
        if r.values["indicator"] in counts:  # as an import refuses it (core/plausible.py)
            for field, number in (("value", value), ("low", low), ("high", high)):
                if number is not None and number < 0:
                    raise DataError(r.file, r.line, field,
                                    f"is {r.values[field]}, a negative count; expected a number "
                                    "of people, jobs or businesses of at least 0")  # fmt: skip
        figures.append(
            {
                **r.values,
                "period": r.values["period"] or None,
                "breakdown": r.values["breakdown"] or None,
                "value": value,
                "low": low,
                "high": high,
                "qualifier": qualifier,
                "origin": SEED,
            }
        )
    _check_figure_keys(fig_rows)

    def rules(rows: list[Row]) -> list[dict]:
        out = []
        for r in rows:
            if not r.values["text"]:
                raise DataError(r.file, r.line, "text", "is empty")
            for field, known in (
                ("indicator", indicator_ids),
                ("place", place_codes),
                ("breakdown", breakdown_ids),
                ("source", source_ids),
            ):
                for item in filter(None, r.values.get(field, "").split("|")):
                    if item not in known:
                        raise DataError(r.file, r.line, field, f"names {item!r}; no such {field}")
            out.append({**{k: (v or None) for k, v in r.values.items()}, "origin": SEED})
        return out

    return SeedData(
        sources, places, members, breakdowns, indicators, figures, rules(cav_rows),
        rules(int_rows), _passages(passage_rows),
    )  # fmt: skip


def _check_figure_keys(rows: list[Row]) -> None:
    seen: dict[tuple, Row] = {}
    for r in rows:
        v = r.values
        key = (v["indicator"], v["place"], v["period"], v["breakdown"], v["source"], v["chapter"])
        if key in seen:
            first = seen[key]
            raise DataError(
                r.file, r.line, "indicator",
                f"repeats the figure of {first.file} line {first.line} (same indicator, place, "
                "period, breakdown, source and chapter)",
            )  # fmt: skip
        seen[key] = r


def _passages(rows: list[Row]) -> list[dict]:
    """data/passages.csv: the report's text, one paragraph or slide per row."""
    _unique(rows, "id", "passage")
    for r in rows:
        _one_of(r, "document", passage_index.DOCUMENTS)
        for field in ("reference", "title", "text"):
            if not r.values[field]:
                raise DataError(r.file, r.line, field, "is empty; every passage needs one")
    return [dict(r.values) for r in rows]
