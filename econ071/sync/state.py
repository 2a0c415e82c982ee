"""Per CBS table what the sync knows: its title and release, when it was last checked and
last changed, the last error. Table ``cbs_tables`` in the store, beside ``imports``
(a rebuild from data/ keeps it). Standard library only: the weekly summary and the
answers read it without loading the sync.

Columns: ``table_id`` (as CBS writes it), ``followed_as`` (the id in data/cbs_tables.csv;
differs when a discontinued table's successor is followed), ``source`` (the source id of
its figures, ``cbs_{table_id}`` lower-cased, as in ``sources`` and ``figures``),
``title``, ``version`` and ``observations_modified`` (CBS's Properties, compared to see
whether a new release is out), ``release_date`` (ISO date of the release), ``frequency``,
``status`` (CBS's status of the table, e.g. Regulier / Gestopt), ``successor``,
``checked_at`` / ``changed_at`` (ISO UTC), ``import_id`` (the import of the last change),
``plan`` (a fingerprint of what was asked: filter and mapped measures), ``last_error``
and ``error_at`` (None after a success).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, fields

from econ071.store import schema

SCHEMA = """
CREATE TABLE IF NOT EXISTS cbs_tables (
    table_id TEXT PRIMARY KEY COLLATE NOCASE,
    followed_as TEXT COLLATE NOCASE,
    source TEXT,
    title TEXT,
    version TEXT,
    observations_modified TEXT,
    release_date TEXT,
    frequency TEXT,
    status TEXT,
    successor TEXT,
    checked_at TEXT,
    changed_at TEXT,
    import_id INTEGER,
    plan TEXT,
    last_error TEXT,
    error_at TEXT
);
"""


@dataclass
class TableState:
    table_id: str
    followed_as: str | None = None
    source: str | None = None
    title: str | None = None
    version: str | None = None
    observations_modified: str | None = None
    release_date: str | None = None
    frequency: str | None = None
    status: str | None = None
    successor: str | None = None
    checked_at: str | None = None
    changed_at: str | None = None
    import_id: int | None = None
    plan: str | None = None
    last_error: str | None = None
    error_at: str | None = None


COLUMNS = tuple(f.name for f in fields(TableState))


def ensure(conn: sqlite3.Connection) -> None:
    schema.apply(conn, SCHEMA)


def get(conn: sqlite3.Connection, table_id: str) -> TableState | None:
    try:
        row = conn.execute(
            f"SELECT {', '.join(COLUMNS)} FROM cbs_tables WHERE table_id = ?",  # noqa: S608
            (table_id,),
        ).fetchone()
    except sqlite3.OperationalError:  # no sync yet
        return None
    return TableState(*row) if row else None


def followed(conn: sqlite3.Connection, followed_as: str) -> TableState | None:
    """The state of the table followed under this id: itself, or its successor."""
    try:
        row = conn.execute(
            f"SELECT {', '.join(COLUMNS)} FROM cbs_tables WHERE followed_as = ?"  # noqa: S608
            " ORDER BY table_id = followed_as, checked_at DESC LIMIT 1",
            (followed_as,),
        ).fetchone()
    except sqlite3.OperationalError:
        return None
    return TableState(*row) if row else None


def save(conn: sqlite3.Connection, state: TableState) -> None:
    ensure(conn)
    values = [getattr(state, c) for c in COLUMNS]
    updates = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS[1:])
    conn.execute(
        f"INSERT INTO cbs_tables ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"  # noqa: S608
        f" ON CONFLICT (table_id) DO UPDATE SET {updates}",
        values,
    )


def all_states(conn: sqlite3.Connection) -> list[TableState]:
    try:
        rows = conn.execute(
            f"SELECT {', '.join(COLUMNS)} FROM cbs_tables ORDER BY table_id"  # noqa: S608
        ).fetchall()
    except sqlite3.OperationalError:
        return []
    return [TableState(*r) for r in rows]


def by_source(conn: sqlite3.Connection, source: str) -> TableState | None:
    """The CBS table behind a source id (``cbs_03759ned``): its title, release date and
    status, for an answer's source line."""
    try:
        row = conn.execute(
            f"SELECT {', '.join(COLUMNS)} FROM cbs_tables WHERE source = ?",  # noqa: S608
            (source,),
        ).fetchone()
    except sqlite3.OperationalError:
        return None
    return TableState(*row) if row else None
