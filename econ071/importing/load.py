"""Import one file (or OData folder) into the store, in one transaction:

1. read the file in chunks, check every row, and write the figures (merge.FigureWriter:
   new ones added, changed ones updated with their old values kept in ``figure_history``,
   the same ones left alone);
2. then the catalog rows (source, indicators, places, breakdowns), the 071 region summed
   from its six municipalities where a measure is additive, and the import record.

A file that fails anywhere is rolled back: the store is left exactly as it was, and
readers never see half an import.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from econ071.core import paths
from econ071.core.errors import DataError
from econ071.core.places import REGION_071
from econ071.importing import cbs_odata, detect, mapping, regions, sanity, statline_csv, tidy_csv
from econ071.importing.catalog_rows import _write_catalog
from econ071.importing.checks import (
    _REFERENCES,
    _check_lifetimes,
    _check_references,
    _check_release,
)
from econ071.importing.errors import ImportRefused, refuse
from econ071.importing.merge import KEY_COLUMNS, FigureWriter, Repeated
from econ071.importing.model import STAGE_COLUMNS, ParsedFile
from econ071.importing.plan import IndicatorPlan, plan, source_id
from econ071.importing.region_sums import compute_region
from econ071.rendering import formatting
from econ071.store import counts, health
from econ071.store import figures as store
from econ071.store import imports as records
from econ071.store import regions as store_regions


@dataclass(frozen=True)
class ImportResult:
    import_id: int
    file: str
    format: str
    table_id: str | None
    title: str
    sha256: str
    added: int
    changed: int
    unchanged: int
    computed: int
    indicators: tuple[str, ...]
    warnings: tuple[str, ...]
    seconds: tuple[float, float] = (0.0, 0.0)  # (read, check, write figures; catalog, 071, commit)


def file_hash(det: detect.Detected) -> str:
    h = hashlib.sha256()
    for path in det.files():
        if det.format == detect.ODATA:
            h.update(path.name.encode() + b"\0")
        with path.open("rb") as fh:
            while block := fh.read(1 << 20):
                h.update(block)
    return h.hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def import_file(
    db_path: Path | None,
    path: Path,
    *,
    mapping_files: list[Path] = (),
    table_id: str | None = None,
    data_dir: Path | None = None,
    origin: str | None = None,
) -> ImportResult:
    """Import ``path``; raise ImportRefused (store untouched) when it does not validate.
    ``origin`` is recorded as the import's file instead of the path (``econ071 sync``
    records the table's URL, not the temporary folder it downloaded to)."""
    data_dir = data_dir or paths.data_dir()
    db_path = store.ensure_built(db_path, data_dir)
    with health.translated(db_path):
        return _import_file(db_path, path, list(mapping_files), table_id, data_dir, origin)


def _import_file(db_path: Path, path: Path, mapping_files: list[Path], table_id: str | None,
                 data_dir: Path, origin: str | None) -> ImportResult:  # fmt: skip
    det = detect.detect(path)
    try:
        maps = mapping.load(data_dir / "mappings", list(mapping_files))
    except DataError as exc:
        raise ImportRefused([exc]) from None
    conn = store.connect(db_path, ensure=False, timeout=30, autocommit=True)
    try:
        conn.execute("PRAGMA temp_store = FILE")
        # A bigger page cache (bounded: 64 MiB) keeps large imports from spilling pages.
        conn.execute("PRAGMA cache_size = -65536")
        health.limit_size(conn)
        return _import(conn, det, maps, table_id, data_dir, origin)
    except DataError as exc:
        raise ImportRefused([exc]) from None
    finally:
        conn.close()


def _place_names(
    conn: sqlite3.Connection, reference: dict, maps: mapping.Mapping
) -> regions.PlaceNames:
    names = regions.PlaceNames(
        reference, conn.execute("SELECT code, name, kind, synonyms FROM places").fetchall()
    )
    for code, synonyms in maps.place_synonyms.items():
        kind = reference[code].kind if code in reference else store_regions.kind_of(code) or "regio"
        for phrase in synonyms:
            names.add_synonym(phrase, code, kind)
    return names


def _read(conn: sqlite3.Connection, det: detect.Detected, maps: mapping.Mapping,
          table_id: str | None, reference: dict) -> ParsedFile:  # fmt: skip
    if det.format == detect.ODATA:
        return cbs_odata.read(det, maps.table(det.table_id).method)
    if det.format == detect.STATLINE:
        return statline_csv.read(det, maps, _place_names(conn, reference, maps), table_id)
    known = tidy_csv.Known(*(
        frozenset(r[0] for r in conn.execute(f"SELECT {col} FROM {table}"))  # noqa: S608
        for table, col in (("indicators", "id"), ("places", "code"), ("breakdowns", "id"),
                           ("sources", "id"))
    ))  # fmt: skip
    return tidy_csv.read(det, known, reference)


def _import(conn: sqlite3.Connection, det: detect.Detected, maps: mapping.Mapping,
            table_id: str | None, data_dir: Path, origin: str | None = None) -> ImportResult:  # fmt: skip
    started = time.perf_counter()
    reference = store_regions.reference(data_dir / "mappings")
    now = _now()
    # One transaction: the file is read, checked and written chunk by chunk; anything
    # wrong anywhere rolls it all back. Readers of the store see the import only whole.
    conn.execute("BEGIN IMMEDIATE")
    try:
        records.ensure(conn)
        parsed = _read(conn, det, maps, table_id, reference)
        src = source_id(parsed.table, det.path.stem)
        plans, warnings = ([], [])
        if not parsed.tidy:
            plans, warnings = plan(conn, maps, parsed.table, parsed.measures, parsed.file,
                                   det.path.stem)  # fmt: skip
        if parsed.table.release:
            _check_release(conn, parsed)
        import_id = conn.execute(
            "INSERT INTO imports (file, sha256, format, table_id, title, imported_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                origin or str(det.path),
                "",
                det.format,
                parsed.table.table_id,
                parsed.table.title,
                now,
            ),  # fmt: skip
        ).lastrowid
        writer = FigureWriter(conn, import_id, now)
        lifetimes = {c: r for c, r in {**reference, **parsed.regions}.items() if r.end}
        checks = sanity.for_import(conn, parsed, plans, maps)
        try:
            for chunk in _read_ahead(parsed.chunks):
                if parsed.tidy:
                    checks.figures(chunk)
                else:
                    chunk = checks.observations(chunk)
                frame = chunk if parsed.tidy else _figures(chunk, plans, src)
                if parsed.checks_lifetime:
                    _check_lifetimes(frame, lifetimes, parsed)
                writer.add(frame)
            writer.finish()
        except Repeated as repeated:
            raise _refuse_repeat(parsed.file, repeated, lambda: _read(
                conn, det, maps, table_id, reference), plans, src) from None  # fmt: skip
        if writer.rows == 0:
            raise refuse(parsed.file, None, None, "holds no figures")
        sha = file_hash(det)  # after reading: a file refused is not read twice
        written_at = time.perf_counter()
        seen = {c: writer.values(c) for c, _, _ in _REFERENCES}  # distinct values written
        used = seen["indicator"]
        plans = [p for p in plans if p.id in used]
        _write_catalog(conn, parsed, plans, src, reference, maps, seen["place"])
        added, changed, unchanged = writer.added, writer.changed, writer.unchanged
        computed = 0  # the 071 sums are counted apart (import_details.rows_computed)
        additive = {p.id for p in plans if p.additive}
        if parsed.tidy:
            additive = {r[0] for r in conn.execute(
                "SELECT id FROM indicators WHERE additive = 1") if r[0] in used}  # fmt: skip
        sources = sorted(seen["source"])
        if additive:
            computed = compute_region(writer, REGION_071, sorted(additive), sources)
        conn.execute(
            "UPDATE imports SET rows_added = ?, rows_changed = ?, rows_unchanged = ?, sha256 = ?"
            " WHERE id = ?",
            (added, changed, unchanged, sha, import_id),
        )
        conn.execute(
            "INSERT OR REPLACE INTO import_details (import_id, source, release, rows_computed, indicators,"
            " mappings, warnings) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (import_id, "|".join(sources), parsed.table.release, computed,
             "|".join(sorted(used)), "|".join(maps.sources), "\n".join(warnings) or None),
        )  # fmt: skip
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('imported_at', ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (now,),
        )
        _check_references(conn, parsed.file, seen)
        counts.record_counts_by_source(conn)
        conn.execute("COMMIT")
    except BaseException:
        _rollback(conn)
        raise
    return ImportResult(import_id, origin or str(det.path), det.format, parsed.table.table_id,
                        parsed.table.title, sha, added, changed, unchanged, computed,
                        tuple(sorted(used)), tuple(warnings),
                        (written_at - started, time.perf_counter() - written_at))  # fmt: skip


def _rollback(conn: sqlite3.Connection) -> None:
    """Roll back what is still open. After SQLITE_FULL (or an I/O error) SQLite may have
    rolled the transaction back itself: a second ROLLBACK would then fail with "no
    transaction is active" and hide the real error, which is what is raised."""
    if not conn.in_transaction:
        return
    try:
        conn.execute("ROLLBACK")
    except sqlite3.Error:
        pass  # the error being raised says what went wrong; SQLite rolls back on close


def _read_ahead(chunks: Iterator) -> Iterator:
    """The chunks, the next one read in a thread while this one is written: parsing the
    CSV (pandas) and writing (SQLite) both let go of the GIL, so on two cores they overlap.
    One chunk ahead at most: memory stays bounded. A reader's error is raised here."""
    done = object()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="econ071-read") as pool:
        ahead = pool.submit(next, chunks, done)
        while (chunk := ahead.result()) is not done:
            ahead = pool.submit(next, chunks, done)
            yield chunk


def _refuse_repeat(file: str, repeated: Repeated, reread, plans, src) -> ImportRefused:
    """The precise error for a figure given twice (or given by data/ already). The line
    it repeats is looked up by reading the file again: only on this error path."""
    key = repeated.key
    period = key["period"] or "no period"
    if repeated.seed:
        return refuse(file, repeated.ref, "source",
                      f"repeats a figure of data/ ({key['indicator']}, {key['place']}, {period},"
                      " same source and chapter); expected figures that data/ does not have —"
                      " correct data/ instead")  # fmt: skip
    first = repeated.first
    if first is None:
        parsed = reread()
        for chunk in parsed.chunks:
            frame = chunk if parsed.tidy else _figures(chunk, plans, src)
            refs = np.asarray(frame["ref"])
            hit = np.ones(len(refs), dtype=bool)
            for c in KEY_COLUMNS:
                column = frame[c] if frame[c] is not None else [None] * len(refs)
                hit &= (pd.Series(column, dtype=object).fillna("") == (key[c] or "")).to_numpy()
            if hit.any():
                first = refs[hit][0]
                first = int(first) if isinstance(first, np.integer) else first
                break
    where = f"line {first}" if isinstance(first, int) else first
    return refuse(file, repeated.ref, None,
                  f"repeats the figure of {where} ({key['indicator']}, {key['place']}, {period});"
                  " expected each figure once")  # fmt: skip


def _figures(chunk: pd.DataFrame, plans: list[IndicatorPlan], src: str) -> dict:
    """CBS observations -> figure rows: measure -> indicator, published unit -> whole units.
    Worked out per measure, then spread over the rows. The rows are columns in a dict (the
    STAGE_COLUMNS; None for a column empty throughout): FigureWriter takes them as they are."""
    by_measure = {p.measure: p for p in plans}
    codes, measures = pd.factorize(chunk["measure"])
    planned = [by_measure[m] for m in measures]
    scale = np.array([p.scale for p in planned], dtype="float64")[codes]
    published = chunk["value"].to_numpy(dtype="float64")
    value = published.copy()
    value_text = None
    scaled = (scale != 1.0) & ~np.isnan(published)
    if scaled.any():  # in decimal arithmetic, and the published value kept as text
        value[scaled] = [formatting.product(v, f) for v, f in
                         zip(published[scaled].tolist(), scale[scaled].tolist(), strict=True)]  # fmt: skip
        unit_text = np.array([p.unit_text for p in planned], dtype=object)[codes]
        value_text = np.full(len(chunk), None, dtype=object)
        value_text[scaled] = [f"{formatting.number(v)} ({u})" for v, u in
                              zip(published[scaled].tolist(), unit_text[scaled], strict=True)]  # fmt: skip
    ids = list(dict.fromkeys(p.id for p in planned))
    indicator = pd.Categorical.from_codes(
        np.array([ids.index(p.id) for p in planned], dtype=np.int32)[codes],
        categories=pd.Index(ids, dtype=object),
    )
    n = len(chunk)
    out = {
        "ref": chunk["ref"].to_numpy(),
        "indicator": indicator,
        "place": chunk["place"].array,
        "period": chunk["period"].array,
        "breakdown": chunk["breakdown"].array,
        "value": value,
        "low": None,
        "high": None,
        "qualifier": None,  # exact
        "value_text": value_text,
        "source": pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[src]),
        "chapter": None,
        "ref_date": None,
        "note": None,
        "status": chunk["status"].array,
        "missing_reason": chunk["missing_reason"].array,
    }
    assert tuple(out) == STAGE_COLUMNS
    return out
