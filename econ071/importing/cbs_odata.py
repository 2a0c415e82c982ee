"""CBS open data, OData v4 (``datasets.cbs.nl/odata/v1/CBS/{table}``): a folder with one
JSON file per entity set — Observations (one or more pages), MeasureCodes, Dimensions, a
``{Dimension}Codes`` list per dimension, Properties and optionally MeasureGroups.

Observations are read one at a time (see jsonstream) and handed on in chunks, so a table
of any size is read in bounded memory. Every observation is checked: its measure, its
region and period codes must be in the table's own code lists, its value a number or null.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator

import pandas as pd

from econ071.core.errors import DataError
from econ071.core.places import NATIONAL
from econ071.importing import periods, sanity, units
from econ071.importing.detect import Detected
from econ071.importing.errors import Problems, refuse
from econ071.importing.jsonstream import iter_value_array
from econ071.importing.model import (
    CHUNK_ROWS,
    OBSERVATION_COLUMNS,
    BreakdownInfo,
    MeasureInfo,
    ParsedFile,
    TableInfo,
)
from econ071.store import regions as store_regions
from econ071.store.catalog import normalise

_SURVEY = re.compile(r"enqu[eê]te|steekproef|\bEBB\b", re.IGNORECASE)


def period_status(status: object) -> str | None:
    """CBS's status of a period as the store keeps it: 'Voorlopig' -> 'voorlopig',
    'NaderVoorlopig' -> 'nader voorlopig', 'Definitief' -> 'definitief'."""
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", str(status or "").strip())
    return text.lower() or None


def _entity(det: Detected, name: str, required: bool = True) -> dict | None:
    paths = det.entities.get(name)
    if not paths:
        if required:
            raise refuse(str(det.path), None, None,
                         f"has no file whose @odata.context ends in #{name}; expected one")  # fmt: skip
        return None
    path = paths[0]
    size = path.stat().st_size
    if size > sanity.MAX_JSON_FILE:
        raise refuse(str(path), None, None,
                     f"is {size // (1 << 20)} MB; expected CBS metadata of at most "
                     f"{sanity.MAX_JSON_FILE // (1 << 20)} MB (is this the right file?)")  # fmt: skip
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except RecursionError:
        raise sanity.nesting_refusal(str(path)) from None
    except json.JSONDecodeError as exc:
        raise refuse(str(path), exc.lineno, None,
                     f"is not valid JSON ({exc.msg}); the file may be truncated") from None  # fmt: skip
    except UnicodeDecodeError as exc:
        raise refuse(str(path), None, None, f"is not UTF-8 ({exc.reason})") from None
    except ValueError as exc:  # a number of thousands of digits
        raise refuse(str(path), None, None, f"holds a number too long ({exc})") from None


def _values(det: Detected, name: str, required: bool = True) -> list[dict]:
    doc = _entity(det, name, required)
    if doc is None:
        return []
    items = doc.get("value")
    if not isinstance(items, list):
        raise refuse(str(det.entities[name][0]), None, "value", "is missing; expected a list")
    return items


def _licence(url: str | None) -> str:
    if url and "by/4.0" in url:
        return "CC BY 4.0"
    return url or "CC BY 4.0"


def table_info(props: dict, table_id: str, method: str | None) -> TableInfo:
    title = " ".join(str(props.get("Title") or table_id).split())
    summary = str(props.get("Description") or "").replace("\r\n", "\n").split("\n\n")[0].strip()
    url = next(
        (d.get("DownloadUrl") for d in props.get("Distributions") or []
         if str(d.get("Format", "")).lower() == "odata"),
        None,
    ) or f"https://opendata.cbs.nl/#/CBS/nl/dataset/{table_id}"  # fmt: skip
    long = str(props.get("LongDescription") or "") + " " + str(props.get("Description") or "")
    return TableInfo(
        table_id=str(props.get("Identifier") or table_id),
        title=title,
        summary=summary,
        licence=_licence(props.get("License")),
        url=url,
        release=str(props.get("Version") or props.get("Modified") or "") or None,
        method=method or ("survey" if _SURVEY.search(long) else "register"),
        released=released(props),
        forecast=sanity.is_forecast_title(f"{title} {summary}"),
    )


_DATE = re.compile(r"^\d{4}-\d\d-\d\d")


def released(props: dict) -> str | None:
    """The latest date CBS gives for this release of the table (ISO), if any."""
    dates = [str(props.get(k) or "")[:10] for k in
             ("Modified", "ReleaseDate", "ModificationDate", "ObservationsModified")]  # fmt: skip
    dates = [d for d in dates if _DATE.match(d)]
    return max(dates) if dates else None


def _measures(items: list[dict], groups: list[dict]) -> dict[str, MeasureInfo]:
    group_titles = {str(g.get("Id")): " ".join(str(g.get("Title") or "").split()) for g in groups}
    raw = []
    for m in items:
        code = str(m.get("Identifier") or "").strip()
        if not code:
            continue
        title = " ".join(str(m.get("Title") or code).split())
        group = group_titles.get(str(m.get("MeasureGroupId")))
        if group:
            title = f"{group}: {title[:1].lower()}{title[1:]}"
        unit = units.parse(m.get("Unit"))
        description = str(m.get("Description") or "").replace("\r\n", "\n").strip()
        absolute = str(m.get("PresentationType") or "Absolute") == "Absolute"
        raw.append((code, title, unit, description, absolute))
    counts: dict[str, int] = {}
    for _, title, *_ in raw:
        counts[normalise(title)] = counts.get(normalise(title), 0) + 1
    out = {}
    for code, title, unit, description, absolute in raw:
        if counts[normalise(title)] > 1:  # 'Seizoengecorrigeerd' seven times: keep them apart
            title = f"{title} ({code})"
        out[code] = MeasureInfo(code, code, title, unit, description, absolute)
    return out


def slug(text: str) -> str:
    return normalise(text).replace(" ", "_").replace("+", "plus")[:48].strip("_") or "x"


class _Dimension:
    """A non-geographic, non-time dimension: its first code is the total (no breakdown)."""

    def __init__(self, identifier: str, title: str, codes: list[dict]):
        self.identifier = identifier
        self.slug = slug(title or identifier)
        ordered = sorted(codes, key=lambda c: c.get("Index") or 0)
        self.total = str(ordered[0].get("Identifier")) if ordered else None
        self.titles = {str(c.get("Identifier")): " ".join(str(c.get("Title") or "").split())
                       for c in codes}  # fmt: skip


def read(det: Detected, method: str | None = None) -> ParsedFile:
    folder = str(det.path)
    props = _entity(det, "Properties") or {}
    table = table_info(props, det.table_id or "", method)
    measures = _measures(_values(det, "MeasureCodes"), _values(det, "MeasureGroups", False))
    dims = _values(det, "Dimensions")
    geo = time = None
    others: list[_Dimension] = []
    for d in dims:
        ident = str(d.get("Identifier") or "")
        kind = str(d.get("Kind") or "")
        if kind == "GeoDimension" or (ident == "RegioS" and geo is None):
            geo = ident
        elif kind == "TimeDimension" or (ident == "Perioden" and time is None):
            time = ident
        else:
            others.append(
                _Dimension(ident, str(d.get("Title") or ident), _values(det, f"{ident}Codes"))
            )
    if time is None:
        raise refuse(folder, None, "Dimensions", "has no time dimension; expected Perioden")
    period_codes = {str(c.get("Identifier")): c for c in _values(det, f"{time}Codes")}
    region_list = store_regions.from_codes(_values(det, f"{geo}Codes")) if geo else {}
    geo_codes = {str(c.get("Identifier")) for c in _values(det, f"{geo}Codes")} if geo else set()
    parsed = ParsedFile("cbs-odata-v4", folder, table, measures, iter(()), checks_lifetime=False)
    parsed.period_field = time
    parsed.chunks = _chunks(det, parsed, geo, time, others, period_codes, region_list, geo_codes)
    return parsed


def _chunks(det: Detected, parsed: ParsedFile, geo: str | None, time: str,
            others: list[_Dimension], period_codes: dict[str, dict],
            region_list: dict[str, store_regions.Region], geo_codes: set[str]) -> Iterator[pd.DataFrame]:  # fmt: skip
    problems = Problems()
    period_cache: dict[str, tuple[str, str | None]] = {}
    breakdown_cache: dict[tuple, str | None] = {}
    required = [
        "Id",
        "Measure",
        "Value",
        *([geo] if geo else []),
        time,
        *(d.identifier for d in others),
    ]
    columns: dict[str, list] = {c: [] for c in OBSERVATION_COLUMNS}
    for path in det.entities["Observations"]:
        shown = str(path)
        for obs in iter_value_array(path, shown):
            ref = f"observation Id {obs.get('Id', '?')}"
            missing = [k for k in required if k not in obs]
            if missing:
                problems.add(DataError(shown, ref, missing[0],
                                       f"is missing; expected the fields {', '.join(required)}"))  # fmt: skip
                continue
            measure = str(obs["Measure"])
            if measure not in parsed.measures:
                problems.add(DataError(shown, ref, "Measure",
                                       f"is {measure!r}; not in the table's MeasureCodes"))  # fmt: skip
                continue
            if geo:
                place = str(obs[geo])
                region = region_list.get(place)
                if region is None:
                    what = "not a region level the store knows (GM, PV, CR, LD, NL, AM)" if place in geo_codes else f"not in the table's {geo}Codes"  # fmt: skip
                    problems.add(DataError(shown, ref, geo, f"is {place!r}; {what}"))
                    continue
                parsed.regions.setdefault(place, region)
            else:
                place = NATIONAL
            code = str(obs[time])
            if code not in period_cache:
                if code not in period_codes:
                    problems.add(
                        DataError(shown, ref, time, f"is {code!r}; not in the table's {time}Codes")
                    )
                    continue
                try:
                    status = period_status(period_codes[code].get("Status"))
                    period_cache[code] = (periods.from_code(code), status)
                except periods.PeriodError as exc:
                    problems.add(DataError(shown, ref, time, str(exc)))
                    continue
            period, status = period_cache[code]
            key = tuple(str(obs[d.identifier]) for d in others)
            if key not in breakdown_cache:
                breakdown_cache[key] = _breakdown(parsed, others, key, shown, ref, problems)
            breakdown = breakdown_cache[key]
            if breakdown == "":
                continue
            value = obs["Value"]
            attribute = str(obs.get("ValueAttribute") or "None")
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float)
            ):
                problems.add(
                    DataError(shown, ref, "Value", f"is {value!r}; expected a number or null")
                )
                continue
            if isinstance(value, int) and abs(value) > 1e300:  # 10**400: no float holds it
                value = float("inf") if value > 0 else float("-inf")
            if isinstance(value, float) and not math.isfinite(value):  # 1e400, NaN, Infinity
                problems.add(DataError(shown, ref, "Value", sanity.non_finite_message(value)))
                continue
            columns["ref"].append(ref)
            columns["measure"].append(measure)
            columns["place"].append(place)
            columns["period"].append(period)
            columns["breakdown"].append(breakdown)
            columns["value"].append(None if value is None else float(value))
            columns["status"].append(status)
            columns["missing_reason"].append(
                (attribute if attribute != "None" else None) if value is None else None
            )
            columns["value_text"].append(None)
            if len(columns["ref"]) >= CHUNK_ROWS:
                problems.raise_if_any()
                yield pd.DataFrame(columns)
                columns = {c: [] for c in OBSERVATION_COLUMNS}
    problems.raise_if_any()
    if columns["ref"]:
        yield pd.DataFrame(columns)


def _breakdown(parsed: ParsedFile, others: list[_Dimension], key: tuple, shown: str, ref: str,
               problems: Problems) -> str | None:  # fmt: skip
    """None for the total of every dimension; else the id of a (combined) breakdown;
    '' when a code is unknown (the problem is recorded)."""
    parts = []
    for dim, code in zip(others, key, strict=True):
        if code not in dim.titles:
            problems.add(DataError(shown, ref, dim.identifier,
                                   f"is {code!r}; not in the table's {dim.identifier}Codes"))  # fmt: skip
            return ""
        if code != dim.total:
            parts.append((dim.slug, dim.titles[code] or code))
    return register_breakdown(parsed, parts)


def register_breakdown(parsed: ParsedFile, parts: list[tuple[str, str]]) -> str | None:
    """The breakdown of one figure from its (dimension slug, category label) parts, added
    to the file's breakdowns; None when every dimension is at its total."""
    if not parts:
        return None
    dimension = "_".join(p[0] for p in parts)
    label = ", ".join(p[1] for p in parts)
    bd_id = f"{dimension}:{slug(label)}"
    parsed.breakdowns.setdefault(bd_id, BreakdownInfo(bd_id, dimension, label))
    return bd_id
