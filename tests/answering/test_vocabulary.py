"""data/vocabulary.csv: partners' shorthand, demonyms and people words, reviewable and checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from econ071.answering import vocabulary

ROOT = Path(__file__).resolve().parents[2]
TERMS = vocabulary.read(ROOT / "data" / "vocabulary.csv")


def test_every_row_is_usable_and_typed_once():
    pairs = [(t.typed, t.means) for t in TERMS]
    assert len(pairs) == len(set(pairs))
    # A word on several rows has several meanings, each an indicator (asked back between).
    kinds: dict[str, set[str]] = {}
    for t in TERMS:
        kinds.setdefault(t.typed, set()).add(t.kind)
    assert all(len(k) == 1 for k in kinds.values()), kinds


@pytest.mark.parametrize("question", ["uitkeringen Leiden", "uitk. kwk"])
def test_a_word_with_several_meanings_is_asked_back_between_them(engine, question):
    answer = engine.ask(question)
    assert answer.status == "clarify"
    assert {o.id for o in answer.options} >= {"bijstand_totaal", "ao_totaal"}
    # qualified by a word the store lacks, it is no guess between them but not found
    assert engine.ask("hoeveel ww-uitkeringen in Leiden").status == "not found"


@pytest.mark.parametrize("term", [t for t in TERMS if t.kind not in ("word", "people")],
                         ids=lambda t: t.typed)  # fmt: skip
def test_every_term_means_something_the_catalog_knows(engine, term):
    assert term.means in engine.catalog.vocabulary, term


def test_a_row_without_a_kind_is_refused_with_file_line_and_field(tmp_path):
    path = tmp_path / "vocabulary.csv"
    path.write_text("typed,means,kind,note\nldn,leiden,,\n", encoding="utf-8")
    with pytest.raises(vocabulary.VocabularyError, match=r"line 2, field 'kind'"):
        vocabulary.read(path)


@pytest.mark.parametrize(
    ("question", "place"),
    [("banen Leidenaren 2016", "Leiden"), ("bijstand Katwijkers", "Katwijk"),
     ("bijstand voorschotenaren", "Voorschoten"), ("banen ldn 2016", "Leiden"),
     ("banen l'dorp 2016", "Leiderdorp")],
)  # fmt: skip
def test_demonyms_and_shorthand_name_the_place(ask, question, place):
    answer, reply = ask(question)
    assert [p["name"] for p in answer.places] == [place], reply


def test_shorthand_names_the_indicator(ask):
    answer, _ = ask("wkl 2016")
    assert answer.indicator["id"] == "werkloosheid"
    answer, _ = ask("ao Zoeterwoude")
    assert answer.indicator["id"].startswith("ao_")


def test_vs_is_a_comparison_not_the_united_states(ask):
    answer, reply = ask("werkloosheid 071 vs landelijk")
    assert "Verenigde Staten" not in reply
    assert {p["name"] for p in answer.places} == {"071-gebied", "Nederland"}
