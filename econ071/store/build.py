"""Build the SQLite store from the tidy files in data/ (with sqlite-utils).

The build validates every file first and names file, line and field for the first
problem it finds; only then does it write, in one transaction. Seed rows are replaced;
rows from imports (``origin = 'import'``) and the runtime tables are left alone, so a
rebuild after a change in data/ never loses imported figures or the question log.

This module imports sqlite-utils (which imports pandas): it is not on the question path.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from econ071.core.errors import DataError
from econ071.store import counts, health, schema
from econ071.store import passages as passage_index
from econ071.store.fingerprint import content_hash, stat_signature
from econ071.store.seed import SEED, load_seed


def _create_tables(db: sqlite_utils.Database) -> None:
    schema.apply(db.conn, schema.RUNTIME_SCHEMA)
    text, integer = str, int
    specs = {
        "sources": ({c: text for c in schema.SEED_FILES["sources"]} | {"origin": text}, "id", []),
        "places": ({c: text for c in schema.SEED_FILES["places"]} | {"origin": text}, "code", []),
        "indicators": (
            {c: text for c in schema.SEED_FILES["indicators"]}
            | {"additive": integer, "sort": integer, "origin": text},
            "id",
            [],
        ),
        "breakdowns": (
            {c: text for c in schema.SEED_FILES["breakdowns"]} | {"sort": integer, "origin": text},
            "id",
            [],
        ),
        "place_members": (
            {"place": text, "member": text, "origin": text},
            ("place", "member"),
            [("place", "places", "code"), ("member", "places", "code")],
        ),
        "caveats": (
            {c: text for c in schema.SEED_FILES["caveats"]} | {"origin": text},
            "id",
            [],
        ),
        "interpretations": (
            {c: text for c in schema.SEED_FILES["interpretations"]} | {"origin": text},
            "id",
            [],
        ),
    }
    for name, (columns, pk, fks) in specs.items():
        if not db[name].exists():
            db[name].create(columns, pk=pk, foreign_keys=fks, if_not_exists=True)
    _migrate_figures(db.conn)
    schema.apply(db.conn, schema.FIGURES_SCHEMA)


def _migrate_figures(conn: sqlite3.Connection) -> None:
    """A store made before figures were stored compactly has a table ``figures``: its
    imported rows move to figure_values, and their history follows them (it named a
    figure by the old table's row id, now by its key)."""
    row = conn.execute("SELECT type FROM sqlite_master WHERE name = 'figures'").fetchone()
    if not row or row[0] != "table":
        return
    conn.execute("ALTER TABLE figures RENAME TO figures_v1")
    schema.apply(conn, schema.FIGURES_SCHEMA)
    coded = ("indicator", "place", "period", "breakdown", "source", "chapter", "status",
             "missing_reason")  # fmt: skip
    union = " UNION ".join(f"SELECT {c} AS c FROM figures_v1" for c in coded)  # noqa: S608
    conn.execute(
        f"INSERT OR IGNORE INTO codes (code) SELECT c FROM ({union})"  # noqa: S608
        " WHERE c IS NOT NULL AND c != ''"
    )
    ids = ", ".join(f"coalesce((SELECT id FROM codes WHERE code = o.{c}), 0)" for c in coded)  # noqa: S608
    conn.execute(
        f"INSERT INTO figure_values ({', '.join(coded)}, value, low, high, qualifier,"  # noqa: S608
        " value_text, ref_date, note, computed, import_id)"
        f" SELECT {ids}, o.value, o.low, o.high, nullif(o.qualifier, 'exact'),"
        " o.value_text, o.ref_date, o.note, coalesce(o.computed, 0), coalesce(o.import_id, 0)"
        " FROM figures_v1 o WHERE o.origin != 'seed'"
    )
    columns = [r[1] for r in conn.execute("PRAGMA table_info(figure_history)")]
    if "figure_id" in columns:
        from econ071.store import imports as records

        rest = [c for c in columns if c not in ("id", "figure_id")]
        conn.execute("DROP INDEX IF EXISTS figure_history_figure")
        conn.execute("ALTER TABLE figure_history RENAME TO figure_history_v1")
        records.ensure(conn)
        keys = ("indicator", "place", "breakdown", "period", "source", "chapter")
        ids = ", ".join(f"coalesce((SELECT id FROM codes WHERE code = o.{c}), 0)" for c in keys)  # noqa: S608
        conn.execute(
            f"INSERT INTO figure_history (id, {', '.join(keys)}, {', '.join(rest)})"  # noqa: S608
            f" SELECT h.id, {ids}, {', '.join(f'h.{c}' for c in rest)}"
            " FROM figure_history_v1 h JOIN figures_v1 o ON o.id = h.figure_id ORDER BY h.id"
        )
        conn.execute("DROP TABLE figure_history_v1")
    conn.execute("DROP TABLE figures_v1")


def build(db_path: Path, data_dir: Path) -> dict[str, int]:
    """(Re)build the seed part of the store at db_path from data_dir, atomically.

    Returns the number of seed rows per table. A damaged store file is moved aside first
    (health.damaged); a full disk, a read-only store or a directory that cannot be made
    raise health.StoreProblem.
    """
    health.make_directory(db_path)
    with health.translated(db_path):
        if db_path.exists():
            reason = health.check(db_path) or _unreadable(db_path)
            if reason:
                health.damaged(db_path, reason, rebuild_anyway=True)
        try:
            return _build(db_path, data_dir)
        except sqlite3.DatabaseError as exc:  # damaged past its header: asked to build, so
            if health.sqlite_kind(exc) != health.DAMAGED or not db_path.exists():
                raise
            health.damaged(db_path, str(exc), rebuild_anyway=True)  # … kept aside, fresh
            return _build(db_path, data_dir)


def _unreadable(db_path: Path) -> str | None:
    """SQLite's own word on a file whose header looked fine, when it cannot read it."""
    conn = sqlite3.connect(db_path, timeout=30)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        if health.sqlite_kind(exc) == health.DAMAGED:
            return str(exc)
        raise
    finally:
        conn.close()
    return None


def _build(db_path: Path, data_dir: Path) -> dict[str, int]:
    conn = sqlite3.connect(db_path, timeout=30)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        health.limit_size(conn)
        imported_places = {
            r[0] for r in _maybe(conn, "SELECT code FROM places WHERE origin != 'seed'")
        }
        seed = load_seed(data_dir, imported_places)  # validate everything before any write
        db = sqlite_utils.Database(conn)
        if db.journal_mode != "wal":
            db.enable_wal()
        try:
            with db.atomic():
                _create_tables(db)
                conn.execute("DELETE FROM figure_values WHERE import_id IS NULL")  # the seed
                for table in ("caveats", "interpretations", "place_members"):
                    conn.execute(f"DELETE FROM {table} WHERE origin = ?", (SEED,))  # noqa: S608
                for table, pk, rows in (
                    ("sources", "id", seed.sources),
                    ("places", "code", seed.places),
                    ("breakdowns", "id", seed.breakdowns),
                    ("indicators", "id", seed.indicators),
                ):
                    db[table].upsert_all(rows, pk=pk)
                    keep = [r[pk] for r in rows]
                    _delete_stale(conn, table, pk, keep)
                db["place_members"].insert_all(seed.place_members, pk=("place", "member"))
                now = datetime.now(UTC).isoformat(timespec="seconds")
                # Through the view: its trigger codes the key columns (see schema.py).
                columns = schema.SEED_FILES["figures"]
                conn.executemany(
                    f"INSERT INTO figures ({', '.join(columns)}, origin)"  # noqa: S608
                    f" VALUES ({', '.join('?' * len(columns))}, '{SEED}')",
                    # An empty cell is NULL, as in an import.
                    [
                        tuple(None if f.get(c) == "" else f.get(c) for c in columns)
                        for f in seed.figures
                    ],  # fmt: skip
                )
                db["caveats"].insert_all(seed.caveats, pk="id", replace=True)
                db["interpretations"].insert_all(seed.interpretations, pk="id", replace=True)
                schema.apply(conn, passage_index.SCHEMA)
                passage_index.index(conn, seed.passages)
                problems = conn.execute("PRAGMA foreign_key_check").fetchall()
                if problems:
                    table, rowid, parent, _ = problems[0]
                    raise DataError(table, None, None, f"row {rowid} points to a missing {parent}")
                counts.record_counts_by_source(conn)
                db["meta"].upsert_all(
                    [
                        {"key": "data_hash", "value": content_hash(data_dir)},
                        {"key": "data_stat", "value": stat_signature(data_dir)},
                        {"key": "built_at", "value": now},
                        {"key": "figures_version", "value": schema.FIGURES_VERSION},
                    ],
                    pk="key",
                )
        except sqlite3.IntegrityError as exc:  # rolled back by db.atomic()
            raise DataError(
                "data/figures", None, None,
                f"a figure repeats one already imported (same indicator, place, period, "
                f"breakdown, source and chapter): {exc}; give it another chapter or remove it",
            ) from None  # fmt: skip
        conn.execute("PRAGMA optimize")
    finally:
        conn.close()
    return {
        "sources": len(seed.sources),
        "places": len(seed.places),
        "breakdowns": len(seed.breakdowns),
        "indicators": len(seed.indicators),
        "figures": len(seed.figures),
        "caveats": len(seed.caveats),
        "interpretations": len(seed.interpretations),
        "passages": len(seed.passages),
    }


def _maybe(conn: sqlite3.Connection, sql: str) -> list[tuple]:
    try:
        return conn.execute(sql).fetchall()
    except sqlite3.OperationalError:  # a new store has no tables yet
        return []


_REFERENCES = {
    "sources": [("figures", "source")],
    "places": [("figures", "place"), ("place_members", "place"), ("place_members", "member")],
    "breakdowns": [("figures", "breakdown")],
    "indicators": [("figures", "indicator")],
}


def _delete_stale(conn: sqlite3.Connection, table: str, pk: str, keep: list[str]) -> None:
    """Drop seed catalog rows that left data/, unless an imported figure still uses them."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS keep_ids (id TEXT PRIMARY KEY)")
    conn.execute("DELETE FROM keep_ids")
    conn.executemany("INSERT OR IGNORE INTO keep_ids VALUES (?)", [(k,) for k in keep])
    used = " ".join(
        f"AND {pk} NOT IN (SELECT {col} FROM {ref} WHERE {col} IS NOT NULL)"  # noqa: S608
        if ref != "figures"
        else f"AND {pk} NOT IN (SELECT code FROM codes WHERE id IN"  # noqa: S608
        f" (SELECT DISTINCT {col} FROM figure_values))"
        for ref, col in _REFERENCES[table]
    )
    conn.execute(
        f"DELETE FROM {table} WHERE origin = ? AND {pk} NOT IN (SELECT id FROM keep_ids) {used}",  # noqa: S608
        (SEED,),
    )
