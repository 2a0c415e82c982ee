"""Staging and merging figures, set-based in SQLite: rows are staged in a temporary table,
then one statement records what changed (``figure_history``) and one upserts them into
``figures`` on its unique key. Nothing here loops over rows in Python except staging."""

from __future__ import annotations

import sqlite3

import pandas as pd

from indicators.errors import DataError
from indicators.importing.errors import ImportRefused
from indicators.importing.model import STAGE_COLUMNS

FIGURE_COLUMNS = STAGE_COLUMNS[1:]  # all but ref
KEY = (
    "indicator, place, coalesce(period, ''), coalesce(breakdown, ''), source, coalesce(chapter, '')"
)
_JOIN = (
    "f.indicator = s.indicator AND f.place = s.place"
    " AND coalesce(f.period, '') = coalesce(s.period, '')"
    " AND coalesce(f.breakdown, '') = coalesce(s.breakdown, '') AND f.source = s.source"
    " AND coalesce(f.chapter, '') = coalesce(s.chapter, '')"
)
_COMPARED = ("value", "low", "high", "qualifier", "value_text", "note", "ref_date", "status",
             "missing_reason")  # fmt: skip


def _same(a: str, b: str) -> str:
    return " AND ".join(f"{a}.{c} IS {b}.{c}" for c in _COMPARED)


def staging_table(conn: sqlite3.Connection, name: str) -> None:
    conn.execute(f"DROP TABLE IF EXISTS temp.{name}")
    conn.execute(
        f"CREATE TEMP TABLE {name} (ref, indicator TEXT NOT NULL, place TEXT NOT NULL,"
        " period TEXT, breakdown TEXT, value REAL, low REAL, high REAL, qualifier TEXT,"
        " value_text TEXT, source TEXT NOT NULL, chapter TEXT, ref_date TEXT, note TEXT,"
        " status TEXT, missing_reason TEXT, computed INTEGER NOT NULL DEFAULT 0)"
    )


def _rows(frame: pd.DataFrame, columns: list[str]) -> list[list]:
    """Rows for executemany, with NaN and pandas' missing values as None."""
    values = frame[columns].astype(object)
    return values.where(values.notna(), None).to_numpy().tolist()


KEY_COLUMNS = ["indicator", "place", "period", "breakdown", "source", "chapter"]


def stage_frame(conn: sqlite3.Connection, name: str, frame: pd.DataFrame, file: str) -> int:
    """Stage a chunk. A figure repeated within the chunk is refused here; one repeated
    across chunks is caught by ``merge`` (see ``RepeatedFigure``)."""
    repeated = frame.duplicated(KEY_COLUMNS, keep=False)
    if repeated.any():
        first, second = frame[repeated].head(2).itertuples(index=False)
        raise _repeats(file, second, first)
    # Columns that are empty throughout the chunk are left to the table's defaults (NULL).
    columns = [c for c in STAGE_COLUMNS if c in frame and not frame[c].isna().all()]
    sql = f"INSERT INTO temp.{name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"  # noqa: S608
    conn.executemany(sql, _rows(frame, columns))
    return len(frame)


def _repeats(file: str, row, first) -> ImportRefused:
    where = f"line {first.ref}" if not isinstance(first.ref, str) else first.ref
    ref = row.ref if isinstance(row.ref, str) else int(row.ref)
    return ImportRefused([DataError(file, ref, None,
                                    f"repeats the figure of {where} ({row.indicator}, {row.place}, "
                                    f"{row.period or 'no period'}); expected each figure once")])  # fmt: skip


def find_repeated(conn: sqlite3.Connection, name: str, file: str) -> ImportRefused:
    """The first figure staged twice (only looked for when merge saw one)."""
    row = conn.execute(
        f"SELECT min(ref), max(ref), indicator, place, period FROM temp.{name}"  # noqa: S608
        f" GROUP BY {KEY} HAVING count(*) > 1 LIMIT 1"
    ).fetchone()
    first, second, indicator, place, period = row
    where = f"line {first}" if isinstance(first, int) else first
    return ImportRefused([DataError(file, second, None,
                                    f"repeats the figure of {where} ({indicator}, {place}, "
                                    f"{period or 'no period'}); expected each figure once")])  # fmt: skip


class RepeatedFigure(Exception):
    "The staged rows hold a figure twice (in different chunks)"


def merge(conn: sqlite3.Connection, name: str, import_id: int, now: str) -> tuple[int, int, int]:
    """Upsert the staged rows into figures; (added, changed, unchanged). A changed figure's
    old values go to figure_history. A computed row never replaces a published one."""
    staged = conn.execute(f"SELECT count(*) FROM temp.{name}").fetchone()[0]  # noqa: S608
    guard = " AND (s.computed = 0 OR f.computed = 1)"
    known = conn.execute(
        f"SELECT 1 FROM figures WHERE indicator IN (SELECT DISTINCT indicator FROM temp.{name})"  # noqa: S608
        f" AND source IN (SELECT DISTINCT source FROM temp.{name}) LIMIT 1"
    ).fetchone()
    changed = (
        0
        if not known
        else conn.execute(
            "INSERT INTO figure_history (figure_id, import_id, old_import_id, changed_at,"  # noqa: S608
            " old_value, new_value, old_low, new_low, old_high, new_high, old_status, new_status,"
            " old_missing_reason, new_missing_reason)"
            f" SELECT f.id, ?, f.import_id, ?, f.value, s.value, f.low, s.low, f.high, s.high,"
            f" f.status, s.status, f.missing_reason, s.missing_reason"
            f" FROM temp.{name} s JOIN figures f ON {_JOIN}"
            f" WHERE NOT ({_same('f', 's')}){guard}",
            (import_id, now),
        ).rowcount
    )
    before = conn.total_changes
    cols = ", ".join(FIGURE_COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in _COMPARED)
    conn.execute(
        f"INSERT INTO figures ({cols}, computed, origin, import_id, updated_at)"  # noqa: S608
        f" SELECT {cols}, computed, 'import', ?, ? FROM temp.{name} WHERE true"
        # In the unique key's order, so that the store's indexes grow at their ends.
        " ORDER BY indicator, place, period, breakdown"
        f" ON CONFLICT ({KEY}) DO UPDATE SET {updates}, computed = excluded.computed,"
        " origin = 'import', import_id = excluded.import_id, updated_at = excluded.updated_at"
        f" WHERE NOT ({_same('figures', 'excluded')})"
        " AND (excluded.computed = 0 OR figures.computed = 1)",
        (import_id, now),
    )
    written = conn.total_changes - before
    if written:
        mine = conn.execute("SELECT count(*) FROM figures WHERE import_id = ?", (import_id,))
        if mine.fetchone()[0] < written:  # a staged row updated one staged just before it
            raise RepeatedFigure()
    return written - changed, changed, staged - written


def compute_region(conn: sqlite3.Connection, region: str, indicators: list[str],
                   sources: list[str], import_id: int, now: str) -> int:  # fmt: skip
    """Sum the region's member municipalities where every one of them has a published
    value (same indicator, period, breakdown, source); the sum is marked computed."""
    members = [r[0] for r in conn.execute(
        "SELECT member FROM place_members WHERE place = ?", (region,))]  # fmt: skip
    if not members:
        return 0
    staging_table(conn, "computed")
    marks = lambda items: ", ".join("?" * len(items))  # noqa: E731
    word = {6: "zes"}.get(len(members), str(len(members)))
    conn.execute(
        "INSERT INTO temp.computed (ref, indicator, place, period, breakdown, value, qualifier,"  # noqa: S608
        " source, note, status, computed)"
        " SELECT 'berekend', indicator, ?, period, breakdown, sum(value), 'exact', source, ?,"
        " CASE min(CASE status WHEN 'voorlopig' THEN 1 WHEN 'nader voorlopig' THEN 2"
        "  WHEN 'definitief' THEN 3 ELSE 4 END)"
        "  WHEN 1 THEN 'voorlopig' WHEN 2 THEN 'nader voorlopig' WHEN 3 THEN 'definitief' END,"
        " 1 FROM figures"
        f" WHERE place IN ({marks(members)}) AND indicator IN ({marks(indicators)})"
        f" AND source IN ({marks(sources)}) AND value IS NOT NULL AND computed = 0"
        " GROUP BY indicator, coalesce(period, ''), coalesce(breakdown, ''), source,"
        " coalesce(chapter, '')"
        " HAVING count(DISTINCT place) = ? AND count(*) = ?",
        (region, f"berekend: som van de {word} gemeenten", *members, *indicators, *sources,
         len(members), len(members)),
    )  # fmt: skip
    merge(conn, "computed", import_id, now)
    return conn.execute("SELECT count(*) FROM temp.computed").fetchone()[0]
