"""Recognise what a path holds: a CBS OData v4 table (a folder of JSON files, each known by
its ``@odata.context``, whatever it is called), a StatLine CSV download, or the project's
tidy figures CSV."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from econ071.importing.errors import refuse
from econ071.store import schema

ODATA, STATLINE, TIDY = "cbs-odata-v4", "statline-csv", "tidy-csv"
_CONTEXT = re.compile(r'"@odata\.context"\s*:\s*"([^"]*)"')
_TABLE = re.compile(r"/([0-9A-Za-z]+)/\$metadata#(\w+)")
HEAD_BYTES = 4096


@dataclass
class Detected:
    path: Path
    format: str
    table_id: str | None = None
    entities: dict[str, list[Path]] = field(default_factory=dict)  # OData entity -> files

    def files(self) -> list[Path]:
        """Every file that makes up the import (for its hash)."""
        if self.format != ODATA:
            return [self.path]
        return sorted({p for paths in self.entities.values() for p in paths})


def odata_entity(path: Path) -> tuple[str, str] | None:
    """(table id, entity set) from a JSON file's @odata.context, or None."""
    try:
        with path.open("rb") as fh:
            head = fh.read(HEAD_BYTES).decode("utf-8-sig", errors="replace")
    except OSError:
        return None
    m = _CONTEXT.search(head)
    if not m:
        return None
    t = _TABLE.search(m.group(1))
    return (t.group(1), t.group(2)) if t else None


def _odata_folder(folder: Path, shown: str) -> Detected:
    entities: dict[str, list[Path]] = {}
    tables: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        found = odata_entity(path)
        if not found:
            continue
        table, entity = found
        tables.setdefault(table.lower(), path)
        entities.setdefault(entity, []).append(path)
    if len(tables) > 1:
        a, b = list(tables.items())[:2]
        raise refuse(shown, None, None,
                     f"holds files of two tables ({a[0]} in {a[1].name}, {b[0]} in {b[1].name});"
                     " expected one table per folder")  # fmt: skip
    if "Observations" not in entities:
        raise refuse(shown, None, None,
                     "has no file whose @odata.context ends in #Observations; expected a CBS "
                     "OData v4 table (Observations, MeasureCodes, Dimensions, …Codes, Properties)")  # fmt: skip
    return Detected(folder, ODATA, next(iter(tables)), entities)


def detect(path: Path) -> Detected:
    shown = str(path)
    if path.is_dir():
        return _odata_folder(path, shown)
    if not path.is_file():
        raise refuse(shown, None, None, "does not exist")
    if odata_entity(path):
        # One file of an OData table: the table is the folder it lies in.
        return _odata_folder(path.parent, str(path.parent))
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    if head.lstrip().startswith((b"{", b"[")):
        raise refuse(
            shown, 1, None, "is JSON without an @odata.context; expected a CBS OData v4 file"
        )
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not merely a character cut off at the end of `head`
            raise refuse(
                shown, None, None, f"is not UTF-8 (byte {exc.start}: {exc.reason})"
            ) from None
        text = head[: exc.start].decode("utf-8-sig")
    first = text.splitlines()[0] if text.strip() else ""
    if not first:
        raise refuse(shown, 1, None, "is empty; expected a header row")
    if tuple(c.strip() for c in first.split(",")) == schema.SEED_FILES["figures"]:
        return Detected(path, TIDY)
    if ";" in first:
        return Detected(path, STATLINE)
    raise refuse(shown, 1, None,
                 "is not a format I know: expected a CBS OData v4 JSON file or folder, a StatLine "
                 "CSV (';'-separated) or a tidy figures CSV with the header "
                 + ",".join(schema.SEED_FILES["figures"]))  # fmt: skip
