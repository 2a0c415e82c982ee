"""StatLine CSV downloads: labels instead of codes, decimal commas, '.' for missing."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from econ071.cli.main import main
from econ071.importing import periods

FIXTURES = Path(__file__).parent.parent / "fixtures" / "cbs"
CSV = FIXTURES / "statline-csv"


def run(*args: str, ok: bool = True) -> str:
    result = CliRunner().invoke(main, list(args))
    assert (result.exit_code == 0) == ok, result.output
    return result.output


QUESTIONS = [
    "bevolking Leiden 2019",
    "bevolking Katwijk 2020",
    "bevolking 071 2019",
    "bevolking Bergen NH 2019",
    "bevolking Molenwaard 2020",
    "vergelijk bevolking 2020",
]


def _figures_of(question: str) -> list[str]:
    """The lines of a reply that carry values (sources differ between the two tables)."""
    reply = run("ask", question)
    return [
        line
        for line in reply.splitlines()
        if re.match(r"^(Bevolking op 1 januari .*: [\d.]+|• [^:]+: ([\d.]+|niet gepub))", line)
        and "Nederland" not in line
    ]  # fmt: skip  (the CSV has municipalities only)


def test_statline_csv_and_odata_json_give_the_same_answers(
    fresh_store, seed_store, tmp_path, monkeypatch
):
    run("import", str(FIXTURES / "03759ned"))
    from_json = {q: _figures_of(q) for q in QUESTIONS}
    other = tmp_path / "csv.sqlite"
    other.write_bytes(Path(seed_store).read_bytes())
    monkeypatch.setenv("ECON071_DB", str(other))
    out = run("import", str(CSV / "bevolking-70072ned.csv"))
    assert "statline-csv, table 70072ned" in out
    from_csv = {q: _figures_of(q) for q in QUESTIONS}
    assert from_csv == from_json
    assert any("124.899" in line for line in from_csv["bevolking Leiden 2019"])


def test_places_as_columns_and_quarters_as_dutch_text(fresh_store):
    out = run("import", str(CSV / "werkloosheid-provincies.csv"))
    assert "533 added" in out
    conn = sqlite3.connect(fresh_store)
    got = dict(conn.execute(
        "SELECT place, value FROM figures WHERE indicator = 'cbs_werkloosheidspercentage'"
        " AND period = '2019Q1' AND place IN ('NL01', 'PV20', 'PV21', 'PV26', 'PV28')"
    ))  # fmt: skip
    # 'Groningen' and 'Utrecht' are provinces here, like every other column.
    assert got == {"NL01": 4.7, "PV20": 5.9, "PV21": 4.7, "PV26": 4.3, "PV28": 5.5}
    reply = run("ask", "werkloosheid per provincie Friesland 2016")
    assert "Fryslân in 4e kwartaal 2016: 6,8%" in reply


def test_missing_cells_say_not_published_with_cbs_reason(fresh_store, tmp_path):
    path = tmp_path / "bevolking-70072ned.csv"
    # No quotes, decimal points, a BOM, a '.' and an empty cell.
    path.write_text(
        "\ufeffGeslacht;Leeftijd;Burgerlijke staat;Regio's;Perioden;"
        "Bevolking op 1 januari (aantal);Gemiddelde bevolking (aantal)\n"
        "Totaal mannen en vrouwen;Totaal;Totaal burgerlijke staat;Leiden;2019;.;124999.0\n"
        "Totaal mannen en vrouwen;Totaal;Totaal burgerlijke staat;Oegstgeest;2019;;24633\n",
        encoding="utf-8",
    )
    run("import", str(path))
    assert "niet gepubliceerd (onbekend, onvoldoende betrouwbaar of geheim)" in run(
        "ask", "bevolking Leiden 2019"
    )
    assert "niet gepubliceerd (kan niet voorkomen)" in run("ask", "bevolking Oegstgeest 2019")
    assert "124.999" in run("ask", "gemiddelde bevolking Leiden 2019")


def test_rows_added_by_hand_for_a_dissolved_municipality_are_refused(fresh_store):
    before = Path(fresh_store).read_bytes()
    out = run("import", str(CSV / "bevolking-70072ned-handwerk.csv"), ok=False)
    assert "line 35, field 'Regio's'" in out
    assert "Molenwaard (GM1927) has a value for 2019" in out
    assert "dissolved on 01-01-2019 into Molenlanden (GM1978)" in out
    assert Path(fresh_store).read_bytes() == before


def test_a_file_that_names_no_measure_is_refused_with_the_fix(fresh_store, tmp_path):
    path = tmp_path / "werkloosheid-gemeenten.csv"
    path.write_text(";Nederland;Zuid-Holland\n2019;3,4;3,7\n", encoding="utf-8")
    out = run("import", str(path), ok=False)
    assert "does not say which measure it holds" in out and "'files' entry" in out


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("2019", ("2019", None)),
        ("2019 1e kwartaal", ("2019Q1", None)),
        ("het eerste kwartaal van 2015", ("2015Q1", None)),
        ("het vierde kwartaal van 2024", ("2024Q4", None)),
        ("2019 januari", ("2019M01", None)),
        ("2026 juni*", ("2026M06", "voorlopig")),
        ("2025**", ("2025", "nader voorlopig")),
        ("2012-2016", ("2012-2016", None)),
    ],
)
def test_statline_period_labels(label, expected):
    assert periods.from_label(label) == expected


def test_unknown_period_label_says_what_is_expected():
    with pytest.raises(periods.PeriodError, match="expected a period like '2019'"):
        periods.from_label("2019 week 3")
