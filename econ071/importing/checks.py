"""What an import checks against the store before it writes: region lifetimes, references, releases."""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd

from econ071.core.errors import DataError
from econ071.core.periods import bounds
from econ071.importing.errors import Problems, refuse
from econ071.importing.model import ParsedFile
from econ071.store import regions as store_regions


def _check_lifetimes(frame, lifetimes: dict, parsed: ParsedFile) -> None:
    """A value for a municipality after it ceased to exist cannot be CBS's: such rows are
    added by hand somewhere on the way (e.g. Molenwaard in 2019, dissolved on 1 January).
    ``frame``: a DataFrame or a dict of columns (STAGE_COLUMNS)."""
    place = pd.Series(frame["place"], copy=False)
    period = pd.Series(frame["period"], copy=False)
    value = np.asarray(frame["value"], dtype="float64")
    mask = place.isin(list(lifetimes)).to_numpy() & ~np.isnan(value) & period.notna().to_numpy()
    if not mask.any():
        return
    problems = Problems()
    refs = np.asarray(frame["ref"])[mask]
    places, periods = place.to_numpy()[mask], period.to_numpy()[mask]
    first_days = {p: bounds(p)[0] for p in set(periods.tolist())}
    for ref, place_, period_ in zip(refs.tolist(), places.tolist(), periods.tolist(), strict=True):
        region = lifetimes[place_]
        if not region.can_have_figures(first_days[period_]):
            problems.add(DataError(
                parsed.file, ref, parsed.place_field,
                f"{region.name} ({place_}) has a value for {period_}, but it {_ended(region)};"
                " expected no value (was the row added by hand?)",
            ))  # fmt: skip
    problems.raise_if_any()


def _ended(region: store_regions.Region) -> str:
    day = f"{region.end[8:10]}-{region.end[5:7]}-{region.end[:4]}"
    if region.renamed:
        return f"was renamed on {day}" + (f" to {region.successor}" if region.successor else "")
    return f"was dissolved on {day}" + (f" into {region.successor}" if region.successor else "")


_REFERENCES = (("indicator", "indicators", "id"), ("place", "places", "code"),
               ("breakdown", "breakdowns", "id"), ("source", "sources", "id"))  # fmt: skip


def _check_references(conn: sqlite3.Connection, file: str, seen: dict[str, set]) -> None:
    """Every staged figure points to catalog rows that exist (what the foreign keys say)."""
    for column, table, key in _REFERENCES:
        known = {r[0] for r in conn.execute(f"SELECT {key} FROM {table}")}  # noqa: S608
        missing = sorted(seen[column] - known)
        if missing:
            raise refuse(file, None, column, f"{missing[0]!r} is not in the catalog's {table}")


def _check_release(conn: sqlite3.Connection, parsed: ParsedFile) -> None:
    row = conn.execute(
        "SELECT d.release, i.imported_at FROM import_details d JOIN imports i"
        " ON i.id = d.import_id WHERE i.table_id = ? AND d.release IS NOT NULL"
        " ORDER BY d.release DESC LIMIT 1",
        (parsed.table.table_id,),
    ).fetchone()
    if row and row[0] > parsed.table.release:
        raise refuse(parsed.file, None, "Properties",
                     f"is release {parsed.table.release} of {parsed.table.table_id}; the store "
                     f"already has the newer release {row[0]} (imported {row[1][:10]}); expected "
                     "that release or a newer one")  # fmt: skip
