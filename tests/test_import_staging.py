"""The compact staging (merge.Stager): figures given twice, figures of data/, re-imports."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from indicators import schema
from indicators.importing import ImportRefused, import_file, model, statline_csv

FIXTURES = Path(__file__).parent / "fixtures" / "cbs"
CSV = FIXTURES / "statline-csv" / "bevolking-70072ned.csv"


def _digest(db: Path) -> str:
    return hashlib.sha256(db.read_bytes()).hexdigest()


def test_a_figure_of_data_is_refused_and_the_store_unchanged(fresh_store, tmp_path):
    conn = sqlite3.connect(fresh_store)
    row = conn.execute(
        f"SELECT {', '.join(schema.SEED_FILES['figures'])} FROM figures"  # noqa: S608
        " WHERE origin = 'seed' AND value IS NOT NULL ORDER BY id LIMIT 1"
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
    monkeypatch.setattr(statline_csv, "CHUNK_ROWS", 2)
    assert model.CHUNK_ROWS  # the readers' own chunk size is patched above
    before = _digest(fresh_store)
    with pytest.raises(ImportRefused) as exc:
        import_file(fresh_store, path)
    assert f"line {len(lines) + 1}: repeats the figure of line 4" in str(exc.value)
    assert _digest(fresh_store) == before
