"""Bulk SQL for imports: the codes dictionary (code <-> id) and multi-row INSERTs within SQLite's limits."""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd

_ROWS_PER_INSERT = 500  # rows per multi-row INSERT: far fewer statements than executemany


_MAX_VARIABLES = 32_000  # SQLite's limit is 32,766 bound parameters per statement


class Codes:
    """The store's dictionary of key strings; new strings are added as they are met (the
    caller's transaction makes that all-or-nothing)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.ids: dict[str, int] = {
            c: i for i, c in conn.execute("SELECT id, code FROM codes WHERE id > 0")
        }
        self.names: dict[int, str] = {i: c for c, i in self.ids.items()}

    def id(self, code) -> int:
        if code is None or code == "" or code != code:  # None, '' and NaN: none
            return 0
        i = self.ids.get(code)
        if i is None:
            i = self.conn.execute("INSERT INTO codes (code) VALUES (?)", (code,)).lastrowid
            self.ids[code], self.names[i] = i, code
        return i

    def of(self, values, n: int) -> np.ndarray:
        """The ids of a column of ``n`` strings (a categorical one is looked up by category;
        None: none throughout)."""
        if values is None:
            return np.zeros(n, dtype=np.int64)
        if isinstance(values, pd.Series):
            values = values.array
        if isinstance(values, pd.Categorical):
            cats = values.categories.tolist()
            lookup = np.array([*(self.id(c) for c in cats), 0], dtype=np.int64)
            return lookup[values.codes]  # code -1 takes the last: none
        codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
        lookup = np.array([*(self.id(u) for u in uniques.tolist()), 0], dtype=np.int64)
        return lookup[codes]  # the sentinel -1 takes the last: none


def _constant(values: np.ndarray):
    """(True, the value) when every element is the same (NaN and None count as NULL)."""
    if values.dtype != object:
        first = values[0]
        if values.dtype.kind == "f" and np.isnan(first):
            return bool(np.isnan(values).all()), None
        return bool((values == first).all()), first.item()
    missing = pd.isna(values)
    if missing.all():
        return True, None
    if missing.any():
        return False, None
    first = values[0]
    return bool((values == first).all()), first


def insert_rows(conn: sqlite3.Connection, table: str, columns: dict[str, np.ndarray],
                n: int) -> None:  # fmt: skip
    """Insert ``n`` rows given as columns (equal-length arrays). A column with one value
    throughout is bound once per statement, the others per row, in multi-row INSERTs.
    An IntegrityError is raised as ``BatchFailed`` naming the rows of the failing batch."""
    const, varying = {}, {}
    for name, values in columns.items():
        same, value = _constant(values) if isinstance(values, np.ndarray) else (True, values)
        if same:
            const[name] = value
        else:
            varying[name] = values
    # Id columns (small non-negative integers) travel packed, three to a parameter, and
    # are taken apart by the statement: a third of the values to bind.
    ids = [c for c, v in varying.items() if v.dtype.kind in "iu" and _fits(v)]
    packs = [ids[i : i + 3] for i in range(0, len(ids), 3) if len(ids[i : i + 3]) > 1]
    packed = {c for pack in packs for c in pack}
    params: dict[str, np.ndarray] = {}
    selects: dict[str, str] = {}
    for pack in packs:
        number = np.zeros(n, dtype=np.int64)
        for c in pack:
            number = (number << _ID_BITS) | varying[c].astype(np.int64)
        params[f"pack{len(params)}"] = number
        for j, c in enumerate(pack):
            shift = _ID_BITS * (len(pack) - 1 - j)
            selects[c] = f"((column{len(params)} >> {shift}) & {_ID_MASK})"
    for c, v in varying.items():
        if c not in packed:
            params[c] = v
            selects[c] = f"column{len(params)}"
    names = ", ".join([*const, *selects])
    head = f"INSERT INTO {table} ({names}) SELECT {', '.join('?' * len(const))}"
    consts = list(const.values())
    varying, k = params, len(params)
    if not k:
        for start in range(n):
            _run(conn, head, consts, start, start + 1)
        return
    head += ", " + ", ".join(selects.values()) + " FROM (VALUES "
    one = f"({', '.join('?' * k)})"
    per = max(1, min(_ROWS_PER_INSERT, (_MAX_VARIABLES - len(consts)) // k))
    sql = head + ", ".join([one] * per) + ")"
    block = per * 100  # rows turned into Python values at a time: bounded memory
    for at in range(0, n, block):
        stop = min(n, at + block)
        grid = np.empty((stop - at, k), dtype=object)
        for j, values in enumerate(varying.values()):
            part = values[at:stop]
            grid[:, j] = part if part.dtype != object else np.where(pd.isna(part), None, part)
        flat = grid.ravel().tolist()
        del grid
        for start in range(at, stop, per):
            end = min(stop, start + per)
            rows = flat[(start - at) * k : (end - at) * k]
            statement = sql if end - start == per else head + ", ".join([one] * (end - start)) + ")"
            _run(conn, statement, consts + rows, start, end)


_ID_BITS = 21


_ID_MASK = (1 << _ID_BITS) - 1


def _fits(values: np.ndarray) -> bool:
    return bool(len(values)) and int(values.min()) >= 0 and int(values.max()) <= _ID_MASK


class BatchFailed(Exception):
    def __init__(self, start: int, stop: int):
        super().__init__(start, stop)
        self.start, self.stop = start, stop


def _run(conn: sqlite3.Connection, sql: str, params: list, start: int, stop: int) -> None:
    try:
        conn.execute(sql, params)
    except sqlite3.IntegrityError:
        raise BatchFailed(start, stop) from None
