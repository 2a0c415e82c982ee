"""The import's own tables, beside the store's runtime tables: what each newer release
changed (``figure_history``) and details of each import (``import_details``); and the
queries that list imports for ``econ071 imports`` and the weekly summary. Standard library
only, so that the summary can use it without loading pandas."""

from __future__ import annotations

import sqlite3

from econ071.store import schema

SCHEMA = """
CREATE TABLE IF NOT EXISTS figure_history (
    id INTEGER PRIMARY KEY,
    -- the figure, by its key (ids into codes, like figure_values)
    indicator INTEGER NOT NULL,
    place INTEGER NOT NULL,
    breakdown INTEGER NOT NULL,
    period INTEGER NOT NULL,
    source INTEGER NOT NULL,
    chapter INTEGER NOT NULL,
    import_id INTEGER NOT NULL,
    old_import_id INTEGER,
    changed_at TEXT NOT NULL,
    old_value REAL, new_value REAL,
    old_low REAL, new_low REAL,
    old_high REAL, new_high REAL,
    old_status TEXT, new_status TEXT,
    old_missing_reason TEXT, new_missing_reason TEXT
);
CREATE INDEX IF NOT EXISTS figure_history_figure
    ON figure_history (indicator, place, breakdown, period, source, chapter);
CREATE TABLE IF NOT EXISTS import_details (
    import_id INTEGER PRIMARY KEY,
    source TEXT,
    release TEXT,
    rows_computed INTEGER NOT NULL DEFAULT 0,
    indicators TEXT,
    mappings TEXT,
    warnings TEXT
);
"""

IMPORT_COLUMNS = (
    "id", "file", "sha256", "format", "table_id", "title", "imported_at", "rows_added",
    "rows_changed", "rows_unchanged",
)  # fmt: skip


def ensure(conn: sqlite3.Connection) -> None:
    """Create the import's tables if missing (works inside an open transaction)."""
    schema.apply(conn, SCHEMA)


def imports_since(
    conn: sqlite3.Connection, since: str | None = None, limit: int = 50
) -> list[dict]:
    """Imports at or after ``since`` (ISO time), newest first: for the weekly summary and
    ``econ071 imports``."""
    sql = f"SELECT {', '.join(IMPORT_COLUMNS)} FROM imports"  # noqa: S608
    params: list = []
    if since:
        sql += " WHERE imported_at >= ?"
        params.append(since)
    sql += " ORDER BY imported_at DESC, id DESC LIMIT ?"
    params.append(limit)
    return [dict(zip(IMPORT_COLUMNS, row, strict=True)) for row in conn.execute(sql, params)]
