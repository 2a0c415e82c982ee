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
    conn.execute(f"CREATE UNIQUE INDEX temp.{name}_key ON {name} ({KEY})")


def _rows(frame: pd.DataFrame) -> list[tuple]:
    cols = []
    for c in STAGE_COLUMNS:
        col = frame[c]
        if col.dtype.kind == "f":
            values = col.tolist()
            cols.append([None if v != v else v for v in values])  # NaN -> NULL
        else:
            cols.append([None if v is None or v != v else v for v in col.tolist()])
    return list(zip(*cols, strict=True))


def stage_frame(conn: sqlite3.Connection, name: str, frame: pd.DataFrame, file: str) -> int:
    rows = _rows(frame)
    sql = f"INSERT INTO temp.{name} ({', '.join(STAGE_COLUMNS)}) VALUES ({', '.join('?' * len(STAGE_COLUMNS))})"  # noqa: S608
    try:
        conn.executemany(sql, rows)
    except sqlite3.IntegrityError:
        raise _duplicate(conn, name, rows, file) from None
    return len(rows)


def _duplicate(conn: sqlite3.Connection, name: str, rows: list[tuple], file: str) -> ImportRefused:
    """Which row repeats which: same indicator, place, period and breakdown."""
    for row in rows:
        ref, indicator, place, period, breakdown = row[:5]
        other = conn.execute(
            f"SELECT ref FROM temp.{name} WHERE indicator = ? AND place = ?"  # noqa: S608
            " AND coalesce(period, '') = coalesce(?, '') AND coalesce(breakdown, '') = coalesce(?, '')",
            (indicator, place, period, breakdown),
        ).fetchone()
        if other and other[0] != ref:
            where = f"line {other[0]}" if isinstance(other[0], int) else other[0]
            return ImportRefused([DataError(file, ref, None,
                                            f"repeats the figure of {where} ({indicator}, {place}, "
                                            f"{period or 'no period'}); expected each figure once")])  # fmt: skip
    return ImportRefused([DataError(file, None, None, "repeats a figure; expected each once")])


def merge(conn: sqlite3.Connection, name: str, import_id: int, now: str) -> tuple[int, int, int]:
    """Upsert the staged rows into figures; (added, changed, unchanged). A changed figure's
    old values go to figure_history. A computed row never replaces a published one."""
    staged = conn.execute(f"SELECT count(*) FROM temp.{name}").fetchone()[0]  # noqa: S608
    guard = " AND (s.computed = 0 OR f.computed = 1)"
    changed = conn.execute(
        "INSERT INTO figure_history (figure_id, import_id, old_import_id, changed_at,"  # noqa: S608
        " old_value, new_value, old_low, new_low, old_high, new_high, old_status, new_status,"
        " old_missing_reason, new_missing_reason)"
        f" SELECT f.id, ?, f.import_id, ?, f.value, s.value, f.low, s.low, f.high, s.high,"
        f" f.status, s.status, f.missing_reason, s.missing_reason"
        f" FROM temp.{name} s JOIN figures f ON {_JOIN}"
        f" WHERE NOT ({_same('f', 's')}){guard}",
        (import_id, now),
    ).rowcount
    before = conn.total_changes
    cols = ", ".join(FIGURE_COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in _COMPARED)
    conn.execute(
        f"INSERT INTO figures ({cols}, computed, origin, import_id, updated_at)"  # noqa: S608
        f" SELECT {cols}, computed, 'import', ?, ? FROM temp.{name} WHERE true"
        f" ON CONFLICT ({KEY}) DO UPDATE SET {updates}, computed = excluded.computed,"
        " origin = 'import', import_id = excluded.import_id, updated_at = excluded.updated_at"
        f" WHERE NOT ({_same('figures', 'excluded')})"
        " AND (excluded.computed = 0 OR figures.computed = 1)",
        (import_id, now),
    )
    written = conn.total_changes - before
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
