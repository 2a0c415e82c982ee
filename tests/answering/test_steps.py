"""The small steps of the pipeline on their own: parsing (typos, cut-short words, plurals,
phrases interrupted by small words), unknown municipalities, passage quotes, rankings."""

from __future__ import annotations

import pytest

from econ071.answering import facts, places, report
from econ071.answering.parse import parse
from econ071.core.answer import Value


@pytest.fixture(scope="module")
def catalog(engine):
    return engine.catalog


@pytest.mark.parametrize(
    ("typed", "kind", "id_"),
    [("bijstand leidne", "place", "GM0546"),  # two letters swapped
     ("bijst leiden", "indicator", "bijstand_totaal"),  # cut short
     ("aandeel micro-ondernemer", "indicator", "aandeel_micro_ondernemers"),  # singular
     ("respons van de enquete beroepsbevolking", "indicator", "ebb_respons")],  # small words
)  # fmt: skip
def test_parse_understands_the_way_words_are_typed(catalog, typed, kind, id_):
    parsed = parse(typed, catalog)
    assert any(m.kind == kind and m.id == id_ for m in parsed.matches), parsed


def test_ordinary_words_of_a_full_question_are_not_reported_as_unknown(catalog):
    parsed = parse("hoeveel banen had Leiden in 2016 eigenlijk?", catalog)
    assert not parsed.unknown and not parsed.unclear


def test_a_municipality_the_store_lacks_is_found_by_name_and_by_its_inhabitants(catalog):
    found = places.unknown_places(["banen", "kaag", "en", "braassem"], catalog, set())
    assert found == [("GM1884", "Kaag en Braassem")]
    found = places.unknown_places(["hoeveel", "haarlemmers"], catalog, set())
    assert [name for _code, name in found] == ["Haarlem"]
    assert places.unknown_places(["banen", "leiden", "echt", "best"], catalog, set()) == []


def test_a_quote_keeps_the_sentences_that_carry_the_question():
    text = ("Eerste zin over iets anders. In Zoeterwoude staat Swetterhage. "
            "Daardoor is het aandeel hoog. Nog een zin over het weer.")  # fmt: skip
    quoted = report.quote(text, {"zoeterwoud"}, limit=70)
    assert "Swetterhage" in quoted and "weer" not in quoted
    assert report.quote("Kort.", set(), limit=70) == "Kort."


def _v(place: str, value: float | None, low: float | None = None, high: float | None = None):
    return Value(indicator="x", indicator_label="X", place=place, place_name=place, period=None,
                 breakdown=None, breakdown_label=None, value=value, low=low, high=high,
                 qualifier="exact" if value is not None else "range", value_text=None,
                 unit="procent", source="s", source_name="S", chapter=None, ref_date=None,
                 status=None, missing_reason=None, note=None, origin="seed", display="")  # fmt: skip


def test_a_ranking_uses_the_middle_of_a_range_and_puts_unpublished_last():
    rows = [{"name": c, "values": vals} for c, vals in
            (("A", [_v("A", 4.0)]), ("B", [_v("B", None, 6.5, 7.5)]), ("C", []))]  # fmt: skip
    ranked = facts.rank_rows(rows, lowest=False)
    assert [r["name"] for r in ranked] == ["B", "A", "C"]
    assert [r["name"] for r in facts.rank_rows(rows, lowest=True)][:2] == ["A", "B"]
