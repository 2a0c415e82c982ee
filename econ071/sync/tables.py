"""The followed CBS tables: ``data/cbs_tables.csv``, one row per table, reviewable in a
spreadsheet.

Columns: ``table_id`` (as CBS writes it: case matters), ``theme``, ``title`` (as CBS
titles it, for the reader), ``id_confirmed`` (``yes``: id, measures and codes checked
against a capture of the table's metadata; ``no``: a candidate from cbs.nl that could not
be checked here — ``sync`` reports it cleanly if it is missing or reissued),
``measures`` (``mapped``: only the measures data/mappings/*.yml maps for this table;
``all``), ``filter`` (an OData filter on the table's other dimensions, e.g. the totals for
sex and age), ``evidence`` (what the confirmation rests on, or why it is missing).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from econ071.core.errors import DataError

FILE = "cbs_tables.csv"
COLUMNS = ("table_id", "theme", "title", "id_confirmed", "measures", "filter", "evidence")
TABLE_ID = re.compile(r"^[0-9][0-9A-Za-z]{5,11}$")  # 03759ned, 83625NED, 37789KSZ, 7461bev


@dataclass(frozen=True)
class FollowedTable:
    table_id: str
    theme: str | None = None
    title: str | None = None
    confirmed: bool = False
    measures: str = "all"  # all | mapped
    filter: str | None = None
    evidence: str | None = None
    listed: bool = True  # False: named on the command line, not in data/cbs_tables.csv


def check_id(table_id: str) -> str:
    table_id = table_id.strip()
    if not TABLE_ID.match(table_id):
        raise ValueError(f"{table_id!r} is not a CBS table id; expected e.g. 03759ned or 83625NED")
    return table_id


def load(data_dir: Path) -> list[FollowedTable]:
    """The followed tables; DataError names file, line and column of a bad row."""
    path = data_dir / FILE
    if not path.exists():
        return []
    shown = str(path)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise DataError(shown, 1, None, f"has the header {reader.fieldnames}; expected "
                            + ",".join(COLUMNS))  # fmt: skip
        out: list[FollowedTable] = []
        seen: set[str] = set()
        for row in reader:
            line = reader.line_num
            try:
                table_id = check_id(row["table_id"] or "")
            except ValueError as exc:
                raise DataError(shown, line, "table_id", str(exc)) from None
            if table_id.lower() in seen:
                raise DataError(shown, line, "table_id", f"{table_id} is listed twice")
            seen.add(table_id.lower())
            confirmed = (row["id_confirmed"] or "").strip().lower()
            if confirmed not in ("yes", "no"):
                raise DataError(
                    shown, line, "id_confirmed", f"is {confirmed!r}; expected yes or no"
                )
            measures = (row["measures"] or "").strip().lower() or "all"
            if measures not in ("all", "mapped"):
                raise DataError(shown, line, "measures", f"is {measures!r}; expected all or mapped")
            out.append(FollowedTable(
                table_id, (row["theme"] or "").strip() or None, (row["title"] or "").strip() or None,
                confirmed == "yes", measures, (row["filter"] or "").strip() or None,
                (row["evidence"] or "").strip() or None,
            ))  # fmt: skip
    return out


def select(followed: list[FollowedTable], names: list[str]) -> list[FollowedTable]:
    """The tables named (any case; one not listed is synced with the defaults: every
    measure, no filter), or every followed table when none is named."""
    if not names:
        return followed
    by_id = {t.table_id.lower(): t for t in followed}
    out = []
    for name in names:
        table_id = check_id(name)
        out.append(by_id.get(table_id.lower()) or FollowedTable(table_id, listed=False))
    return out
