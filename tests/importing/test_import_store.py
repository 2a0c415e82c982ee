"""What an import does to the store: idempotence, newer releases with history, imports
beside the seed figures (and surviving a rebuild), the import record, tidy CSV files."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from click.testing import CliRunner
from figure_history import history

from econ071.cli.main import main
from econ071.importing import import_file
from econ071.store.build import build
from econ071.store.imports import imports_since

FIXTURES = Path(__file__).parent.parent / "fixtures" / "cbs"
ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, ok: bool = True) -> str:
    result = CliRunner().invoke(main, list(args))
    assert (result.exit_code == 0) == ok, result.output
    return result.output


def figure_count(db: Path) -> int:
    return sqlite3.connect(db).execute("SELECT count(*) FROM figures").fetchone()[0]


def test_importing_the_same_file_twice_is_the_same_as_once(fresh_store):
    first = import_file(fresh_store, FIXTURES / "03759ned")
    count = figure_count(fresh_store)
    second = import_file(fresh_store, FIXTURES / "03759ned")
    assert (first.added, first.changed, first.unchanged) == (240, 0, 0)
    assert (second.added, second.changed, second.unchanged) == (0, 0, 240)
    assert figure_count(fresh_store) == count
    assert first.sha256 == second.sha256


def _newer_release(tmp_path: Path, value: int) -> Path:
    folder = tmp_path / "03759ned-new"
    shutil.copytree(FIXTURES / "03759ned", folder)
    obs = json.loads((folder / "observations-page-1.json").read_text())
    for o in obs["value"]:
        if o["RegioS"] == "GM0546" and o["Perioden"] == "2019JJ00" and o["Measure"] == "M000352":
            o["Value"] = value
    (folder / "observations-page-1.json").write_text(json.dumps(obs))
    props = json.loads((folder / "properties.json").read_text())
    props["Version"] = "202706230000"
    (folder / "properties.json").write_text(json.dumps(props))
    return folder


def test_a_newer_release_updates_the_value_and_keeps_the_history(fresh_store, tmp_path):
    first = import_file(fresh_store, FIXTURES / "03759ned")
    newer = import_file(fresh_store, _newer_release(tmp_path, 124900))
    assert (newer.added, newer.changed, newer.unchanged) == (0, 1, 239)
    assert "124.900" in run("ask", "bevolking Leiden 2019")
    conn = sqlite3.connect(fresh_store)
    (change,) = history(conn, "bevolking", "GM0546", "2019")
    assert (change["old_value"], change["new_value"]) == (124899, 124900)
    assert (change["old_import_id"], change["import_id"]) == (first.import_id, newer.import_id)
    # The 071 sum follows, and its change is kept too.
    (x071,) = conn.execute(
        "SELECT value FROM figures WHERE indicator = 'bevolking' AND place = 'X_071'"
        " AND period = '2019'"
    ).fetchone()
    assert x071 == 275665 + 1 and len(history(conn, "bevolking", "X_071", "2019")) == 1


def test_an_older_release_after_a_newer_one_is_refused(fresh_store, tmp_path):
    import_file(fresh_store, _newer_release(tmp_path, 124900))
    out = run("import", str(FIXTURES / "03759ned"), ok=False)
    assert "release 202606230000 of 03759ned" in out and "newer release 202706230000" in out


def test_imported_figures_survive_a_rebuild_from_data(fresh_store):
    import_file(fresh_store, FIXTURES / "03759ned")
    count = figure_count(fresh_store)
    build(fresh_store, ROOT / "data")
    assert figure_count(fresh_store) == count
    assert "124.899" in run("ask", "bevolking Leiden 2019")


def test_seed_and_imported_figures_for_the_same_place_and_year_are_both_kept(fresh_store, tmp_path):
    # The quick scan's 'werkloosheid' for Nederland 2016 (6%, CBS EBB via the quick scan)
    # and the same from an import mapped onto it: both shown, with their sources.
    mapping = tmp_path / "map.yml"
    mapping.write_text(
        'measures:\n  - {table: 80590ned, code: "M001906_2", indicator: werkloosheid}\n'
    )
    folder = tmp_path / "80590ned"
    shutil.copytree(FIXTURES / "80590ned", folder)
    obs = json.loads((folder / "observations-page-1.json").read_text())
    for o in obs["value"]:  # a 2016 year figure, as in the full table
        if o["Perioden"] == "2019JJ00" and o["Measure"] == "M001906_2":
            o["Perioden"] = "2016JJ00"
    (folder / "observations-page-1.json").write_text(json.dumps(obs))
    codes = json.loads((folder / "codes-Perioden.json").read_text())
    codes["value"].append({"Identifier": "2016JJ00", "Index": 0, "Title": "2016",
                           "Description": "", "DimensionGroupId": "0", "Status": "Definitief"})  # fmt: skip
    (folder / "codes-Perioden.json").write_text(json.dumps(codes))
    import_file(fresh_store, folder, mapping_files=[mapping])
    conn = sqlite3.connect(fresh_store)
    rows = conn.execute(
        "SELECT source, origin FROM figures WHERE indicator = 'werkloosheid' AND place = 'NL01'"
        " AND period = '2016' ORDER BY origin"
    ).fetchall()
    assert rows == [("cbs_80590ned", "import"), ("cbs_ebb", "seed")]


def test_each_import_is_recorded_and_listed(fresh_store):
    result = import_file(fresh_store, FIXTURES / "03759ned")
    (record,) = imports_since(sqlite3.connect(fresh_store))
    assert record["sha256"] == result.sha256 and record["table_id"] == "03759ned"
    assert record["rows_added"] == 240
    assert "03759ned" in run("imports")
    reply = run("ask", "bronnen")
    assert "Laatste imports" in reply and "240 nieuw" in reply


def test_a_tidy_csv_adds_typed_in_figures(fresh_store, tmp_path):
    from econ071.store import schema

    path = tmp_path / "lisa-2019.csv"
    path.write_text(
        ",".join(schema.SEED_FILES["figures"]) + "\n"
        "banen,GM0546,2019,,70123,,,exact,70.123,lisa_bzh,,,typed in from the LISA 2019 tables\n"
        "banen,GM0373,2019,,15000,,,approx,ongeveer 15.000,lisa_bzh,,,\n",
        encoding="utf-8",
    )
    out = run("import", str(path))
    assert "tidy-csv" in out and "2 added" in out
    assert "70.123" in run("ask", "banen Leiden 2019")
    # A CBS code not yet in the catalog is added from the reference list.
    name = (
        sqlite3.connect(fresh_store)
        .execute("SELECT name FROM places WHERE code = 'GM0373'")
        .fetchone()
    )
    assert name == ("Bergen (NH.)",)


def test_figures_per_source_are_recorded_with_the_build_and_each_import(fresh_store):
    # 'bronnen' reads the recorded counts: it must not scan a national store per question.
    from contextlib import closing

    from econ071.store import counts
    from econ071.store import figures as store

    def recorded_and_counted() -> tuple[dict, dict]:
        with closing(sqlite3.connect(fresh_store)) as conn:
            raw = conn.execute(
                "SELECT value FROM meta WHERE key = ?", (counts.SOURCE_COUNTS,)
            ).fetchone()
            return json.loads(raw[0]), counts.count_by_source(conn)

    recorded, counted = recorded_and_counted()
    assert recorded == counted and "cbs_03759ned" not in recorded
    import_file(fresh_store, FIXTURES / "03759ned")
    recorded, counted = recorded_and_counted()
    assert recorded == counted and recorded["cbs_03759ned"] >= 240  # and the 071 sums
    with closing(sqlite3.connect(fresh_store)) as conn:
        assert store.counts_by_source(conn) == counted
