"""Broken files are refused with an error naming file, line (or observation), field and
what was expected; the store file is left byte for byte as it was."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from econ071.cli.main import main

FIXTURES = Path(__file__).parent.parent / "fixtures" / "cbs"
CSV = FIXTURES / "statline-csv" / "bevolking-70072ned.csv"


def snapshot(db: Path) -> dict[str, str | None]:
    """sha256 of the store and its WAL (None when absent)."""
    out = {}
    for path in (db, Path(f"{db}-wal")):
        out[path.name] = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None
    return out


@pytest.fixture
def store(fresh_store: Path) -> Path:
    """A store that already holds an import, checkpointed, with every connection closed."""
    result = CliRunner().invoke(main, ["import", str(FIXTURES / "80590ned")])
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(fresh_store)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return fresh_store


def refused(store: Path, path: Path) -> str:
    before = snapshot(store)
    result = CliRunner().invoke(main, ["import", str(path)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "was not imported, the store is unchanged" in result.output
    assert snapshot(store) == before
    return result.output


def copy_table(tmp_path: Path) -> Path:
    folder = tmp_path / "03759ned"
    shutil.copytree(FIXTURES / "03759ned", folder)
    return folder


def edit_observations(folder: Path, change) -> None:
    path = folder / "observations-page-1.json"
    doc = json.loads(path.read_text())
    change(doc["value"])
    path.write_text(json.dumps(doc, indent=1))


def test_truncated_json(store, tmp_path):
    folder = copy_table(tmp_path)
    path = folder / "observations-page-1.json"
    text = path.read_text()
    path.write_text(text[: len(text) // 2])
    out = refused(store, folder)
    line = text[: len(text) // 2].count("\n") + 1
    assert f"observations-page-1.json, line {line}: " in out
    assert "truncated" in out


def test_truncated_metadata_json(store, tmp_path):
    folder = copy_table(tmp_path)
    path = folder / "measure-codes.json"
    path.write_text(path.read_text()[:300])
    out = refused(store, folder)
    assert "measure-codes.json, line" in out and "not valid JSON" in out


def test_unknown_region_code(store, tmp_path):
    folder = copy_table(tmp_path)
    edit_observations(folder, lambda obs: obs[3].update(RegioS="GM9999"))
    out = refused(store, folder)
    assert "field 'RegioS': is 'GM9999'; not in the table's RegioSCodes" in out
    assert "observation Id" in out


def test_text_in_a_number_field(store, tmp_path):
    folder = copy_table(tmp_path)
    obs_id = []
    edit_observations(
        folder, lambda obs: (obs[5].update(Value="veel"), obs_id.append(obs[5]["Id"]))
    )
    out = refused(store, folder)
    assert f"observation Id {obs_id[0]}, field 'Value': is 'veel'; expected a number or null" in out


def test_observation_missing_a_dimension(store, tmp_path):
    folder = copy_table(tmp_path)
    edit_observations(folder, lambda obs: obs[0].pop("Perioden"))
    out = refused(store, folder)
    assert "field 'Perioden': is missing; expected the fields" in out


def test_csv_text_in_a_number_column(store, tmp_path):
    path = tmp_path / "bevolking-70072ned.csv"
    lines = CSV.read_text(encoding="utf-8").splitlines(keepends=True)
    bad = next(i for i, line in enumerate(lines, start=1) if '"124899"' in line)
    lines[bad - 1] = lines[bad - 1].replace('"124899"', '"veel"')
    path.write_text("".join(lines), encoding="utf-8")
    out = refused(store, path)
    assert (
        f"line {bad}, field 'Bevolking op 1 januari (aantal)': is 'veel'; expected a number" in out
    )


def test_csv_line_numbers_count_blank_lines(store, tmp_path):
    # A blank line is left out, but the lines after it keep their numbers in the error.
    path = tmp_path / "bevolking-70072ned.csv"
    lines = CSV.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(3, "\n")
    bad = next(i for i, line in enumerate(lines, start=1) if '"124899"' in line)
    lines[bad - 1] = lines[bad - 1].replace('"124899"', '"veel"')
    path.write_text("".join(lines), encoding="utf-8")
    out = refused(store, path)
    assert f"line {bad}, field 'Bevolking op 1 januari (aantal)': is 'veel'" in out


def test_csv_text_in_a_number_column_after_chunks_were_written(store, tmp_path, monkeypatch):
    # Chunks are read one ahead in a thread while earlier ones are written: a problem near
    # the end still rolls everything back, and no reading thread is left behind.
    import threading

    from econ071.importing import statline_csv

    monkeypatch.setattr(statline_csv, "CHUNK_ROWS", 2)
    path = tmp_path / "bevolking-70072ned.csv"
    lines = CSV.read_text(encoding="utf-8").splitlines(keepends=True)
    bad = len(lines) - 1
    lines[bad - 1] = lines[bad - 1].rsplit(";", 1)[0] + ';"veel"\n'
    path.write_text("".join(lines), encoding="utf-8")
    threads = threading.active_count()
    out = refused(store, path)
    assert f"line {bad}, field 'Gemiddelde bevolking  (aantal)': is 'veel'" in out
    assert threading.active_count() == threads


@pytest.mark.parametrize(
    ("column", "renamed", "expected"),
    [
        ('"Perioden"', '"Jaartal"', "line 1: has no period column; expected one named 'Perioden'"),
        ('"Bevolking op 1 januari (aantal)"', '"Inwoners"',
         "field 'Inwoners': holds numbers; expected a measure title with its unit in brackets"),
    ],
)  # fmt: skip
def test_csv_with_a_wrong_column(store, tmp_path, column, renamed, expected):
    path = tmp_path / "bevolking-70072ned.csv"
    path.write_text(CSV.read_text(encoding="utf-8").replace(column, renamed, 1), encoding="utf-8")
    assert expected in refused(store, path)


def test_csv_row_with_a_field_too_many(store, tmp_path):
    path = tmp_path / "bevolking-70072ned.csv"
    lines = CSV.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[7] = lines[7].rstrip("\r\n") + ';"1"\r\n'
    path.write_text("".join(lines), encoding="utf-8")
    out = refused(store, path)
    assert "line 8: has 8 fields; expected 7 like the header" in out


def test_csv_unknown_place_name(store, tmp_path):
    path = tmp_path / "bevolking-70072ned.csv"
    path.write_text(CSV.read_text(encoding="utf-8").replace('"Oegstgeest"', '"Oegstgeestt"'),
                    encoding="utf-8")  # fmt: skip
    out = refused(store, path)
    assert "field 'Regio's': 'Oegstgeestt' is not a CBS region name" in out


def test_not_a_format_we_know(store, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello, world\n")
    out = refused(store, path)
    assert "line 1: is not a format I know" in out


def test_a_broken_file_after_a_good_one_keeps_the_good_one(fresh_store, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(CSV.read_text(encoding="utf-8").replace('"124899"', '"x1"'), encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(FIXTURES / "03759ned"), str(bad)])
    assert result.exit_code == 1
    assert "1 file(s) before this one were imported" in result.output
    assert "124.899" in CliRunner().invoke(main, ["ask", "bevolking Leiden 2019"]).output


def _tidy_with_a_repeat(tmp_path: Path) -> Path:
    from econ071.store import schema

    path = tmp_path / "typed-in.csv"
    path.write_text(
        ",".join(schema.SEED_FILES["figures"]) + "\n"
        "banen,GM0546,2019,,70123,,,exact,,lisa_bzh,,,\n"
        "banen,GM0537,2019,,23000,,,exact,,lisa_bzh,,,\n"
        "banen,GM0546,2019,,70124,,,exact,,lisa_bzh,,,\n",
        encoding="utf-8",
    )
    return path


def test_a_figure_repeated_in_the_file(store, tmp_path):
    out = refused(store, _tidy_with_a_repeat(tmp_path))
    assert "typed-in.csv, line 4: repeats the figure of line 2 (banen, GM0546, 2019)" in out


def test_a_figure_repeated_across_chunks(fresh_store, tmp_path, monkeypatch):
    from econ071.importing import tidy_csv

    monkeypatch.setattr(tidy_csv, "CHUNK_ROWS", 1)
    before = sqlite3.connect(fresh_store).execute("SELECT count(*) FROM figures").fetchone()
    result = CliRunner().invoke(main, ["import", str(_tidy_with_a_repeat(tmp_path))])
    assert result.exit_code == 1
    assert "line 4: repeats the figure of line 2" in result.output
    after = sqlite3.connect(fresh_store).execute("SELECT count(*) FROM figures").fetchone()
    assert after == before
