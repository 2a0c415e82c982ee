"""Reading figure_history in tests: what newer releases changed about one figure (the
application itself never reads it back; it was ``records.history``, used only by tests)."""

from __future__ import annotations

import sqlite3


def history(conn: sqlite3.Connection, indicator: str, place: str, period: str | None,
            breakdown: str | None = None, source: str | None = None) -> list[dict]:  # fmt: skip
    """What newer releases changed about one figure (any source unless given), oldest
    first."""
    cols = ("import_id", "old_import_id", "changed_at", "old_value", "new_value", "old_status",
            "new_status", "old_missing_reason", "new_missing_reason")  # fmt: skip
    where, params = [], []
    for column, value in (("indicator", indicator), ("place", place), ("period", period),
                          ("breakdown", breakdown), ("source", source)):  # fmt: skip
        if value is None:
            if column != "source":
                where.append(f"{column} = 0")  # none
            continue
        where.append(f"{column} = coalesce((SELECT id FROM codes WHERE code = ?), -1)")  # noqa: S608
        params.append(value)
    sql = f"SELECT {', '.join(cols)} FROM figure_history WHERE {' AND '.join(where)}"  # noqa: S608
    try:
        rows = conn.execute(sql + " ORDER BY id", params).fetchall()
    except sqlite3.OperationalError:
        return []
    return [dict(zip(cols, r, strict=True)) for r in rows]
