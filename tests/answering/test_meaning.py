"""General behaviours behind the natural questions (issue 10), each asked in words that are
not the corpus's: the most specific indicator for the question's words, a breakdown the
indicator lacks is no reading, 'na <plaats>' in a ranking, places explained, the documents'
own definitions, quotes around the best sentence, heading-only slides, questions of means."""

from __future__ import annotations

from econ071.answering import report
from econ071.rendering import render


def reply(engine, question: str) -> tuple[str, str]:
    answer = engine.ask(question)
    return answer.status, render.text(answer)


def first_lines(text: str, n: int = 2) -> str:
    return "\n".join([line for line in text.splitlines() if line.strip()][:n])


def test_the_indicator_whose_name_holds_more_of_the_question_is_the_one_meant(engine):
    status, text = reply(engine, "hoe hoog is de ambitie voor het aandeel hoogopgeleiden")
    assert status == "answered" and "50%" in first_lines(text), text
    status, text = reply(engine, "aandeel arbeidsongeschikten kwetsbare populatie")
    assert "80%" in first_lines(text), text
    # Words typed for the indicator itself are its own: no other name steals them.
    status, text = reply(engine, "hoog opgeleid Katwijk")
    assert "hoogopgeleiden" in first_lines(text).lower(), text


def test_a_breakdown_the_indicator_is_not_broken_down_by_is_no_reading(engine):
    status, text = reply(engine, "frictiewerkloosheid vroeger gehanteerd")
    assert status == "answered" and "3%" in first_lines(text), text


def test_na_a_place_in_a_ranking_answers_the_next_one(engine):
    status, text = reply(engine, "meeste banen na Katwijk in 2016")
    assert first_lines(text, 1).startswith("Na Katwijk het hoogst: Leiderdorp, 11.633"), text
    assert "niet herkend" not in text.lower()


def test_a_definition_of_a_place_says_what_the_place_is(engine):
    status, text = reply(engine, "wat wordt bedoeld met het 071-gebied")
    assert status == "answered"
    assert all(name in text for name in ("Katwijk", "Oegstgeest", "Zoeterwoude")), text
    status, text = reply(engine, "wat is Groot-Amsterdam")
    assert "COROP" in first_lines(text, 1), text


def test_an_explanation_quotes_the_documents_own_definition(engine):
    status, text = reply(engine, "uitleg bijstand")
    assert "Onder bijstand verstaan we" in text and "Participatiewet" in text, text
    status, text = reply(engine, "wat verstaat de quick scan onder mkb of midden- en kleinbedrijf")
    assert "250 werknemers" in text, text


def test_a_quote_keeps_the_sentence_that_follows_the_best_one():
    text = (
        "Eerste zin over iets anders dat lang genoeg is om ruimte te vragen. Het hoge cijfer "
        "voor Zoeterwoude valt op. Het komt door een grote instelling in die gemeente. "
        "Laatste zin over arbeidsongeschiktheid en nog veel meer woorden die niets zeggen."
    )
    quoted = report.quote(text, {"zoeterwoude", "arbeidsonschik"}, 120)
    assert "Zoeterwoude" in quoted and "grote instelling" in quoted, quoted


def test_a_slide_that_is_only_a_heading_is_quoted_with_the_next_slide(engine):
    status, text = reply(engine, "blijft het bij dromen")
    assert status == "answered" and "werkzekerheid" in text, text


def test_questions_of_means_and_conditions_take_the_passage_that_holds_their_words(engine):
    status, text = reply(
        engine, "wat kan iemand zelf iets doen aan de verschillen in werkzekerheid"
    )
    assert "dia 15" in text and "Verhuizen" in text, text
    status, text = reply(engine, "wat werkt volgens de dia's")
    assert "dia 18" in text, text
    # Without a passage that holds the words, the question is not answered from the report.
    status, text = reply(engine, "wanneer vertrekt de bus naar Amsterdam")
    assert status == "not found", text


def test_unclear_words_that_all_resemble_one_indicator_are_taken_as_it(engine):
    status, text = reply(engine, "tekort techn")
    assert status == "answered" and "5.000 – 6.000" in first_lines(text), text
    assert "niet herkend" not in text.lower()
