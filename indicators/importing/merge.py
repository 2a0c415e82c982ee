"""Staging and merging figures, set-based in SQLite: rows are staged in a temporary table,
then one statement records what changed (``figure_history``) and one upserts them into
``figures`` on its unique key. Nothing here loops over rows in Python except staging."""

from __future__ import annotations

import sqlite3

import numpy as np
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


KEY_COLUMNS = ["indicator", "place", "period", "breakdown", "source", "chapter"]
_VALUE_COLUMNS = [c for c in STAGE_COLUMNS if c != "ref" and c not in KEY_COLUMNS]
_ROWS_PER_INSERT = 500  # rows per multi-row INSERT: far fewer statements than executemany


class Stager:
    """Stages figure rows compactly, then in the order of the store's unique key.

    While the file is read (``add``), each chunk goes into ``temp.{name}_raw`` with its key
    columns as small integers (one dictionary of the distinct codes, kept in memory: its
    size is that of the file's places, periods and breakdowns, not of its rows), using
    multi-row INSERTs. ``finish`` then copies the rows, sorted, into ``temp.{name}``, whose
    primary key is the figure's key (so a figure given twice is found there, before the
    store is written) and puts a view ``temp.{name}_rows`` over it that has the figure
    columns as text again, in the key's order: loading from it grows the store's indexes
    at their ends instead of all over them."""

    def __init__(self, conn: sqlite3.Connection, name: str) -> None:
        self.conn, self.name = conn, name
        self.codes: dict[str, int] = {"": 0}  # '' and NULL are one key (the key coalesces)
        self.used: dict[str, set[int]] = {c: set() for c in KEY_COLUMNS}
        self.rows = 0
        for suffix in ("_rows",):
            conn.execute(f"DROP VIEW IF EXISTS temp.{name}{suffix}")
        for suffix in ("", "_raw", "_ids", "_codes"):
            conn.execute(f"DROP TABLE IF EXISTS temp.{name}{suffix}")
        conn.execute(
            f"CREATE TEMP TABLE {name}_raw (ref, {', '.join(f'{c} INTEGER' for c in KEY_COLUMNS)},"
            " value REAL, low REAL, high REAL, qualifier TEXT, value_text TEXT, ref_date TEXT,"
            " note TEXT, status TEXT, missing_reason TEXT)"
        )

    def _ids(self, values: pd.Series) -> tuple[list[int], set[int]]:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        known = self.codes
        ids = [known.setdefault(u, len(known)) if u == u else 0 for u in uniques.tolist()]
        lookup = np.array([*ids, 0], dtype=np.int64)  # the sentinel -1 takes the last: NULL
        distinct = set(ids) | ({0} if len(ids) < len(codes) and (codes < 0).any() else set())
        return lookup[codes].tolist(), distinct

    def add(self, frame: pd.DataFrame, file: str) -> int:
        """Stage a chunk of figure rows (STAGE_COLUMNS); the number of rows."""
        n = len(frame)
        if not n:
            return 0
        columns, values = ["ref"], [frame["ref"].tolist()]
        for c in KEY_COLUMNS:
            ids, distinct = self._ids(frame[c])
            self.used[c].update(distinct)
            columns.append(c)
            values.append(ids)
        for c in _VALUE_COLUMNS:
            # Columns empty throughout the chunk are left to the table's default (NULL);
            # NaN is bound as NULL by SQLite.
            col = frame[c]
            if col.isna().all():
                continue
            columns.append(c)
            values.append(col.tolist())
        flat = [v for row in zip(*values, strict=True) for v in row]
        k = len(columns)
        per = max(1, min(_ROWS_PER_INSERT, 30_000 // k))
        one = f"({', '.join('?' * k)})"
        head = f"INSERT INTO temp.{self.name}_raw ({', '.join(columns)}) VALUES "  # noqa: S608
        full = n - n % per
        if full:
            sql = head + ", ".join([one] * per)
            step = per * k
            for start in range(0, full * k, step):
                self.conn.execute(sql, flat[start : start + step])
        if full < n:
            self.conn.execute(head + ", ".join([one] * (n - full)), flat[full * k :])
        self.rows += n
        return n

    def name_of(self, i: int | None) -> str:
        if not hasattr(self, "_names") or len(self._names) != len(self.codes):
            self._names = {n: c for c, n in self.codes.items()}
        return self._names.get(i, "")

    def values(self, column: str) -> set[str]:
        """The distinct codes staged in a key column (without NULL)."""
        names = {i: c for c, i in self.codes.items()}
        return {names[i] for i in self.used[column] if i}

    def finish(self, file: str) -> None:
        """Sort the staged rows into the unique key's order; refuse a figure given twice."""
        conn, name = self.conn, self.name
        ordered = sorted(c for c in self.codes if c)  # Python's str order is SQLite's BINARY
        rank = {c: r for r, c in enumerate(ordered, start=1)}
        conn.execute(f"CREATE TEMP TABLE {name}_ids (id INTEGER PRIMARY KEY, rank INTEGER)")
        conn.executemany(f"INSERT INTO temp.{name}_ids VALUES (?, ?)",  # noqa: S608
                         [(i, rank.get(c, 0)) for c, i in self.codes.items()])  # fmt: skip
        conn.execute(f"CREATE TEMP TABLE {name}_codes (rank INTEGER PRIMARY KEY, code TEXT)")
        conn.execute(f"INSERT INTO temp.{name}_codes VALUES (0, NULL)")  # noqa: S608
        conn.executemany(f"INSERT INTO temp.{name}_codes VALUES (?, ?)",  # noqa: S608
                         [(r, c) for c, r in rank.items()])  # fmt: skip
        keys = ", ".join(KEY_COLUMNS)
        conn.execute(
            f"CREATE TEMP TABLE {name} (ref, {', '.join(f'{c} INTEGER' for c in KEY_COLUMNS)},"
            " value REAL, low REAL, high REAL, qualifier TEXT, value_text TEXT, ref_date TEXT,"
            f" note TEXT, status TEXT, missing_reason TEXT, PRIMARY KEY ({keys})) WITHOUT ROWID"
        )
        # A column with one value throughout (the source, often the indicator) needs no
        # look-up per row: its rank (an int computed here) is written into the statement.
        single = {c: rank.get(self.name_of(next(iter(ids))), 0)
                  for c, ids in self.used.items() if len(ids) <= 1}  # fmt: skip
        for c in KEY_COLUMNS:
            if c in single and not self.used[c]:
                single[c] = 0
        joins = " ".join(f"JOIN temp.{name}_ids k{j} ON k{j}.id = r.{c}"
                         for j, c in enumerate(KEY_COLUMNS) if c not in single)  # fmt: skip
        ranks = ", ".join(str(single[c]) if c in single else f"k{j}.rank"
                          for j, c in enumerate(KEY_COLUMNS))  # fmt: skip
        order = ", ".join(f"k{j}.rank" for j, c in enumerate(KEY_COLUMNS) if c not in single)
        rest = ", ".join(f"r.{c}" for c in _VALUE_COLUMNS)
        try:
            conn.execute(
                f"INSERT INTO temp.{name} (ref, {keys}, {', '.join(_VALUE_COLUMNS)})"  # noqa: S608
                f" SELECT r.ref, {ranks}, {rest} FROM temp.{name}_raw r {joins}"
                + (f" ORDER BY {order}" if order else "")
            )
        except sqlite3.IntegrityError:
            raise self._repeated(file) from None
        conn.execute(f"DROP TABLE temp.{name}_raw")
        # CROSS JOIN keeps the staged table as the outer loop: rows come in its key order.
        texts = ", ".join(f"c{j}.code AS {c}" for j, c in enumerate(KEY_COLUMNS))
        cjoins = " ".join(
            f"CROSS JOIN temp.{name}_codes c{j} ON c{j}.rank = {single[c] if c in single else f's.{c}'}"
            for j, c in enumerate(KEY_COLUMNS))  # fmt: skip
        conn.execute(
            f"CREATE TEMP VIEW {name}_rows AS SELECT s.ref, {texts},"  # noqa: S608
            f" {', '.join(f's.{c}' for c in _VALUE_COLUMNS)}, 0 AS computed"
            f" FROM temp.{name} s {cjoins}"
        )

    def find(self, key: tuple) -> tuple | None:
        """(ref, indicator, place, period) of the staged figure with this key, if any."""
        ids = []
        for code in key:
            i = self.codes.get(code if code is not None else "")
            if i is None:
                return None
            ids.append(i)
        where = " AND ".join(f"k{j}.id = ? AND s.{c} = k{j}.rank"
                             for j, c in enumerate(KEY_COLUMNS))  # fmt: skip
        ranks = ", ".join(f"temp.{self.name}_ids k{j}" for j in range(len(KEY_COLUMNS)))
        row = self.conn.execute(
            f"SELECT s.ref FROM {ranks}, temp.{self.name} s WHERE {where}",  # noqa: S608
            ids,
        ).fetchone()
        return (row[0], key[0], key[1], key[2]) if row else None

    def _repeated(self, file: str) -> ImportRefused:
        """The first line (in file order) that repeats an earlier figure."""
        name = self.name
        parts = ", ".join(f"r.{c}" for c in KEY_COLUMNS)  # ids: '' and NULL are both 0
        row = self.conn.execute(
            f"WITH n AS (SELECT r.rowid AS at, r.ref, r.indicator, r.place, r.period,"  # noqa: S608
            f" row_number() OVER (PARTITION BY {parts} ORDER BY r.rowid) AS nth,"
            f" first_value(r.ref) OVER (PARTITION BY {parts} ORDER BY r.rowid) AS first"
            f" FROM temp.{name}_raw r)"
            " SELECT first, ref, indicator, place, period FROM n WHERE nth = 2 ORDER BY at LIMIT 1"
        ).fetchone()
        names = {i: c for c, i in self.codes.items()}
        first, second, indicator, place, period = row
        return _refuse_repeat(file, first, second, names[indicator], names[place],
                              names[period] or None)  # fmt: skip


def _refuse_repeat(file: str, first, second, indicator, place, period) -> ImportRefused:
    where = f"line {first}" if isinstance(first, int) else first
    return ImportRefused([DataError(file, second, None,
                                    f"repeats the figure of {where} ({indicator}, {place}, "
                                    f"{period or 'no period'}); expected each figure once")])  # fmt: skip


def merge(conn: sqlite3.Connection, name: str, import_id: int, now: str, *,
          staged: int | None = None, keys: tuple[list, list] | None = None) -> tuple[int, int, int]:  # fmt: skip
    """Upsert the staged rows of ``temp.{name}`` (a table or view with the figure columns,
    each figure once) into figures; (added, changed, unchanged). A changed figure's old
    values go to figure_history. A computed row never replaces a published one. The rows
    are inserted in the order ``temp.{name}`` gives them (``Stager``: the key's order)."""
    if staged is None:
        staged = conn.execute(f"SELECT count(*) FROM temp.{name}").fetchone()[0]  # noqa: S608
    guard = " AND (s.computed = 0 OR f.computed = 1)"
    if keys is None:  # (indicators, sources) staged
        known = conn.execute(
            f"SELECT 1 FROM figures WHERE indicator IN (SELECT DISTINCT indicator FROM temp.{name})"  # noqa: S608
            f" AND source IN (SELECT DISTINCT source FROM temp.{name}) LIMIT 1"
        ).fetchone()
    else:
        marks = lambda items: ", ".join("?" * len(items))  # noqa: E731
        known = conn.execute(
            f"SELECT 1 FROM figures WHERE indicator IN ({marks(keys[0])})"  # noqa: S608
            f" AND source IN ({marks(keys[1])}) LIMIT 1",
            (*keys[0], *keys[1]),
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
        " HAVING count(DISTINCT place) = ? AND count(*) = ?"
        # In the key's order (computed is a rowid table: merge reads it in this order).
        " ORDER BY indicator, coalesce(period, ''), coalesce(breakdown, ''), source,"
        " coalesce(chapter, '')",
        (region, f"berekend: som van de {word} gemeenten", *members, *indicators, *sources,
         len(members), len(members)),
    )  # fmt: skip
    merge(conn, "computed", import_id, now)
    return conn.execute("SELECT count(*) FROM temp.computed").fetchone()[0]
