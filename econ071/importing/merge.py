"""Writing imported figures into the store, in bulk and set-based.

The import runs in one transaction (a file that fails anywhere is rolled back: the store
is left as it was), so rows go straight into ``figure_values``: each chunk's key strings
become ids (the ``codes`` dictionary, see econ071.store.schema), the chunk is sorted by the
store's key, and

- rows of indicators that had no figures before this import are inserted as they are
  (multi-row INSERTs; a figure given twice trips the unique key);
- other rows go through a temporary table: a figure of data/ or one given earlier in the
  file is refused, what a newer release changes is kept in ``figure_history``, and the
  rows are upserted on the key. A computed row never replaces a published one.

Nothing here loops over rows in Python except binding them."""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd

from econ071.importing.bulk import BatchFailed, Codes, insert_rows

# The figure's key, in the order of figure_values' primary key (see econ071.store.schema).
KEY_COLUMNS = ("indicator", "place", "breakdown", "period", "source", "chapter")
CODED = (*KEY_COLUMNS, "status", "missing_reason")  # stored as ids into ``codes``
PLAIN = ("value", "low", "high", "qualifier", "value_text", "ref_date", "note")
_COMPARED = ("value", "low", "high", "qualifier", "value_text", "note", "ref_date", "status",
             "missing_reason")  # fmt: skip
_JOIN = " AND ".join(f"f.{c} = c.{c}" for c in KEY_COLUMNS)
WRITE_ROWS = 500_000  # rows sorted and written together (~25 MB as ids) …
WRITE_TEXT_BYTES = 64 << 20  # … or fewer, when their notes and value texts are long
# Least final first: a sum is as final as its least final part (a forecast's is a forecast).
STATUS_ORDER = ("prognose", "voorlopig", "nader voorlopig", "definitief")


class Repeated(Exception):
    """A figure given twice in one file: its key (strings), the line (or observation) that
    repeats it and, when known, the one it repeats."""

    def __init__(self, key: dict[str, str | None], ref, first=None, seed: bool = False):
        super().__init__(key, ref, first)
        self.key, self.ref, self.first, self.seed = key, ref, first, seed


class FigureWriter:
    """Writes the figures of one import (``import_id``) into figure_values; counts what
    it added, changed and left unchanged, and which codes it used."""

    def __init__(self, conn: sqlite3.Connection, import_id: int, now: str) -> None:
        self.conn, self.import_id, self.now = conn, import_id, now
        self.codes = Codes(conn)
        self.fresh: dict[int, bool] = {}  # indicator id -> had no figures before
        self.used: dict[str, set[int]] = {c: set() for c in KEY_COLUMNS}
        self.rows = self.added = self.changed = self.unchanged = 0
        self._chunk_table = False
        self._buffer: list[dict[str, np.ndarray]] = []
        self._buffered = 0
        self._text_bytes = 0  # characters of text (notes, value texts) buffered

    def values(self, column: str) -> set[str]:
        """The distinct codes written in a key column (without none)."""
        return {self.codes.names[i] for i in self.used[column] if i}

    def _key(self, ids: dict[str, int]) -> dict[str, str | None]:
        return {c: self.codes.names.get(int(ids[c])) for c in KEY_COLUMNS}

    def _row_key(self, columns: dict[str, np.ndarray], i: int) -> dict[str, str | None]:
        return self._key({c: columns[c][i] for c in KEY_COLUMNS})

    def add(self, frame) -> None:
        """Take a chunk of figure rows: a DataFrame or a dict of columns (STAGE_COLUMNS;
        None for a column empty throughout). They are written once WRITE_ROWS have come
        together (as ids: a few bytes a row), sorted by the store's key: the fewer and
        longer the sorted runs, the faster the writing."""
        refs = np.asarray(frame["ref"])
        n = len(refs)
        if not n:
            return
        part = {c: self.codes.of(frame[c], n).astype(np.int32) for c in CODED}
        part["ref"] = refs
        for c in PLAIN:  # a column empty throughout (most are) is kept as None, not as rows
            values = frame[c]
            values = None if values is None else np.asarray(values)
            part[c] = None if values is None or pd.isna(values).all() else values
            if part[c] is not None and part[c].dtype == object:  # text: count its bytes
                self._text_bytes += int(pd.Series(part[c]).str.len().sum())
        self._buffer.append(part)
        self._buffered += n
        if self._buffered >= WRITE_ROWS or self._text_bytes >= WRITE_TEXT_BYTES:
            self._flush()

    def finish(self) -> None:
        """Write what is still buffered."""
        self._flush()

    def _flush(self) -> None:
        if not self._buffer:
            return
        parts, n = self._buffer, self._buffered
        self._buffer, self._buffered, self._text_bytes = [], 0, 0
        lengths = [len(p["ref"]) for p in parts]
        whole = {c: _concatenate([p[c] for p in parts], lengths) for c in parts[0]}
        del parts
        order = np.lexsort([whole[c] for c in reversed(KEY_COLUMNS)])  # stable: file order
        columns = {c: whole[c][order] for c in CODED}
        refs = whole["ref"][order]
        keys = np.column_stack([columns[c] for c in KEY_COLUMNS])
        same = (keys[1:] == keys[:-1]).all(axis=1)
        if same.any():
            i = int(np.flatnonzero(same)[0])
            raise Repeated(self._row_key(columns, i + 1), _ref(refs[i + 1]), first=_ref(refs[i]))
        del keys, same
        for c in KEY_COLUMNS:
            self.used[c].update(np.unique(columns[c]).tolist())
        for c in PLAIN:
            columns[c] = whole[c][order] if whole[c] is not None else None
        del whole
        qualifier = columns["qualifier"]
        if qualifier is not None and qualifier.dtype == object:
            columns["qualifier"] = np.where(qualifier == "exact", None, qualifier)
        indicators = np.unique(columns["indicator"]).tolist()
        for ind in indicators:
            if ind not in self.fresh:
                self.fresh[ind] = not self.conn.execute(
                    "SELECT 1 FROM figure_values WHERE indicator = ? LIMIT 1", (ind,)
                ).fetchone()
        if all(self.fresh[i] for i in indicators):
            columns["import_id"] = np.full(n, self.import_id)
            try:
                insert_rows(self.conn, "figure_values", columns, n)
            except BatchFailed as failed:
                raise self._repeated_in(columns, refs, failed) from None
            self.added += n
        else:
            columns["computed"] = np.zeros(n, dtype=np.int64)
            columns["ref"] = refs
            self._stage(columns, n)
            self._check_repeats()
            self._merge(n)
        self.rows += n

    def _repeated_in(self, columns, refs, failed: BatchFailed) -> Repeated:
        """The row of a failed batch whose key is already written (by this import)."""
        where = " AND ".join(f"{c} = ?" for c in KEY_COLUMNS)
        for i in range(failed.start, failed.stop):
            key = [int(columns[c][i]) for c in KEY_COLUMNS]
            if self.conn.execute(f"SELECT 1 FROM figure_values WHERE {where}", key).fetchone():  # noqa: S608
                return Repeated(self._row_key(columns, i), _ref(refs[i]))
        raise AssertionError("a batch failed without a repeated key")  # pragma: no cover

    # -- the upsert path ---------------------------------------------------------------
    def _stage(self, columns: dict[str, np.ndarray], n: int) -> None:
        self._ensure_chunk_table()
        self.conn.execute("DELETE FROM temp.chunk")
        insert_rows(self.conn, "temp.chunk", columns, n)

    def _ensure_chunk_table(self) -> None:
        if not self._chunk_table:
            self.conn.execute("DROP TABLE IF EXISTS temp.chunk")
            self.conn.execute(
                "CREATE TEMP TABLE chunk (ref, indicator INTEGER, place INTEGER,"
                " period INTEGER, breakdown INTEGER, source INTEGER, chapter INTEGER,"
                " value REAL, low REAL, high REAL, qualifier TEXT, value_text TEXT,"
                " ref_date TEXT, note TEXT, status INTEGER, missing_reason INTEGER,"
                " computed INTEGER)"
            )
            # The keys this import upserted: an unchanged figure keeps its import id, so
            # a repeat of it later in the file is found here.
            self.conn.execute("DROP TABLE IF EXISTS temp.upserted")
            self.conn.execute(
                f"CREATE TEMP TABLE upserted ({', '.join(KEY_COLUMNS)},"  # noqa: S608
                f" PRIMARY KEY ({', '.join(KEY_COLUMNS)})) WITHOUT ROWID"
            )
            self._chunk_table = True

    def _check_repeats(self) -> None:
        """A staged row may not repeat a figure of data/, nor one given earlier in the file
        (written by this import, or upserted by it unchanged)."""
        keys = ", ".join(f"c.{k}" for k in KEY_COLUMNS)
        row = self.conn.execute(
            f"SELECT c.ref, f.import_id IS NULL, {keys}"  # noqa: S608
            f" FROM temp.chunk c JOIN figure_values f ON {_JOIN}"
            " WHERE f.import_id IS NULL OR f.import_id = ? ORDER BY c.rowid LIMIT 1",
            (self.import_id,),
        ).fetchone()
        if not row:
            try:
                self.conn.execute(f"INSERT INTO temp.upserted SELECT {keys} FROM temp.chunk c")  # noqa: S608
            except sqlite3.IntegrityError:
                on = " AND ".join(f"u.{k} = c.{k}" for k in KEY_COLUMNS)
                row = self.conn.execute(
                    f"SELECT c.ref, 0, {keys} FROM temp.chunk c JOIN temp.upserted u ON {on}"  # noqa: S608
                    " ORDER BY c.rowid LIMIT 1"
                ).fetchone()
        if row:
            key = dict(zip(KEY_COLUMNS, row[2:], strict=True))
            raise Repeated(self._key(key), row[0], seed=bool(row[1]))

    def _merge(self, n: int) -> None:
        """Upsert temp.chunk into figure_values; a changed figure's old values go to
        figure_history."""
        same = " AND ".join(f"f.{c} IS c.{c}" for c in _COMPARED)
        code = "(SELECT code FROM codes WHERE id = {})".format
        changed = self.conn.execute(
            f"INSERT INTO figure_history ({', '.join(KEY_COLUMNS)}, import_id, old_import_id,"  # noqa: S608
            " changed_at, old_value, new_value, old_low, new_low, old_high, new_high, old_status,"
            " new_status, old_missing_reason, new_missing_reason)"
            f" SELECT {', '.join(f'f.{k}' for k in KEY_COLUMNS)}, ?, f.import_id, ?, f.value,"
            " c.value, f.low, c.low, f.high, c.high,"
            f" {code('f.status')}, {code('c.status')}, {code('f.missing_reason')},"
            f" {code('c.missing_reason')}"
            f" FROM temp.chunk c JOIN figure_values f ON {_JOIN}"
            f" WHERE NOT ({same}) AND (c.computed = 0 OR f.computed = 1)",
            (self.import_id, self.now),
        ).rowcount
        columns = ", ".join((*CODED, *PLAIN, "computed"))
        updates = ", ".join(f"{c} = excluded.{c}" for c in (*_COMPARED, "computed", "import_id"))
        unchanged = " AND ".join(f"figure_values.{c} IS excluded.{c}" for c in _COMPARED)
        before = self.conn.total_changes
        self.conn.execute(
            f"INSERT INTO figure_values ({columns}, import_id)"  # noqa: S608
            f" SELECT {columns}, ? FROM temp.chunk WHERE true"
            f" ON CONFLICT ({', '.join(KEY_COLUMNS)}) DO UPDATE SET {updates}"
            f" WHERE NOT ({unchanged})"
            " AND (excluded.computed = 0 OR figure_values.computed = 1)",
            (self.import_id,),
        )
        written = self.conn.total_changes - before
        self.added += written - changed
        self.changed += changed
        self.unchanged += n - written


def _concatenate(parts: list[np.ndarray | None], lengths: list[int]) -> np.ndarray | None:
    """Parts of a column; None for a part empty throughout (None: all are)."""
    if all(p is None for p in parts):
        return None
    return np.concatenate([p if p is not None else np.full(n, None, dtype=object)
                           for p, n in zip(parts, lengths, strict=True)])  # fmt: skip


def _ref(ref):
    """A line number as int (numpy's integers are not JSON's), else as given."""
    return int(ref) if isinstance(ref, np.integer) else ref
