"""StatLine CSV downloads: ';'-separated, quoted or not, UTF-8 with or without BOM, decimal
comma or point, *labels* instead of codes ('Bergen (NH.)', '2019 1e kwartaal'), empty cells
and '.' for values CBS does not publish.

Two layouts are understood:
- long: dimension columns (Geslacht, Regio's, Perioden …) then one column per measure,
  titled with its unit in brackets: ``Bevolking op 1 januari (aantal)``;
- wide: places (or periods) as columns and the other as the first column, one measure
  that the file does not name: a mapping file's ``files`` entry says which.
The file is read in chunks (pandas), so its size does not bound memory.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from econ071.core.errors import DataError
from econ071.core.places import NATIONAL
from econ071.importing import csvfile, periods, sanity, units
from econ071.importing.cbs_odata import register_breakdown, slug
from econ071.importing.detect import Detected
from econ071.importing.errors import Problems, refuse
from econ071.importing.mapping import Mapping
from econ071.importing.model import (
    CHUNK_ROWS,
    OBSERVATION_COLUMNS,
    UNKNOWN_OR_SECRET,
    MeasureInfo,
    ParsedFile,
    TableInfo,
)
from econ071.importing.regions import PlaceNames
from econ071.store.catalog import normalise

PERIOD_COLUMNS = {"perioden", "periode", "jaar", "jaren", "kwartaal", "maand", "periods"}
REGION_COLUMNS = {"regios", "regio", "gemeenten", "gemeente", "provincies", "provincie",
                  "regioindeling", "regions", "wijken en buurten"}  # fmt: skip
_UNIT = re.compile(r"^(?P<title>.*?)\s*\((?P<unit>[^()]*)\)\s*$")
_TABLE_ID = re.compile(r"(\d{5}(?:ned|eng))", re.IGNORECASE)
EXPECTED_NUMBER = "expected a number like 124899 or 8,5, '.' (not published) or an empty cell"


def _header(path: Path, shown: str) -> list[str]:
    with path.open("r", encoding="utf-8-sig", newline="") as fh:
        try:
            first = fh.readline(sanity.MAX_LINE_BYTES + 1)
        except UnicodeDecodeError as exc:
            raise refuse(shown, 1, None, f"is not UTF-8 ({exc.reason})") from None
    if len(first) > sanity.MAX_LINE_BYTES:
        raise refuse(shown, 1, None, "is a header longer than 1 MB; expected column titles")
    header = next(csv.reader(io.StringIO(first), delimiter=";"))
    if len(header) > sanity.MAX_COLUMNS:
        raise refuse(shown, 1, None,
                     f"has {len(header):,} columns; expected at most {sanity.MAX_COLUMNS:,} (a "
                     "StatLine download has a few dimensions and measures, or one column per "
                     "place or period)")  # fmt: skip
    return header


def _measure_title(raw: str) -> tuple[str, str | None]:
    """'Bevolking op 1 januari (aantal)' -> ('Bevolking op 1 januari', 'aantal');
    'Onderwijsniveau 5 categorien/11 Basisonderwijs (%)' -> ('Onderwijsniveau 5
    categorien: Basisonderwijs', '%')."""
    m = _UNIT.match(raw.strip())
    title, unit = (m.group("title"), m.group("unit")) if m else (raw.strip(), None)
    parts = [re.sub(r"^\d+\s+", "", p.strip()) for p in title.split("/") if p.strip()]
    title = ": ".join(parts) if parts else title
    return " ".join(title.split()), unit


class _Layout:
    def __init__(self) -> None:
        self.kind = "long"  # long | wide_places | wide_periods
        self.period_col: str | None = None
        self.region_col: str | None = None
        self.dim_cols: list[str] = []
        self.measure_cols: dict[str, str] = {}  # column -> measure key
        self.wide_cols: dict[str, str] = {}  # column -> place code or period label
        self.first_col: str | None = None


def read(det: Detected, mapping: Mapping, names: PlaceNames, table_hint: str | None) -> ParsedFile:
    path = det.path
    shown = str(path)
    header = _header(path, shown)
    rule = mapping.file(path)
    m = _TABLE_ID.search(path.name)
    table_id = (rule.table if rule else None) or table_hint or (m.group(1) if m else None)
    table_id = table_id.lower() if table_id else None
    trule = mapping.table(table_id)
    title = (rule.title if rule else None) or trule.title or path.stem
    table = TableInfo(
        table_id=table_id,
        title=title,
        summary="",
        licence="CC BY 4.0",
        url=f"https://opendata.cbs.nl/#/CBS/nl/dataset/{table_id}" if table_id else None,
        release=None,
        method=(rule.method if rule else None) or trule.method or "register",
        forecast=_forecast(rule, trule, title, path.name),
    )
    layout = _Layout()
    measures: dict[str, MeasureInfo] = {}
    if len(set(header)) != len(header):
        dup = next(h for h in header if header.count(h) > 1)
        raise refuse(shown, 1, dup, "appears twice in the header; expected unique column names")
    for col in header:
        norm = normalise(col)
        title_, unit_text = _measure_title(col)
        if norm in PERIOD_COLUMNS and layout.period_col is None:
            layout.period_col = col
        elif norm in REGION_COLUMNS and layout.region_col is None:
            layout.region_col = col
        elif unit_text is not None or mapping.measure(table_id, None, title_):
            key = title_
            measures[key] = MeasureInfo(key, None, title_, units.parse(unit_text), "")
            layout.measure_cols[col] = key
        elif not layout.measure_cols:
            layout.dim_cols.append(col)
        else:
            raise refuse(shown, 1, col,
                         "has no unit in brackets; expected a measure column such as "
                         "'Bevolking op 1 januari (aantal)' after the dimension columns")  # fmt: skip
    if not layout.measure_cols:
        _wide_layout(layout, header, names, rule, shown, measures)
    elif layout.period_col is None:
        raise refuse(shown, 1, None,
                     f"has no period column; expected one named 'Perioden' (columns: {', '.join(header)})")  # fmt: skip
    parsed = ParsedFile("statline-csv", shown, table, measures, iter(()))
    parsed.place_field = layout.region_col or layout.first_col or "Regio's"
    parsed.period_field = layout.period_col or layout.first_col or "Perioden"
    parsed.value_fields = {key: col for col, key in layout.measure_cols.items()}
    if layout.kind != "long":
        parsed.value_field = next(iter(measures))  # one measure, in every column
    parsed.chunks = _chunks(path, shown, header, layout, names, parsed)
    return parsed


def _forecast(rule, trule, title: str, name: str) -> bool:
    """A forecast (CBS prognoses): a mapping says so, else the title or file name does."""
    for said in (rule.forecast if rule else None, trule.forecast):
        if said is not None:
            return said
    return sanity.is_forecast_title(f"{title} {name}")


def _wide_layout(layout: _Layout, header: list[str], names: PlaceNames, rule, shown: str,
                 measures: dict[str, MeasureInfo]) -> None:  # fmt: skip
    first, rest = header[0], header[1:]
    if not rest:
        raise refuse(shown, 1, None, "has one column; expected ';'-separated columns")
    resolved = names.resolve_all(rest)
    as_periods = {}
    for col in rest:
        try:
            as_periods[col] = periods.from_label(col)
        except periods.PeriodError:
            break
    if all(isinstance(v, str) for v in resolved.values()):
        layout.kind, layout.wide_cols = "wide_places", dict(resolved)
    elif len(as_periods) == len(rest):
        layout.kind, layout.wide_cols = "wide_periods", {c: c for c in rest}
    else:
        bad = next(c for c, v in resolved.items() if not isinstance(v, str))
        raise refuse(shown, 1, bad,
                     "no column names a measure (a title with its unit in brackets, like "
                     "'Bevolking op 1 januari (aantal)'), and the columns are neither all places "
                     f"nor all periods: {_place_problem(bad, resolved[bad])}")  # fmt: skip
    layout.first_col = first
    if not (rule and rule.measure):
        what = "places" if layout.kind == "wide_places" else "periods"
        raise refuse(shown, 1, None,
                     f"its columns are {what} and it does not say which measure it holds; add a "
                     "'files' entry with 'measure' and 'unit' to a mapping file (docs/import.md)")  # fmt: skip
    unit = units.parse({"procent": "%"}.get(rule.unit or "", rule.unit))
    measures[rule.measure] = MeasureInfo(rule.measure, None, rule.measure, unit, "")


def _place_problem(name: str, candidates) -> str:
    if not candidates:
        return f"{name!r} is not a CBS region name; expected a name like 'Leiden' or 'Bergen (NH.)'"
    listed = ", ".join(f"{c.code} ({c.kind})" for c in candidates)
    return f"{name!r} fits several places ({listed}); name the place in the mapping file's place_synonyms"


def _read_chunks(path: Path, shown: str, header: list[str],
                 labels: list[str]) -> Iterator[pd.DataFrame]:  # fmt: skip
    """The file's chunks, indexed by line number. The ``labels`` columns (places, periods,
    dimensions) as categoricals of their text: each distinct label is then looked at once
    per chunk, not once per row (not read_csv's own "category": it makes numbers of labels
    like '2019'). The other columns hold values: numbers where every cell of the chunk is
    one (the CSV parser converts them fast), else text."""
    for chunk in csvfile.chunks(
        path, shown, CHUNK_ROWS, sep=";", dtype=dict.fromkeys(labels, object),
        keep_default_na=False, na_filter=False, header=0, names=header, quotechar='"',
    ):  # fmt: skip
        for c in labels:
            codes, uniques = pd.factorize(chunk[c].to_numpy())
            chunk[c] = pd.Categorical.from_codes(codes, pd.Index(uniques, dtype=object),
                                                 validate=False)  # fmt: skip
        yield chunk


def _first_lines(labels: pd.Series) -> list[tuple[int, str]]:
    """(line, label) of each distinct label of a categorical column, where it first occurs."""
    codes = labels.cat.codes.to_numpy()
    present, first = np.unique(codes, return_index=True)
    cats = labels.cat.categories
    return [(int(labels.index[f]), cats[c]) for c, f in zip(present.tolist(), first.tolist(),
                                                           strict=True) if c >= 0]  # fmt: skip


def recode(labels: pd.Series, mapping: dict) -> pd.Series:
    """A categorical column with each label replaced by ``mapping[label]`` (None: missing),
    still categorical: the work is per distinct label."""
    targets = [mapping.get(c) for c in labels.cat.categories]
    uniques = list(dict.fromkeys(t for t in targets if t is not None))
    position = {t: i for i, t in enumerate(uniques)}
    lookup = np.array([*(position[t] if t is not None else -1 for t in targets), -1],
                      dtype=np.int32)  # fmt: skip
    codes = lookup[labels.cat.codes.to_numpy()]  # code -1 takes the last: missing
    return pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype=object)),
                     index=labels.index)  # fmt: skip


def constant(value, index: pd.Index) -> pd.Series:
    """The same value on every row, as a categorical column (None: missing throughout)."""
    codes = np.zeros(len(index), dtype=np.int8) - (value is None)
    cats = pd.Index([] if value is None else [value], dtype=object)
    return pd.Series(pd.Categorical.from_codes(codes, categories=cats), index=index)


def _values(cells: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(value or NaN, missing reason or None, bad mask). Clean numbers take the fast path
    (read as numbers by the CSV parser already); only the other cells are looked at as
    text (decimal comma, '.', empty, 'x')."""
    if cells.dtype.kind in "iuf":  # every cell of the chunk parsed as a number
        numbers = cells.astype("float64")
        return numbers, pd.Series(None, index=cells.index, dtype=object), numbers.isna()
    try:  # a column of clean numbers (the usual case) converts at once
        numbers = cells.astype("float64")
    except (ValueError, TypeError):
        numbers = pd.to_numeric(cells, errors="coerce")
    reason = pd.Series(None, index=cells.index, dtype=object)
    rest = numbers.isna()
    if rest.any():
        text = cells[rest].str.strip()
        fixed = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
        numbers = numbers.astype("float64")
        numbers[rest] = fixed
        t = text[fixed.isna()]
        reason[t.index[(t == "").to_numpy()]] = "Impossible"
        reason[t.index[(t == ".").to_numpy()]] = UNKNOWN_OR_SECRET
        reason[t.index[(t.str.lower() == "x").to_numpy()]] = "Confidential"
    bad = numbers.isna() & reason.isna()
    return numbers, reason, bad


def _chunks(path: Path, shown: str, header: list[str], layout: _Layout, names: PlaceNames,
            parsed: ParsedFile) -> Iterator[pd.DataFrame]:  # fmt: skip
    problems = Problems()
    period_map: dict[str, str | None] = {}  # label as printed -> period
    status_map: dict[str, str | None] = {}
    place_map: dict[str, str | None] = {}
    breakdown_map: dict[tuple, str | None] = {}

    def learn_periods(labels: list[tuple[int, str]], col: str) -> None:
        for line, label in labels:
            if label not in period_map:
                try:
                    period_map[label], status_map[label] = periods.from_label(label)
                except periods.PeriodError as exc:
                    period_map[label] = status_map[label] = None
                    problems.add(DataError(shown, int(line), col, str(exc)))

    def learn_places(labels: list[tuple[int, str]], col: str) -> None:
        new = [(line, n) for line, n in labels if n not in place_map]
        got = names.resolve_all(n.strip() for _, n in new)
        for line, name in new:
            code = got[name.strip()]
            place_map[name] = code if isinstance(code, str) else None
            if not isinstance(code, str):
                problems.add(DataError(shown, int(line), col, _place_problem(name.strip(), code)))

    def breakdowns(chunk: pd.DataFrame, index: pd.RangeIndex) -> pd.Series:
        if not layout.dim_cols:
            return constant(None, index)
        dims = [chunk[c] for c in layout.dim_cols]
        sizes = [len(d.cat.categories) + 1 for d in dims]
        combined = np.zeros(len(index), dtype=np.int64)
        for d, size in zip(dims, sizes, strict=True):  # one number per combination of labels
            combined = combined * size + (d.cat.codes.to_numpy().astype(np.int64) + 1)
        present, first, inverse = np.unique(combined, return_index=True, return_inverse=True)
        ids = []
        for f in first.tolist():
            labels = tuple(d.iat[f] for d in dims)
            if labels not in breakdown_map:
                breakdown_map[labels] = _breakdown_id(labels, layout.dim_cols, parsed)
            ids.append(breakdown_map[labels])
        as_labels = pd.Series(pd.Categorical.from_codes(inverse.reshape(-1), categories=range(len(ids))),
                              index=index)  # fmt: skip
        return recode(as_labels, dict(enumerate(ids)))

    labels = ([*layout.dim_cols, layout.period_col, layout.region_col] if layout.kind == "long"
              else [layout.first_col])  # fmt: skip
    for chunk in _read_chunks(path, shown, header, [c for c in labels if c is not None]):
        lines = chunk.index
        if lines[0] == 2 and layout.kind == "long":
            _check_dimensions(chunk, layout, shown)
        frames = []
        key = next(iter(parsed.measures))
        if layout.kind == "long":
            breakdown = breakdowns(chunk, lines)
            per = chunk[layout.period_col]
            learn_periods(_first_lines(per), layout.period_col)
            if layout.region_col:
                learn_places(_first_lines(chunk[layout.region_col]), layout.region_col)
                place = recode(chunk[layout.region_col], place_map)
            else:
                place = constant(NATIONAL, lines)
            period, status = recode(per, period_map), recode(per, status_map)
            for col, key in layout.measure_cols.items():
                frames.append(_frame(chunk[col], col, key, place, period, status, breakdown,
                                     problems, shown))  # fmt: skip
        else:
            first = chunk[layout.first_col]
            breakdown = constant(None, lines)
            if layout.kind == "wide_places":
                learn_periods(_first_lines(first), layout.first_col)
                period, status = recode(first, period_map), recode(first, status_map)
            else:
                learn_places(_first_lines(first), layout.first_col)
                place = recode(first, place_map)
                learn_periods([(1, c) for c in layout.wide_cols], "")
            for col, target in layout.wide_cols.items():
                if layout.kind == "wide_places":
                    place = constant(target, lines)
                else:
                    period = constant(period_map[target], lines)
                    status = constant(status_map[target], lines)
                frames.append(_frame(chunk[col], col, key, place, period, status, breakdown,
                                     problems, shown))  # fmt: skip
        problems.raise_if_any()
        out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        if len(out):
            yield out
    problems.raise_if_any()


def _breakdown_id(labels: tuple[str, ...], dim_cols: list[str], parsed: ParsedFile) -> str | None:
    parts = [(slug(col), label.strip()) for col, label in zip(dim_cols, labels, strict=True)
             if label.strip() and not normalise(label).startswith("totaal")]  # fmt: skip
    return register_breakdown(parsed, parts)


def _check_dimensions(chunk: pd.DataFrame, layout: _Layout, shown: str) -> None:
    """A dimension column full of numbers is a measure column whose title lost its unit."""
    for col in layout.dim_cols:
        cells = pd.Series(chunk[col].cat.categories, dtype=object).str.strip()  # distinct labels
        filled = cells[(cells != "") & (cells != ".")]
        numeric = pd.to_numeric(filled.str.replace(",", ".", regex=False), errors="coerce")
        if len(filled) and numeric.notna().all():
            raise refuse(shown, 1, col,
                         "holds numbers; expected a measure title with its unit in brackets, "
                         "like 'Bevolking op 1 januari (aantal)'")  # fmt: skip


def _frame(cells: pd.Series, col: str, key: str, place: pd.Series, period: pd.Series,
           status: pd.Series, breakdown: pd.Series, problems: Problems, shown: str) -> pd.DataFrame:  # fmt: skip
    numbers, reason, bad = _values(cells)
    for line in bad[bad].index[:5]:
        problems.add(DataError(shown, int(line), col, f"is {cells[line]!r}; {EXPECTED_NUMBER}"))
    infinite = np.isinf(numbers.to_numpy(dtype="float64"))  # '1e400', 'inf', '-Infinity'
    for line in cells.index[infinite][:5]:
        problems.add(DataError(shown, int(line), col, sanity.non_finite_message(cells[line])))
    ok = ((period.cat.codes >= 0) & (place.cat.codes >= 0)).to_numpy()
    frame = pd.DataFrame({
        "ref": cells.index.to_numpy(dtype="int64"),
        "measure": constant(key, cells.index).array,
        "place": place.array,
        "period": period.array,
        "breakdown": breakdown.array,
        "value": numbers.to_numpy(dtype="float64"),
        "status": status.array,
        "missing_reason": reason.to_numpy(),
        "value_text": None,
    }, copy=False)  # fmt: skip
    assert tuple(frame.columns) == OBSERVATION_COLUMNS
    return frame[ok] if not ok.all() else frame
