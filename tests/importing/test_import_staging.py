"""Writing imported figures (merge.FigureWriter): figures given twice (in one sorted run,
across runs, on a re-import), figures of data/, re-imports; and stores from before the
compact figures table."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from figure_history import history

from econ071.importing import ImportRefused, import_file, merge, statline_csv
from econ071.store import schema
from econ071.store.build import build
from econ071.store.figures import ensure_built

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent.parent / "fixtures" / "cbs"
CSV = FIXTURES / "statline-csv" / "bevolking-70072ned.csv"


def _digest(db: Path) -> str:
    return hashlib.sha256(db.read_bytes()).hexdigest()


def test_a_figure_of_data_is_refused_and_the_store_unchanged(fresh_store, tmp_path):
    conn = sqlite3.connect(fresh_store)
    row = conn.execute(
        f"SELECT {', '.join(schema.SEED_FILES['figures'])} FROM figures"  # noqa: S608
        " WHERE origin = 'seed' AND value IS NOT NULL ORDER BY indicator, place, period LIMIT 1"
    ).fetchone()
    conn.close()
    cells = ["" if v is None else str(v) for v in row]
    path = tmp_path / "typed-in.csv"
    path.write_text(",".join(schema.SEED_FILES["figures"]) + "\n" + ",".join(cells) + "\n")
    before = _digest(fresh_store)
    with pytest.raises(ImportRefused) as exc:
        import_file(fresh_store, path)
    assert "line 2" in str(exc.value) and "repeats a figure of data/" in str(exc.value)
    assert _digest(fresh_store) == before


def test_importing_the_same_file_again_changes_nothing(fresh_store):
    first = import_file(fresh_store, CSV, table_id="70072ned")
    again = import_file(fresh_store, CSV, table_id="70072ned")
    assert first.added > 0
    assert (again.added, again.changed) == (0, 0)
    assert again.unchanged == first.added + first.changed + first.unchanged


def test_a_figure_repeated_in_a_later_chunk_of_a_statline_file(fresh_store, tmp_path, monkeypatch):
    lines = CSV.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "bevolking-70072ned.csv"
    path.write_text("\n".join([*lines, lines[3]]) + "\n", encoding="utf-8")
    monkeypatch.setattr(statline_csv, "CHUNK_ROWS", 2)  # the repeat is in a later chunk
    before = _digest(fresh_store)
    with pytest.raises(ImportRefused) as exc:
        import_file(fresh_store, path)
    assert f"line {len(lines) + 1}: repeats the figure of line 4" in str(exc.value)
    assert _digest(fresh_store) == before


def _with_repeat(tmp_path: Path, value: str | None = None) -> tuple[Path, list[str]]:
    """The population CSV with its 4th line given again at the end (optionally with
    another value everywhere, as a newer release would have)."""
    text = CSV.read_text(encoding="utf-8")
    if value is not None:
        text = text.replace('"124899"', f'"{value}"')
    lines = text.splitlines()
    path = tmp_path / "bevolking-70072ned.csv"
    path.write_text("\n".join([*lines, lines[3]]) + "\n", encoding="utf-8")
    return path, lines


def test_a_figure_repeated_in_a_later_sorted_run(fresh_store, tmp_path, monkeypatch):
    # Figures are sorted and written in runs; the repeat is in another run than the
    # figure it repeats, so the unique key finds it and the file is read again for the line.
    path, lines = _with_repeat(tmp_path)
    monkeypatch.setattr(statline_csv, "CHUNK_ROWS", 2)
    monkeypatch.setattr(merge, "WRITE_ROWS", 2)
    before = _digest(fresh_store)
    with pytest.raises(ImportRefused) as exc:
        import_file(fresh_store, path)
    assert f"line {len(lines) + 1}: repeats the figure of line 4" in str(exc.value)
    assert _digest(fresh_store) == before


@pytest.mark.parametrize("value", [None, "124900"], ids=["unchanged", "changed"])
def test_a_figure_repeated_in_a_reimport(fresh_store, tmp_path, monkeypatch, value):
    # On a re-import the figures are upserted: an unchanged one keeps its old import,
    # a changed one gets the new one; a repeat of either is found.
    import_file(fresh_store, CSV, table_id="70072ned")
    path, lines = _with_repeat(tmp_path, value)
    monkeypatch.setattr(statline_csv, "CHUNK_ROWS", 2)
    monkeypatch.setattr(merge, "WRITE_ROWS", 2)
    before = _digest(fresh_store)
    with pytest.raises(ImportRefused) as exc:
        import_file(fresh_store, path, table_id="70072ned")
    assert f"line {len(lines) + 1}: repeats the figure of line 4" in str(exc.value)
    assert _digest(fresh_store) == before


def test_small_sorted_runs_give_the_same_store(fresh_store, tmp_path, monkeypatch):
    import_file(fresh_store, CSV, table_id="70072ned")
    expected = _figures(fresh_store)
    monkeypatch.setattr(statline_csv, "CHUNK_ROWS", 3)
    monkeypatch.setattr(merge, "WRITE_ROWS", 7)
    second = tmp_path / "second"
    second.mkdir()
    db = second / "econ071.sqlite"
    build(db, ROOT / "data")
    import_file(db, CSV, table_id="70072ned")
    assert _figures(db) == expected


def _figures(db: Path) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT indicator, place, period, breakdown, value, status, missing_reason, computed,"
            " origin FROM figures ORDER BY indicator, place, period, breakdown, source"
        ).fetchall()
    finally:
        conn.close()


def test_a_store_from_before_compact_figures_is_migrated_with_its_imports(tmp_path):
    db = tmp_path / "old.sqlite"
    build(db, ROOT / "data")
    conn = sqlite3.connect(db)
    seeds = conn.execute("SELECT count(*) FROM figures").fetchone()[0]
    # The figures table as it was: text columns, an imported row and a seed row.
    conn.executescript(
        """
        DROP VIEW figures;
        DROP TABLE figure_values;
        DROP TABLE IF EXISTS figure_history;
        DELETE FROM codes WHERE id > 0;
        DELETE FROM meta WHERE key = 'figures_version';
        CREATE TABLE figures (id INTEGER PRIMARY KEY, indicator TEXT NOT NULL,
            place TEXT NOT NULL, period TEXT, breakdown TEXT, value REAL, low REAL, high REAL,
            qualifier TEXT NOT NULL, value_text TEXT, source TEXT NOT NULL, chapter TEXT,
            ref_date TEXT, note TEXT, status TEXT, missing_reason TEXT, computed INTEGER,
            origin TEXT, import_id INTEGER, updated_at TEXT);
        INSERT INTO figures (id, indicator, place, period, value, qualifier, source, status,
            computed, origin, import_id, updated_at)
        VALUES (41, 'banen', 'GM0546', '2023', 70000, 'exact', 'lisa_bzh', 'voorlopig', 0,
            'import', 7, '2026-11-01T10:00:00+00:00'),
            (1, 'banen', 'GM0546', '2016', 67537, 'exact', 'lisa_bzh', NULL, 0, 'seed', NULL,
            '2026-11-01T10:00:00+00:00');
        CREATE TABLE figure_history (id INTEGER PRIMARY KEY, figure_id INTEGER NOT NULL,
            import_id INTEGER NOT NULL, old_import_id INTEGER, changed_at TEXT NOT NULL,
            old_value REAL, new_value REAL, old_low REAL, new_low REAL, old_high REAL,
            new_high REAL, old_status TEXT, new_status TEXT, old_missing_reason TEXT,
            new_missing_reason TEXT);
        INSERT INTO figure_history (figure_id, import_id, changed_at, old_value, new_value)
        VALUES (41, 7, '2026-11-01T10:00:00+00:00', 69000, 70000);
        """
    )
    conn.close()
    ensure_built(db, ROOT / "data")  # data/ is unchanged: the old version alone calls for it
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT type FROM sqlite_master WHERE name = 'figures'").fetchone() == (
            "view",
        )
        imported = conn.execute(
            "SELECT value, status, origin, import_id FROM figures"
            " WHERE indicator = 'banen' AND place = 'GM0546' AND period = '2023'"
        ).fetchall()
        assert imported == [(70000.0, "voorlopig", "import", 7)]
        # Its history still points to it; the seed figures come from data/ again, once.
        assert history(conn, "banen", "GM0546", "2023")[0]["new_value"] == 70000
        assert conn.execute("SELECT count(*) FROM figures WHERE origin = 'seed'").fetchone() == (
            seeds,
        )
    finally:
        conn.close()
