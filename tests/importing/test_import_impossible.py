"""Imports refuse what cannot be true — non-finite numbers, negative counts of people or
jobs, periods after the file's own release date (a forecast's are marked 'prognose'
instead) — and input whose shape would take unbounded memory: a line too long, a sparse
file of gigabytes, JSON nested too deeply. Each through the real CLI: file, line (or
observation) and field named, one exit status, no traceback, the store byte for byte as
it was."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from econ071.cli.main import main
from econ071.store import schema

FIXTURES = Path(__file__).parent.parent / "fixtures" / "cbs"
CSV = FIXTURES / "statline-csv" / "bevolking-70072ned.csv"
POPULATION = "Bevolking op 1 januari (aantal)"
HEADER = f'"Regio\'s";"Perioden";"{POPULATION}"\n'


def snapshot(db: Path) -> dict[str, bytes | None]:
    return {p.name: p.read_bytes() if p.exists() else None for p in (db, Path(f"{db}-wal"))}


@pytest.fixture
def store(fresh_store: Path) -> Path:
    """A store that holds an import, checkpointed, every connection closed."""
    assert CliRunner().invoke(main, ["import", str(FIXTURES / "80590ned")]).exit_code == 0
    conn = sqlite3.connect(fresh_store)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return fresh_store


def refused(store: Path, path: Path, *expected: str) -> str:
    before = snapshot(store)
    result = CliRunner().invoke(main, ["import", str(path)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "was not imported, the store is unchanged" in result.output
    for text in expected:
        assert text in result.output, (text, result.output)
    assert snapshot(store) == before
    return result.output


def statline(tmp_path: Path, *rows: str, name: str = "bevolking-70072ned.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(f"{r}\n" for r in rows), encoding="utf-8")
    return path


def tidy(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "typed-in.csv"
    path.write_text(",".join(schema.SEED_FILES["figures"]) + "\n" + "".join(f"{r}\n" for r in rows))
    return path


def odata(tmp_path: Path, edit) -> Path:
    """A copy of table 03759ned whose observations file is rewritten as text by ``edit``."""
    folder = tmp_path / "03759ned"
    shutil.copytree(FIXTURES / "03759ned", folder)
    path = folder / "observations-page-1.json"
    path.write_text(edit(path.read_text()))
    return folder


# -- non-finite numbers --------------------------------------------------------------------


@pytest.mark.parametrize("text", ["1e400", "inf", "-Infinity", "nan"])
def test_statline_non_finite_numbers(store, tmp_path, text):
    path = statline(tmp_path, '"Leiden";"2019";"124899"', f'"Katwijk";"2019";"{text}"')
    out = refused(store, path, f"bevolking-70072ned.csv, line 3, field '{POPULATION}': is ")
    assert "not a finite number" in out or f"is '{text}'; expected a number" in out


@pytest.mark.parametrize("literal", ["1e400", "Infinity", "NaN", "-1e999"])
def test_odata_non_finite_values(store, tmp_path, literal):
    folder = odata(tmp_path, lambda t: t.replace('"Value": 17282163,', f'"Value": {literal},', 1))
    refused(store, folder, "observations-page-1.json, observation Id 55, field 'Value': is ",
            "not a finite number")  # fmt: skip


def test_tidy_non_finite_value(store, tmp_path):
    path = tidy(tmp_path, "banen,GM0546,2019,,70123,,,exact,,lisa_bzh,,,",
                "banen,GM0537,2019,,1e400,,,exact,,lisa_bzh,,,")  # fmt: skip
    refused(store, path, "typed-in.csv, line 3, field 'value': is infinite (beyond ±1.8e308), "
            "which is not a finite number")  # fmt: skip


# -- values impossible for their unit ------------------------------------------------------


def test_a_negative_population_is_refused(store, tmp_path):
    path = statline(tmp_path, '"Leiden";"2019";"124899"', '"Katwijk";"2019";"-65000"')
    refused(store, path, f"line 3, field '{POPULATION}': is -65000, a negative count")


def test_negative_jobs_are_refused(store, tmp_path):
    path = tidy(tmp_path, "banen,GM0546,2019,,-70123,,,exact,,lisa_bzh,,,")
    refused(store, path, "typed-in.csv, line 2, field 'value': is -70123, a negative count")


def test_odata_negative_count(store, tmp_path):
    folder = odata(tmp_path, lambda t: t.replace('"Value": 17282163,', '"Value": -3,', 1))
    refused(store, folder, "observation Id 55, field 'Value': is -3, a negative count")


def test_a_balance_may_be_negative(fresh_store, tmp_path):
    path = tmp_path / "saldo-99999ned.csv"
    path.write_text('"Regio\'s";"Perioden";"Vestigingsoverschot (aantal)"\n'
                    '"Leiden";"2019";"-120"\n"Katwijk";"2019";"35"\n')  # fmt: skip
    result = CliRunner().invoke(main, ["import", str(path)])
    assert result.exit_code == 0, result.output


# -- periods after the release -------------------------------------------------------------


def test_statline_period_after_the_import_day(store, tmp_path):
    path = statline(tmp_path, '"Leiden";"2019";"124899"', '"Leiden";"2099";"130000"')
    refused(store, path, "line 3, field 'Perioden': is 2099, which begins after today",
            "forecast: true")  # fmt: skip


def odata_2099(tmp_path: Path, status: str) -> Path:
    edit = lambda t: t.replace('"Perioden": "2019JJ00"', '"Perioden": "2099JJ00"', 1)  # noqa: E731
    folder = odata(tmp_path, edit)
    codes = folder / "codes-Perioden.json"
    doc = json.loads(codes.read_text())
    doc["value"].append({**doc["value"][-1], "Identifier": "2099JJ00", "Title": "2099",
                         "Status": status})  # fmt: skip
    codes.write_text(json.dumps(doc))
    return folder


def test_odata_period_marked_as_a_forecast_by_cbs(fresh_store, tmp_path):
    result = CliRunner().invoke(main, ["import", str(odata_2099(tmp_path, "Prognose"))])
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(fresh_store)
    statuses = {r[0] for r in conn.execute("SELECT status FROM figures WHERE period = '2099'")}
    conn.close()
    assert statuses == {"prognose"}


def test_odata_period_after_the_release(store, tmp_path):
    folder = odata_2099(tmp_path, "Definitief")
    refused(store, folder, "observation Id 55, field 'Perioden': is 2099, which begins after "
            "the table's release date (Properties) (2026-")  # fmt: skip


def test_tidy_period_in_the_future(store, tmp_path):
    path = tidy(tmp_path, "banen,GM0546,2099,,70123,,,exact,,lisa_bzh,,,")
    refused(store, path, "typed-in.csv, line 2, field 'period': is 2099, which begins after today")


@pytest.mark.parametrize("how", ["title", "mapping"])
def test_a_forecast_marks_its_future_periods(fresh_store, tmp_path, how):
    if how == "title":
        path = statline(tmp_path, '"Leiden";"2019";"124899"', '"Leiden";"2040";"140000"',
                        name="prognose-bevolking-99998ned.csv")  # fmt: skip
        extra = []
    else:
        path = statline(tmp_path, '"Leiden";"2019";"124899"', '"Leiden";"2040";"140000"',
                        name="bevolking-99998ned.csv")  # fmt: skip
        mapping = tmp_path / "forecast.yml"
        mapping.write_text("tables:\n  99998ned: {forecast: true}\n")
        extra = ["--mapping", str(mapping)]
    result = CliRunner().invoke(main, ["import", str(path), *extra])
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(fresh_store)
    rows = dict(conn.execute("SELECT period, status FROM figures WHERE source = 'cbs_99998ned'"))
    conn.close()
    assert rows == {"2019": None, "2040": "prognose"}
    asked = CliRunner().invoke(main, ["ask", "bevolking Leiden 2040"])
    assert "140.000" in asked.output and "een prognose, geen meting" in asked.output


# -- bounded memory whatever the input's shape ---------------------------------------------

CHILD = """
import json, resource, sys, time
from pathlib import Path
from click.testing import CliRunner
from econ071.cli.main import main
t = time.perf_counter()
r = CliRunner().invoke(main, ["import", sys.argv[1]])
print(json.dumps({"code": r.exit_code, "output": r.output, "seconds": time.perf_counter() - t,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def import_measured(store: Path, path: Path) -> dict:
    """Import ``path`` in a process of its own: its exit status, output, time, peak RSS."""
    env = {**os.environ, "ECON071_DB": str(store)}
    out = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True,
                         text=True, env=env, timeout=120)  # fmt: skip
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_sparse_file_of_two_gigabytes_is_refused_quickly(store, tmp_path):
    path = statline(tmp_path, '"Leiden";"2019";"124899"')
    with path.open("r+b") as fh:
        fh.truncate(2 << 30)  # a hole: zeros that take no disk
    before = snapshot(store)
    started = time.perf_counter()
    got = import_measured(store, path)
    assert got["code"] == 1 and "Traceback" not in got["output"]
    assert "line 3: is longer than 1 MB without a line break" in got["output"]
    assert got["seconds"] < 10 and time.perf_counter() - started < 30
    assert got["rss_mb"] < 600  # pandas and the store: ~150 MB; the file is 2048 MB
    assert snapshot(store) == before


def test_a_line_too_long_is_refused_with_its_number(store, tmp_path):
    rows = ['"Leiden";"2019";"124899"'] * 5 + ['"Leiden";"2018";"' + "9" * (2 << 20) + '"']
    refused(store, statline(tmp_path, *rows), "bevolking-70072ned.csv, line 7: is longer than 1 MB")


def test_a_deeply_nested_observation_is_refused(store, tmp_path):
    deep = "[" * 200_000 + "]" * 200_000
    folder = odata(tmp_path, lambda t: t.replace('"Value": 17282163,', f'"Value": {deep},', 1))
    refused(store, folder, "observations-page-1.json, line", "nested too deeply")


def test_deeply_nested_metadata_is_refused(store, tmp_path):
    folder = odata(tmp_path, lambda t: t)
    dims = folder / "dimensions.json"
    text = dims.read_text()
    dims.write_text(
        text.replace('"value": [', '"value": [' + "[" * 100_000 + "]" * 100_000 + ",", 1)
    )
    refused(store, folder, "dimensions.json", "nested too deeply")


def test_an_observation_that_never_ends_is_refused(store, tmp_path):
    folder = odata(
        tmp_path,
        lambda t: t.replace('"StringValue": null,', '"StringValue": "' + "x" * (3 << 20) + '",', 1),
    )
    refused(store, folder, "observations-page-1.json, line", "longer than 1,048,576 characters")


def test_lines_that_grow_long_half_way_are_refused_within_a_bound(store, tmp_path, monkeypatch):
    """A chunk is sized by bytes (its rows' length so far), and never holds more than
    CHUNK_BYTES_MAX: short rows first, then long ones, cannot make one chunk huge."""
    from econ071.importing import csvfile

    monkeypatch.setattr(csvfile, "CHUNK_BYTES_MAX", 4 << 20)
    rows = [f'"Leiden";"{1900 + i % 100}";"{i}"' for i in range(1500)]
    rows += ['"Leiden";"2019";"' + "9" * (500 << 10) + '"'] * 20
    out = refused(store, statline(tmp_path, *rows), "the lines grew far longer than before")
    line = int(out.split("bevolking-70072ned.csv, line ")[1].split(":")[0])
    assert 1502 <= line <= 1502 + 12  # where the long lines are, not at the end of the file


@pytest.mark.parametrize(("value", "expected"), [
    ("-67537", "field 'value': is -67537, a negative count"),
    ("1e400", "field 'value': is '1e400', which is not a finite number"),
])  # fmt: skip
def test_data_is_held_to_the_same_rules(tmp_path, monkeypatch, value, expected):
    """data/figures is built as a tidy CSV is imported: what an import refuses, so does
    the build."""
    data = tmp_path / "data"
    shutil.copytree(Path(__file__).resolve().parents[2] / "data", data)
    figures = data / "figures" / "typed-in.csv"
    figures.write_text(",".join(schema.SEED_FILES["figures"]) + "\n"
                       f"banen,GM0546,2019,,{value},,,exact,,lisa_bzh,,,\n")  # fmt: skip
    monkeypatch.setenv("ECON071_DATA_DIR", str(data))
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 1, result.output
    assert f"typed-in.csv, line 2, {expected}" in result.output
    assert "Traceback" not in result.output


def test_odata_integers_beyond_any_float(store, tmp_path):
    folder = odata(
        tmp_path, lambda t: t.replace('"Value": 17282163,', '"Value": 1' + "0" * 400 + ",", 1)
    )
    refused(store, folder, "observation Id 55, field 'Value': is infinite", "not a finite number")


def test_odata_numbers_of_thousands_of_digits(store, tmp_path):
    folder = odata(
        tmp_path, lambda t: t.replace('"Value": 17282163,', '"Value": 1' + "0" * 5000 + ",", 1)
    )
    refused(store, folder, "observations-page-1.json, line", "a number too long")


def test_a_huge_cell_is_not_echoed_whole(store, tmp_path):
    path = statline(tmp_path, '"Leiden";"2019";"1' + "0" * 5000 + '"')
    out = refused(store, path, f"line 2, field '{POPULATION}': is '1000", "characters left out",
                  "not a finite number")  # fmt: skip
    assert max(len(line) for line in out.splitlines()) < 500


def test_a_header_of_too_many_columns_is_refused(store, tmp_path):
    path = tmp_path / "bevolking-70072ned.csv"
    columns = ['"Regio\'s"', '"Perioden"'] + [f'"Meting {i} (aantal)"' for i in range(6000)]
    path.write_text(";".join(columns) + "\n" + ";".join(["Leiden", "2019"] + ["1"] * 6000) + "\n")
    refused(
        store, path, "bevolking-70072ned.csv, line 1: has 6,002 columns; expected at most 5,000"
    )
