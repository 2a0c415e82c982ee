"""Read access to the SQLite store, built on first use and rebuilt when data/ changes.

Only the standard library's sqlite3 here: building (sqlite-utils, hence pandas) is
imported lazily, and only when data/ changed since the last build.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import NamedTuple

from econ071.core import paths
from econ071.core.errors import StoreError
from econ071.store import counts, health
from econ071.store.fingerprint import content_hash, stat_signature
from econ071.store.schema import FIGURES_VERSION


class Figure(NamedTuple):
    """One row of the figures table. A named tuple, not a dataclass: an answer at national
    scale reads a few hundred of them, and tuples are built in C."""

    indicator: str
    place: str
    period: str | None
    breakdown: str | None
    value: float | None
    low: float | None
    high: float | None
    qualifier: str
    value_text: str | None
    source: str
    chapter: str | None
    ref_date: str | None
    note: str | None
    status: str | None
    missing_reason: str | None
    origin: str
    updated_at: str | None
    computed: int | None = None  # 1: summed from member places at import, not published as such


FIGURE_COLUMNS = ", ".join(Figure._fields)

_build_lock = threading.Lock()


def _meta(conn: sqlite3.Connection, key: str) -> str | None:
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):  # a store never built: anything else is a problem
            return None
        raise
    return row[0] if row else None


def ensure_built(db_path: Path | None = None, data_dir: Path | None = None) -> Path:
    """Build the store if it is missing or data/ changed since the last build. A store
    that cannot be used (damaged, read-only where it must be written, on a full disk)
    raises health.StoreProblem with the message for the operator."""
    db_path = db_path or paths.db_path()
    data_dir = data_dir or paths.data_dir()
    with _build_lock, health.translated(db_path):
        if db_path.is_dir():
            raise health.StoreProblem(health.READ_ONLY, f"{db_path} is a directory, not a store; "
                                      "set ECON071_DB to a file, e.g. "
                                      f"{db_path / 'econ071.sqlite'}")  # fmt: skip
        if db_path.exists():
            reason = health.check(db_path)
            if reason is None:
                try:
                    if _current(db_path, data_dir):
                        return db_path
                except sqlite3.DatabaseError as exc:
                    if health.sqlite_kind(exc) != health.DAMAGED:
                        raise
                    reason = str(exc)
            if reason is not None:
                health.damaged(db_path, reason)  # raises unless nothing would be lost
        elif problem := health.missing_after_damage(db_path):
            raise problem
        from econ071.store.build import build

        build(db_path, data_dir)
    return db_path


def _current(db_path: Path, data_dir: Path) -> bool:
    """Whether the store was built from data/ as it is now (the cheap check first)."""
    database, uri = health.open_uri(db_path)
    conn = sqlite3.connect(database, timeout=30, uri=uri)
    try:
        stat = stat_signature(data_dir)
        if _meta(conn, "figures_version") != FIGURES_VERSION:
            return False  # a store from an older version (or none yet): the build migrates it
        if _meta(conn, "data_stat") == stat:
            return True
        if _meta(conn, "data_hash") == content_hash(data_dir):
            # Same content, new mtimes (a fresh checkout): remember the new stats.
            try:
                with conn:
                    conn.execute("UPDATE meta SET value = ? WHERE key = 'data_stat'", (stat,))
            except sqlite3.OperationalError as exc:
                if health.sqlite_kind(exc) not in (health.READ_ONLY, health.BUSY, health.FULL,
                                                   health.IO):  # fmt: skip
                    raise  # a read-only store (full disk) is still current: only the shortcut is lost
            return True
        return False
    finally:
        conn.close()


def connect(db_path: Path | None = None, *, ensure: bool = True, timeout: float = 10,
            autocommit: bool = False) -> sqlite3.Connection:  # fmt: skip
    """The one way into the store: a connection to the (fresh: built and migrated when
    ``ensure``) store with foreign keys on and a busy timeout of ``timeout`` seconds.
    Readers take the defaults; writers (an import, a sync) ask for ``autocommit`` and run
    their own ``BEGIN IMMEDIATE`` … ``COMMIT``, and wait longer for the write lock."""
    db_path = db_path or paths.db_path()
    if ensure:
        ensure_built(db_path)
    elif not db_path.exists():
        raise StoreError(f"no store at {db_path}; run 'econ071 build'")
    with health.translated(db_path):
        # A writer opens the file itself (never immutable: it is going to change it).
        database, uri = (str(db_path), False) if autocommit else health.open_uri(db_path)
        conn = sqlite3.connect(database, timeout=timeout, check_same_thread=False, uri=uri,
                               isolation_level=None if autocommit else "")  # fmt: skip
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    return conn


class AnyBreakdown:
    """Marker for ``figures(..., breakdown=ANY_BREAKDOWN)``: totals and categories alike."""

    def __repr__(self) -> str:
        return "ANY_BREAKDOWN"


ANY_BREAKDOWN = AnyBreakdown()


def figures(
    conn: sqlite3.Connection,
    indicator: str,
    places: list[str] | None = None,
    breakdown: str | list[str] | None | AnyBreakdown = ANY_BREAKDOWN,
) -> list[Figure]:
    """Every figure of an indicator, optionally for some places and breakdowns (one, a
    list, ``None`` = the total, ``ANY_BREAKDOWN`` = any breakdown)."""
    # By the ids of the codes, so that the key's index (indicator, place, ...) is used.
    sql = (
        f"SELECT {FIGURE_COLUMNS} FROM figures"  # noqa: S608
        " WHERE indicator_id = (SELECT id FROM codes WHERE code = ?)"
    )
    params: list = [indicator]
    if places:
        marks = ", ".join("?" * len(places))
        sql += f" AND place_id IN (SELECT id FROM codes WHERE code IN ({marks}))"  # noqa: S608
        params += places
    if breakdown is None:
        sql += " AND breakdown_id = 0"
    elif isinstance(breakdown, list | tuple):
        marks = ", ".join("?" * len(breakdown))
        sql += f" AND breakdown_id IN (SELECT id FROM codes WHERE code IN ({marks}))"  # noqa: S608
        params += breakdown
    elif not isinstance(breakdown, AnyBreakdown) and breakdown is not ...:
        sql += " AND breakdown_id = (SELECT id FROM codes WHERE code = ?)"
        params.append(breakdown)
    sql += " ORDER BY place, period, breakdown, source, chapter"
    return list(map(Figure._make, conn.execute(sql, params)))


# Look-ups by place, breakdown or source. The key's index starts with the indicator, so a
# question about one place is asked once per indicator (a few hundred index look-ups)
# rather than by reading every figure.


def has_figures(conn: sqlite3.Connection, kind: str, code: str) -> bool:
    """Whether any figure has this indicator, place or breakdown."""
    if kind == "indicator":
        sql = (
            "SELECT 1 FROM figure_values"
            " WHERE indicator = (SELECT id FROM codes WHERE code = ?) LIMIT 1"
        )
    elif kind == "place":
        return bool(indicators_at(conn, code, limit=1))
    elif kind == "breakdown":
        sql = (
            "SELECT 1 FROM figure_values"
            " WHERE breakdown = (SELECT id FROM codes WHERE code = ?) LIMIT 1"
        )
    else:
        raise ValueError(kind)
    return conn.execute(sql, (code,)).fetchone() is not None


def indicators_at(
    conn: sqlite3.Connection, place: str, *, theme: str | None = None, limit: int = -1
) -> list[str]:
    """The catalog's indicators (in its order) with figures for a place, optionally of
    one theme."""
    sql = (
        "SELECT i.id FROM indicators i JOIN codes c ON c.code = i.id"
        " WHERE EXISTS (SELECT 1 FROM figure_values f WHERE f.indicator = c.id"
        " AND f.place = (SELECT id FROM codes WHERE code = ?))"
    )
    params: list = [place]
    if theme is not None:
        sql += " AND i.theme = ?"
        params.append(theme)
    sql += " ORDER BY i.sort, i.id LIMIT ?"
    return [r[0] for r in conn.execute(sql, [*params, limit])]


def places_of(conn: sqlite3.Connection, indicator: str, limit: int) -> list[str]:
    """Some places with figures for an indicator."""
    return [r[0] for r in conn.execute(
        "SELECT c.code FROM (SELECT DISTINCT place FROM figure_values"
        " WHERE indicator = (SELECT id FROM codes WHERE code = ?) LIMIT ?) p JOIN codes c ON c.id = p.place",
        (indicator, limit),
    )]  # fmt: skip


def indicators_with_figures(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute(
        "SELECT i.id FROM indicators i JOIN codes c ON c.code = i.id"
        " WHERE EXISTS (SELECT 1 FROM figure_values f WHERE f.indicator = c.id)"
    )}  # fmt: skip


def counts_by_source(conn: sqlite3.Connection) -> dict[str, int]:
    """Figures per source: as recorded with the last build or import, else counted."""
    recorded = _meta(conn, counts.SOURCE_COUNTS)
    return json.loads(recorded) if recorded else counts.count_by_source(conn)


def counts_by_indicator_and_place(conn: sqlite3.Connection) -> list[tuple[str, str, int]]:
    return conn.execute(
        "SELECT ci.code, cp.code, s.n FROM (SELECT indicator, place, count(*) AS n"
        " FROM figure_values GROUP BY indicator, place) s"
        " JOIN codes ci ON ci.id = s.indicator JOIN codes cp ON cp.id = s.place"
    ).fetchall()


def keys_of_import(conn: sqlite3.Connection, import_id: int) -> list[tuple[str, str, str | None]]:
    """(indicator, place, period) of the figures an import added or changed."""
    return conn.execute(
        "SELECT ci.code, cp.code, cd.code FROM (SELECT DISTINCT indicator, place, period"
        " FROM figure_values WHERE import_id = ?) s JOIN codes ci ON ci.id = s.indicator"
        " JOIN codes cp ON cp.id = s.place JOIN codes cd ON cd.id = s.period",
        (import_id,),
    ).fetchall()
