"""Forecasts (status 'prognose', schema.FORECAST_STATUS) are never presented as the latest
measured figure: imported through the real import path (a table named 'prognose-…'), a
question without a year gets the newest measured year, a trend marks the forecast, and a
forecast year asked explicitly is answered and says it is a prognosis."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from econ071.cli.main import main

POPULATION = "Bevolking op 1 januari (aantal)"


@pytest.fixture
def forecast(fresh_store: Path, tmp_path: Path) -> Path:
    path = tmp_path / "prognose-bevolking-99997ned.csv"
    path.write_text(
        f'"Regio\'s";"Perioden";"{POPULATION}"\n'
        '"Leiden";"2018";"123753"\n"Leiden";"2019";"124899"\n"Leiden";"2040";"141000"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["import", str(path)])
    assert result.exit_code == 0, result.output
    return fresh_store


def ask(question: str) -> str:
    result = CliRunner().invoke(main, ["ask", question])
    assert result.exit_code == 0, result.output
    return result.output


def test_without_a_year_the_newest_measured_figure_not_the_forecast(forecast):
    reply = ask("bevolking Leiden")
    first = reply.strip().splitlines()[0]
    assert "124.899" in first and "2019" in first, reply
    assert "141.000" not in first and "prognose" not in first


def test_a_forecast_year_asked_is_answered_as_a_prognosis(forecast):
    reply = ask("bevolking Leiden 2040")
    assert "141.000" in reply and "prognose" in reply


def test_a_trend_marks_the_forecast(forecast):
    reply = ask("trend bevolking Leiden")
    lines = reply.splitlines()
    assert "124.899" in lines[0] and "2019" in lines[0] and "141.000" not in lines[0], reply
    assert "• 2040: 141.000 (prognose)" in lines, reply
    assert "• 2019: 124.899" in lines
    assert not [line for line in lines if "hoogste" in line and "2040" in line]
