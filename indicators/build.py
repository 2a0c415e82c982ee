"""Build the SQLite store from the tidy files in data/ (with sqlite-utils).

The build validates every file first and names file, line and field for the first
problem it finds; only then does it write, in one transaction. Seed rows are replaced;
rows from imports (``origin = 'import'``) and the runtime tables are left alone, so a
rebuild after a change in data/ never loses imported figures or the question log.

This module imports sqlite-utils (which imports pandas): it is not on the question path.
"""

from __future__ import annotations

import csv
import math
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from indicators import health, schema
from indicators import passages as passage_index
from indicators.errors import DataError
from indicators.importing.sanity import never_negative, non_finite_message
from indicators.store import content_hash, stat_signature

SEED = "seed"


@dataclass(frozen=True)
class Row:
    file: str
    line: int
    values: dict[str, str]


def _read_csv(path: Path, table: str, data_dir: Path) -> list[Row]:
    expected = schema.SEED_FILES[table]
    name = str(path.relative_to(data_dir.parent)) if data_dir.parent in path.parents else str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(name, None, None, f"is not UTF-8 ({exc.reason})") from None
    reader = csv.reader(text.splitlines(keepends=True))
    try:
        header = next(reader)
    except StopIteration:
        raise DataError(name, 1, None, "is empty; expected a header row") from None
    if tuple(header) != expected:
        raise DataError(
            name, 1, None, f"header is {','.join(header)}; expected {','.join(expected)}"
        )
    rows = []
    for fields in reader:
        line = reader.line_num
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(expected):
            raise DataError(name, line, None, f"has {len(fields)} fields; expected {len(expected)}")
        rows.append(Row(name, line, {k: v.strip() for k, v in zip(expected, fields, strict=True)}))
    return rows


def _number(row: Row, field: str) -> float | None:
    text = row.values[field]
    if text == "":
        return None
    try:
        number = float(text)
    except ValueError:
        raise DataError(
            row.file, row.line, field, f"is {text!r}; expected a number like 67537 or 5.5"
        ) from None
    if not math.isfinite(number):  # as an import refuses it (importing/sanity.py)
        raise DataError(row.file, row.line, field, non_finite_message(text))
    return number


def _matches(row: Row, field: str, pattern, expected: str) -> None:
    text = row.values[field]
    if text and not pattern.match(text):
        raise DataError(row.file, row.line, field, f"is {text!r}; {expected}")


def _one_of(row: Row, field: str, allowed: tuple[str, ...], default: str | None = None) -> str:
    text = row.values[field] or (default or "")
    if text not in allowed:
        raise DataError(
            row.file, row.line, field, f"is {text!r}; expected one of {', '.join(allowed)}"
        )
    return text


def _exists(row: Row, field: str, known: set[str], what: str, optional: bool = False) -> str | None:
    text = row.values[field]
    if text == "" and optional:
        return None
    if text not in known:
        raise DataError(row.file, row.line, field, f"is {text!r}; no such {what}")
    return text


def _unique(rows: list[Row], key: str, what: str) -> set[str]:
    seen: dict[str, Row] = {}
    for row in rows:
        value = row.values[key]
        if not value:
            raise DataError(row.file, row.line, key, f"is empty; every {what} needs one")
        if value in seen:
            raise DataError(row.file, row.line, key, f"{value!r} repeats line {seen[value].line}")
        seen[value] = row
    return set(seen)


@dataclass
class SeedData:
    sources: list[dict]
    places: list[dict]
    place_members: list[dict]
    breakdowns: list[dict]
    indicators: list[dict]
    figures: list[dict]
    caveats: list[dict]
    interpretations: list[dict]
    passages: list[dict]


def load_seed(data_dir: Path, known_places: set[str] = frozenset()) -> SeedData:
    """Read and validate every file in data/; raise DataError at the first problem."""

    def read(table: str) -> list[Row]:
        path = data_dir / f"{table}.csv"
        if not path.exists():
            raise DataError(str(path), None, None, "is missing")
        return _read_csv(path, table, data_dir)

    src_rows, place_rows = read("sources"), read("places")
    member_rows, bd_rows, ind_rows = read("place_members"), read("breakdowns"), read("indicators")
    cav_rows, int_rows = read("caveats"), read("interpretations")
    passage_rows = read("passages")
    fig_rows = [
        row
        for path in sorted((data_dir / "figures").glob("*.csv"))
        for row in _read_csv(path, "figures", data_dir)
    ]

    source_ids = _unique(src_rows, "id", "source")
    place_codes = _unique(place_rows, "code", "place") | set(known_places)
    breakdown_ids = _unique(bd_rows, "id", "breakdown")
    indicator_ids = _unique(ind_rows, "id", "indicator")
    _unique(cav_rows, "id", "caveat")
    _unique(int_rows, "id", "interpretation")

    sources = []
    for r in src_rows:
        _one_of(r, "method", schema.SOURCE_METHODS)
        sources.append({**r.values, "origin": SEED})
    places = []
    for r in place_rows:
        _one_of(r, "kind", schema.PLACE_KINDS)
        places.append({**r.values, "origin": SEED})
    members = []
    for r in member_rows:
        _exists(r, "place", place_codes, "place")
        _exists(r, "member", place_codes, "place")
        members.append({**r.values, "origin": SEED})
    breakdowns = []
    for r in bd_rows:
        if r.values["id"].split(":", 1)[0] != r.values["dimension"]:
            raise DataError(
                r.file, r.line, "id", "must start with its dimension, as in sector:zorg"
            )
        breakdowns.append({**r.values, "sort": int(_number(r, "sort") or 0), "origin": SEED})
    indicators = []
    for r in ind_rows:
        _one_of(r, "unit", schema.UNITS)
        _one_of(r, "additive", ("ja", "nee"), default="nee")
        for source in filter(None, r.values["sources"].split("|")):
            if source not in source_ids:
                raise DataError(r.file, r.line, "sources", f"names {source!r}; no such source")
        if not r.values["label"]:
            raise DataError(
                r.file, r.line, "label", "is empty; every indicator needs a Dutch label"
            )
        indicators.append(
            {
                **r.values,
                "additive": 1 if r.values["additive"] == "ja" else 0,
                "sort": int(_number(r, "sort") or 0),
                "origin": SEED,
            }
        )
    figures = []
    counts = {i["id"] for i in indicators if never_negative(i["unit"], f"{i['id']} {i['label']}")}
    for r in fig_rows:
        _exists(r, "indicator", indicator_ids, "indicator")
        _exists(r, "place", place_codes, "place")
        _exists(r, "breakdown", breakdown_ids, "breakdown", optional=True)
        _exists(r, "source", source_ids, "source")
        qualifier = _one_of(r, "qualifier", schema.QUALIFIERS, default="exact")
        _matches(r, "period", schema.PERIOD, schema.PERIOD_EXPECTED)
        _matches(r, "ref_date", schema.ISO_DATE, schema.ISO_DATE_EXPECTED)
        value, low, high = _number(r, "value"), _number(r, "low"), _number(r, "high")
        if value is None and low is None and high is None:
            raise DataError(r.file, r.line, "value", "is empty and so are low and high")
        if qualifier == "range" and (low is None or high is None or low > high):
            raise DataError(r.file, r.line, "low", "a range needs low <= high")
        if r.values["indicator"] in counts:  # as an import refuses it (importing/sanity.py)
            for field, number in (("value", value), ("low", low), ("high", high)):
                if number is not None and number < 0:
                    raise DataError(r.file, r.line, field,
                                    f"is {r.values[field]}, a negative count; expected a number "
                                    "of people, jobs or businesses of at least 0")  # fmt: skip
        figures.append(
            {
                **r.values,
                "period": r.values["period"] or None,
                "breakdown": r.values["breakdown"] or None,
                "value": value,
                "low": low,
                "high": high,
                "qualifier": qualifier,
                "origin": SEED,
            }
        )
    _check_figure_keys(fig_rows)

    def rules(rows: list[Row]) -> list[dict]:
        out = []
        for r in rows:
            if not r.values["text"]:
                raise DataError(r.file, r.line, "text", "is empty")
            for field, known in (
                ("indicator", indicator_ids),
                ("place", place_codes),
                ("breakdown", breakdown_ids),
                ("source", source_ids),
            ):
                for item in filter(None, r.values.get(field, "").split("|")):
                    if item not in known:
                        raise DataError(r.file, r.line, field, f"names {item!r}; no such {field}")
            out.append({**{k: (v or None) for k, v in r.values.items()}, "origin": SEED})
        return out

    return SeedData(
        sources, places, members, breakdowns, indicators, figures, rules(cav_rows),
        rules(int_rows), _passages(passage_rows),
    )  # fmt: skip


def _passages(rows: list[Row]) -> list[dict]:
    """data/passages.csv: the report's text, one paragraph or slide per row."""
    _unique(rows, "id", "passage")
    for r in rows:
        _one_of(r, "document", passage_index.DOCUMENTS)
        for field in ("reference", "title", "text"):
            if not r.values[field]:
                raise DataError(r.file, r.line, field, "is empty; every passage needs one")
    return [dict(r.values) for r in rows]


def _check_figure_keys(rows: list[Row]) -> None:
    seen: dict[tuple, Row] = {}
    for r in rows:
        v = r.values
        key = (v["indicator"], v["place"], v["period"], v["breakdown"], v["source"], v["chapter"])
        if key in seen:
            first = seen[key]
            raise DataError(
                r.file, r.line, "indicator",
                f"repeats the figure of {first.file} line {first.line} (same indicator, place, "
                "period, breakdown, source and chapter)",
            )  # fmt: skip
        seen[key] = r


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
        from indicators.importing import records

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
