"""What an import refuses because it cannot be true, and the bounds on what it reads.

- A value that is not a finite number (``1e400``, ``inf``, ``nan`` written out).
- A negative value of a count of people, jobs or businesses (unit ``aantal``, not a
  balance, change or growth): see ``never_negative``.
- A period that begins after the file's own release or capture date (CBS's Properties
  dates for OData; the day of the import for CSV files, which carry no date): a figure
  cannot have been measured before its period began. Unless the table is a forecast
  (CBS's *prognoses*: the title says so, or a mapping file's ``forecast: true``): then
  those periods get the status ``prognose``, so that an answer never presents them as
  the latest measured figure.
- Reading: a CSV line longer than MAX_LINE_BYTES is refused with its line number before
  it is read whole (``LineGuard``); JSON is refused past MAX_JSON_OBJECT characters per
  observation, MAX_JSON_FILE bytes per metadata file or a nesting deeper than Python's
  parser goes.

``check_chunk`` runs in the import's one loop (econ071.importing.load), which every
reader and the CBS sync go through: the checks cannot be bypassed by a new reader.
"""

from __future__ import annotations

import io
import re
import sqlite3
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from econ071.core.errors import DataError
from econ071.core.periods import bounds
from econ071.core.plausible import never_negative, non_finite_message
from econ071.importing.errors import Problems, refuse
from econ071.store.schema import FORECAST_STATUS

MAX_LINE_BYTES = 1 << 20  # 1 MiB: a CBS row is a few hundred bytes
MAX_COLUMNS = 5000  # of a StatLine CSV: all municipalities or months as columns fit
BLOCK = 1 << 16  # bytes handed to the CSV parser at a time (LineGuard)
CHUNK_BYTES = 32 << 20  # text the CSV parser holds for one chunk, about (csvfile.chunks) …
CHUNK_BYTES_MAX = 128 << 20  # … and at most, when lines grow long half way through a file
MAX_JSON_OBJECT = 1 << 20  # characters of one observation
MAX_JSON_FILE = 64 << 20  # bytes of a metadata file (Properties, …Codes): CBS's are < 5 MB
FORECAST = FORECAST_STATUS  # the status of a forecast table's future periods
_FORECAST_TITLE = re.compile(r"\bprogno|\braming|\bprojectie|\bverwachting", re.IGNORECASE)


def is_forecast_title(text: str) -> bool:
    return bool(_FORECAST_TITLE.search(text or ""))


def nesting_refusal(shown: str, line: int | None = None):
    return refuse(shown, line, None,
                  "is nested too deeply to be CBS data; expected observations of plain "
                  "values (the file may be damaged or made on purpose)")  # fmt: skip


class Checks:
    """The per-row checks of one import (see the module's doc). ``counts``: the measures
    (of a CBS file) or indicators (of a tidy file) that are counts, never negative."""

    def __init__(self, parsed, reference_day: str, where: str, forecast: bool,
                 counts: set[str]) -> None:  # fmt: skip
        self.file = parsed.file
        self.reference_day = reference_day  # ISO date: no period may begin after it …
        self.forecast = forecast  # … unless the table forecasts
        self.where = where  # what the date is, for messages
        self.period_field = parsed.period_field
        self.value_field, self.value_fields = parsed.value_field, parsed.value_fields
        self.counts = counts
        self.problems = Problems()
        self._future: dict[str, bool] = {}

    def observations(self, chunk: pd.DataFrame) -> pd.DataFrame:
        """A CBS reader's chunk (model.OBSERVATION_COLUMNS), checked; a forecast's future
        periods marked."""
        refs = chunk["ref"].to_numpy()
        measures = chunk["measure"].to_numpy(dtype=object)
        counts = pd.Series(measures).isin(self.counts).to_numpy()
        self.values(refs, chunk["value"],
                    lambda i: self.value_fields.get(measures[i], self.value_field), counts)  # fmt: skip
        status = self.periods(refs, chunk["period"], _forecast_status(chunk["status"]))
        self.raise_if_any()
        if status is not chunk["status"]:
            chunk = chunk.assign(status=status)
        return chunk

    def figures(self, frame: pd.DataFrame) -> None:
        """A tidy CSV chunk (model.STAGE_COLUMNS), checked."""
        refs = frame["ref"].to_numpy()
        counts = frame["indicator"].isin(self.counts).to_numpy()
        for field in ("value", "low", "high"):
            self.values(refs, frame[field], lambda i, f=field: f, counts)
        self.periods(refs, frame["period"], None)
        self.raise_if_any()

    def future(self, period) -> bool:
        if not isinstance(period, str) or not period:
            return False
        hit = self._future.get(period)
        if hit is None:
            hit = self._future[period] = bounds(period)[0] > self.reference_day
        return hit

    def values(self, refs, values, field_of, never_negative_mask) -> None:
        """Non-finite values and negative counts. ``field_of(i)``: the field of row i."""
        values = np.asarray(values, dtype="float64")
        infinite = np.isinf(values)
        for i in np.flatnonzero(infinite)[:5].tolist():
            self.problems.add(DataError(self.file, _ref(refs[i]), field_of(i),
                                        non_finite_message(float(values[i]))))  # fmt: skip
        negative = never_negative_mask & (values < 0)
        for i in np.flatnonzero(negative)[:5].tolist():
            self.problems.add(DataError(
                self.file, _ref(refs[i]), field_of(i),
                f"is {_number(values[i])}, a negative count; expected a number of people, jobs "
                "or businesses of at least 0 (a balance or change needs a title that says so, "
                "e.g. 'saldo', or a mapping with another unit)",
            ))  # fmt: skip

    def periods(self, refs, periods, status):
        """Refuse periods after the reference day; in a forecast, mark them. Returns the
        status column (changed only for a forecast's future periods)."""
        labels = pd.Series(periods, copy=False)
        codes, uniques = pd.factorize(labels.to_numpy(dtype=object))
        later = np.array([self.future(u) for u in uniques.tolist()] + [False], dtype=bool)
        mask = later[codes]  # code -1 (no period) takes the last: False
        if status is not None and mask.any():  # CBS marked them as a forecast itself
            mask &= np.asarray(status, dtype=object) != FORECAST
        if not mask.any():
            return status
        if self.forecast:
            current = (np.asarray(status, dtype=object) if status is not None
                       else np.full(len(mask), None, dtype=object))  # fmt: skip
            return np.where(mask, FORECAST, current)
        for u in [u for u in uniques.tolist() if self.future(u)][:5]:
            i = int(np.flatnonzero(labels.to_numpy(dtype=object) == u)[0])
            self.problems.add(DataError(
                self.file, _ref(refs[i]), self.period_field,
                f"is {u}, which begins after {self.where} ({self.reference_day}); expected "
                "periods that have begun. A forecast table is marked 'forecast: true' in a "
                "mapping file (docs/import.md)",
            ))  # fmt: skip
        return status

    def raise_if_any(self) -> None:
        self.problems.raise_if_any()


def for_import(conn: sqlite3.Connection, parsed, plans: list, maps) -> Checks:
    """The checks of one import: its reference date (CBS's release date; else, for an
    OData folder, its files' modification date; else the day of the import), whether it
    forecasts, and which of its measures are counts."""
    day, where = parsed.table.released, "the table's release date (Properties)"
    if day is None and parsed.format == "cbs-odata-v4":
        folder = Path(parsed.file)
        stamps = [p.stat().st_mtime for p in folder.iterdir() if p.is_file()]
        if stamps:
            day = date.fromtimestamp(max(stamps)).isoformat()
            where = "the date its files were last modified (Properties gives none)"
    if day is None:
        day, where = today(), "today, the day of this import (the file carries no date)"
    said = maps.table(parsed.table.table_id).forecast
    forecast = parsed.table.forecast if said is None else said
    if parsed.tidy:
        counts = {i for i, unit, label in conn.execute("SELECT id, unit, label FROM indicators")
                  if never_negative(unit, f"{i} {label}")}  # fmt: skip
    else:
        counts = {p.measure for p in plans if never_negative(
            p.unit, f"{parsed.measures[p.measure].title} {p.label}")}  # fmt: skip
    return Checks(parsed, day, where, forecast, counts)


def _forecast_status(status):
    """CBS's own word for a forecast period ('Prognose') as the store's status."""
    labels = pd.Series(status, copy=False)
    if labels.dtype == object or isinstance(labels.dtype, pd.CategoricalDtype):
        text = labels.astype(object).where(labels.notna(), "").astype(str).str.lower()
        marked = text.str.startswith("progno").to_numpy()
        if marked.any():
            return np.where(marked, FORECAST, labels.to_numpy(dtype=object))
    return status


def _ref(ref):
    return int(ref) if isinstance(ref, np.integer) else ref


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def today() -> str:
    return date.today().isoformat()


class LineGuard(io.RawIOBase):
    """A binary file that refuses to hand on a line longer than MAX_LINE_BYTES: the CSV
    parser never holds more than that of one line. Counts lines as it goes."""

    def __init__(self, raw, shown: str, limit: int = MAX_LINE_BYTES) -> None:
        self.raw, self.shown, self.limit = raw, shown, limit
        self.line = 1  # the line being read (1-based)
        self.since = 0  # bytes since the last newline
        self.read = 0  # bytes read in all
        self.budget: int | None = None  # refuse to read past this many bytes (chunk_rows)
        self.budget_line = 1
        self.budget_start = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        view = memoryview(buffer).cast("B")[:BLOCK]  # a line within a block is short
        n = self.raw.readinto(view)
        if not n:
            return n
        self.read += n
        if self.budget is not None and self.read > self.budget:
            raise refuse(self.shown, self.line, None,
                         f"ends more than {(self.budget - self.budget_start) >> 20} MB after "
                         f"line {self.budget_line}: the lines grew far longer than before; "
                         "expected CSV rows of a few hundred bytes (is this file damaged?)")  # fmt: skip
        block = view[:n].tobytes()
        first = block.find(b"\n")
        if first < 0:
            self.since += n
        else:
            if self.since + first > self.limit:
                raise self._refusal()
            self.line += block.count(b"\n")
            self.since = n - block.rfind(b"\n") - 1
        if self.since > self.limit:
            raise self._refusal()
        return n

    def _refusal(self):
        return refuse(self.shown, self.line, None,
                      f"is longer than {self.limit // (1 << 20)} MB without a line break; "
                      "expected CSV lines of a few hundred bytes (is this file damaged, or "
                      "not a CSV file?)")  # fmt: skip

    def close(self) -> None:
        self.raw.close()
        super().close()


def guarded_csv(path, shown: str) -> tuple[io.BufferedReader, LineGuard]:
    """The file at ``path`` for pandas, through a LineGuard (blocks of 64 KiB)."""
    raw = open(path, "rb", buffering=0)  # noqa: SIM115 (closed by the reader)
    guard = LineGuard(raw, shown)
    return io.BufferedReader(guard, buffer_size=BLOCK), guard
