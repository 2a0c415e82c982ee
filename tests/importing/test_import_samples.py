"""The full CBS samples in ../shared/cbs (when that folder is there, as on CI and the
developers' machines): imported as CBS serves them, end to end through the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from econ071.cli.main import main

SHARED = Path(__file__).resolve().parents[3] / "shared" / "cbs"
pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/cbs is not here")


def run(*args: str, ok: bool = True) -> str:
    result = CliRunner().invoke(main, list(args))
    assert (result.exit_code == 0) == ok, result.output
    return result.output


def test_the_population_table_as_cbs_serves_it(fresh_store):
    out = run("import", str(SHARED / "03759ned"))
    assert "13568 added" in out
    assert "Bevolking op 1 januari in Leiden in 2019: 124.899 (CBS)." in run(
        "ask", "bevolking Leiden 2019"
    )
    assert "niet gepubliceerd (kan niet voorkomen)" in run("ask", "bevolking Molenwaard 2020")


def test_the_monthly_labour_table_as_cbs_serves_it(fresh_store):
    assert "5586 added" in run("import", str(SHARED / "80590ned"))
    assert "juni 2026" in run("ask", "werkloosheid per maand Nederland")


def test_the_statline_csv_with_rows_added_by_a_third_party_is_refused(fresh_store):
    out = run("import", str(SHARED / "statline-csv" / "bevolking-gemeenten-70072ned.csv"), ok=False)
    for line, place in ((1064, "De Friese Meren"), (2142, "Made"), (2337, "Molenwaard"),
                        (2929, "Rijneveld"), (3280, "St. Anthonis")):  # fmt: skip
        assert f"line {line}, field 'Regio's': {place} (" in out


def test_the_other_statline_csvs(fresh_store):
    assert "533 added" in run(
        "import", str(SHARED / "statline-csv" / "werkloosheid-provincies.csv")
    )
    out = run("import", str(SHARED / "statline-csv" / "onderwijsniveau-provincies-2016.csv"))
    assert "102 added" in out
