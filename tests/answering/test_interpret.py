"""interpret: the intent of a question, from its words (no store needed beyond the catalog)."""

from __future__ import annotations

import pytest

from econ071.answering.interpret import detect
from econ071.answering.parse import parse, reduce_tokens
from econ071.core.answer import Intent


@pytest.fixture(scope="module")
def catalog(engine):
    return engine.catalog


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("banen Leiden 2016", Intent.FIGURE),
        ("welke gemeente heeft de hoogste werkloosheid", Intent.RANK),
        ("waar zijn de minste banen", Intent.RANK),
        ("top banen 2016", Intent.RANK),
        ("in welk jaar lag de UWV-werkloosheid het laagst", Intent.EXTREME_YEAR),
        ("welke sector kromp het meest", Intent.RANK),
        ("hoeveel banen is Leiden gegroeid", Intent.CHANGE),
        ("welk deel van de volwassenen in Leiden zit in de bijstand", Intent.SHARE),
        ("hoeveel mensen in Katwijk hebben bijstand", Intent.COUNT),
        ("werkloosheid 071 vs landelijk", Intent.COMPARE),
        ("vergelijk bijstand Leiden Katwijk", Intent.COMPARE),
        ("trend werkloosheid", Intent.TREND),
        ("banen per sector", Intent.BREAKDOWN),
        ("wat is werkloosheid", Intent.DEFINITION),
        ("wat is de werkloosheid in 2016", Intent.FIGURE),
        ("wat zegt de quick scan over zzp'ers", Intent.PASSAGE),
        ("lijst", Intent.LIST),
        ("bronnen", Intent.SOURCES),
        ("help", Intent.HELP),
        ("", Intent.HELP),
    ],
)
def test_the_words_that_carry_the_question_decide_its_intent(catalog, question, intent):
    words = reduce_tokens(question)
    reading = detect(words, parse(question, catalog), raw=question)
    assert reading.intent == intent


def test_lowest_and_decline_are_read_as_a_direction(catalog):
    q = "welke gemeente heeft de laagste bijstand"
    assert detect(reduce_tokens(q), parse(q, catalog)).lowest
    q = "welke sector kromp het hardst"
    reading = detect(reduce_tokens(q), parse(q, catalog))
    assert reading.by_change and reading.decline and reading.over_categories


def test_uitleg_asks_for_the_long_form(catalog):
    q = "uitleg banen Leiden 2016"
    reading = detect(reduce_tokens(q), parse(q, catalog))
    assert reading.long and reading.intent == Intent.FIGURE


def test_repeated_and_very_long_input_is_reduced_before_interpretation():
    assert reduce_tokens("top " * 10_000) == ["top", "top"]
    words = reduce_tokens(" ".join(f"woord{i}" for i in range(1000)))
    assert len(words) <= 30
