"""Importing CBS OData v4 tables (the real samples, trimmed) and asking about them."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from econ071.cli.main import main
from econ071.importing import periods

FIXTURES = Path(__file__).parent.parent / "fixtures" / "cbs"


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_leiden_population_on_1_january_2019_straight_after_import(fresh_store):
    out = run("import", str(FIXTURES / "03759ned"))
    assert "cbs-odata-v4, table 03759ned" in out
    assert "240 added, 0 changed, 0 unchanged" in out
    reply = run("ask", "bevolking Leiden 2019")
    assert "Bevolking op 1 januari in Leiden in 2019: 124.899 (CBS)." in reply
    assert (
        "CBS, Bevolking op 1 januari en gemiddeld; geslacht, leeftijd en regio (03759ned)" in reply
    )
    assert "CC BY 4.0" in reply


def test_one_observation_file_stands_for_its_folder(fresh_store):
    run("import", str(FIXTURES / "03759ned" / "observations-page-1.json"))
    assert "124.899" in run("ask", "inwoners Leiden 2019")


def test_average_population_keeps_its_half(fresh_store):
    run("import", str(FIXTURES / "03759ned"))
    assert "Gemiddelde bevolking in Leiden in 2021: 124.583,5 (CBS)." in run(
        "ask", "gemiddelde bevolking Leiden 2021"
    )


def test_071_region_is_summed_from_the_six_and_says_so(fresh_store):
    run("import", str(FIXTURES / "03759ned"))
    reply = run("ask", "bevolking 071 2019")
    six_2019 = 65302 + 124899 + 27109 + 24426 + 25453 + 8476  # CBS, 1 januari 2019
    assert f"{six_2019:,}".replace(",", ".") in reply
    assert "berekend als de som van de cijfers van de afzonderlijke gemeenten" in reply


def test_not_published_is_not_zero_and_says_why(fresh_store):
    run("import", str(FIXTURES / "03759ned"))
    reply = run("ask", "bevolking Molenwaard 2019")
    assert "niet gepubliceerd (kan niet voorkomen)" in reply
    assert ": 0" not in reply


def test_any_municipality_once_imported_including_same_named_ones(fresh_store):
    run("import", str(FIXTURES / "03759ned"))
    assert "Bergen (NH.)" in run("ask", "bevolking Bergen NH 2020")
    conn = sqlite3.connect(fresh_store)
    names = dict(conn.execute("SELECT code, name FROM places WHERE code IN ('GM0373', 'GM0893')"))
    note = conn.execute("SELECT note FROM places WHERE code = 'GM0619'").fetchone()[0]
    assert names == {"GM0373": "Bergen (NH.)", "GM0893": "Bergen (L.)"}
    assert "opgeheven per 01-01-2006, opgegaan in Katwijk (GM0537)" in note


def test_monthly_and_quarterly_periods_of_80590ned(fresh_store):
    run("import", str(FIXTURES / "80590ned"))
    conn = sqlite3.connect(fresh_store)
    got = dict(conn.execute(
        "SELECT period, value FROM figures WHERE indicator = 'cbs_werkloosheidspercentage'"
        " AND place = 'NL01' AND period IN ('2019M01', '2019Q1', '2019')"
    ))  # fmt: skip
    assert got == {"2019M01": 4.9, "2019Q1": 4.7, "2019": 4.4}  # observations 4038 and on
    reply = run("ask", "werkloosheid seizoengecorrigeerd Nederland 2019")
    assert "in Nederland in 2019:" in reply  # the year itself, not its last month
    assert "december 2019" not in reply


def test_thousands_are_stored_as_whole_numbers(fresh_store):
    run("import", str(FIXTURES / "80590ned"))
    conn = sqlite3.connect(fresh_store)
    value, text = conn.execute(
        "SELECT value, value_text FROM figures WHERE indicator = 'cbs_beroepsbevolking'"
        " AND period = '2019M01'"
    ).fetchone()
    assert value == 9_470_000 and text == "9.470 (x 1000)"


def test_provisional_status_is_shown(fresh_store, tmp_path):
    folder = tmp_path / "03759ned"
    shutil.copytree(FIXTURES / "03759ned", folder)
    codes = json.loads((folder / "codes-Perioden.json").read_text())
    for c in codes["value"]:
        if c["Identifier"] == "2026JJ00":
            c["Status"] = "Voorlopig"
    (folder / "codes-Perioden.json").write_text(json.dumps(codes))
    run("import", str(folder))
    reply = run("ask", "bevolking Leiden 2026")
    assert "130.328" in reply and "voorlopig" in reply


@pytest.mark.parametrize(
    ("code", "period"),
    [
        ("2019JJ00", "2019"),
        ("2019KW03", "2019Q3"),
        ("2019MM01", "2019M01"),
        ("2026MM12", "2026M12"),
    ],
)
def test_cbs_period_codes(code, period):
    assert periods.from_code(code) == period


def test_half_years_are_refused_by_name():
    with pytest.raises(periods.PeriodError, match="half years are not supported"):
        periods.from_code("2019HJ01")
