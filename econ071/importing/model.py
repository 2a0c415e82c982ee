"""What a reader hands to the loader: the table, its measures, and the observations in
chunks of a bounded number of rows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from econ071.importing.units import Unit
from econ071.store.regions import Region

if TYPE_CHECKING:
    import pandas as pd

CHUNK_ROWS = 100_000

# Columns of an observation chunk from a CBS reader. ``ref`` is what an error message
# names: the line number (int) or "observation Id 123".
OBSERVATION_COLUMNS = (
    "ref", "measure", "place", "period", "breakdown", "value", "status", "missing_reason",
    "value_text",
)  # fmt: skip

# Columns of the staging table (and of a tidy CSV chunk): a figure row, plus ``ref``.
STAGE_COLUMNS = (
    "ref", "indicator", "place", "period", "breakdown", "value", "low", "high", "qualifier",
    "value_text", "source", "chapter", "ref_date", "note", "status", "missing_reason",
)  # fmt: skip

# Dutch wording of the StatLine symbols for a missing value, kept as CBS's reason.
UNKNOWN_OR_SECRET = "onbekend, onvoldoende betrouwbaar of geheim"


@dataclass(frozen=True)
class TableInfo:
    table_id: str | None  # '03759ned'; None when the file does not say and no one told us
    title: str
    summary: str  # the table's description (first paragraph)
    licence: str
    url: str | None
    release: str | None  # CBS's Version/Modified of this release, when known
    method: str  # register | survey | … (econ071.store.schema.SOURCE_METHODS)
    released: str | None = None  # ISO date of the release (Properties), when known
    forecast: bool = False  # a forecast table (CBS prognoses): see importing/sanity.py


@dataclass(frozen=True)
class MeasureInfo:
    key: str  # what observations name it by: the code (OData) or the column title (CSV)
    code: str | None
    title: str
    unit: Unit
    description: str
    absolute: bool = True  # CBS PresentationType 'Absolute' (a count, not a share)


@dataclass(frozen=True)
class BreakdownInfo:
    id: str
    dimension: str
    label: str


@dataclass
class ParsedFile:
    """A CBS file (or folder) being read. ``chunks`` is consumed once; ``regions`` and
    ``breakdowns`` are complete only after that."""

    format: str
    file: str  # as named in messages
    table: TableInfo
    measures: dict[str, MeasureInfo]
    chunks: Iterator[pd.DataFrame]
    regions: dict[str, Region] = field(default_factory=dict)
    breakdowns: dict[str, BreakdownInfo] = field(default_factory=dict)
    checks_lifetime: bool = True  # refuse values for places that did not exist then
    tidy: bool = False  # chunks are figure rows (STAGE_COLUMNS), not CBS observations
    place_field: str = "place"  # the column that names places, for messages
    period_field: str = "period"  # the column (or dimension) that names periods
    value_field: str = "Value"  # the field that holds values, for messages …
    value_fields: dict[str, str] = field(default_factory=dict)  # … per measure, if it differs
