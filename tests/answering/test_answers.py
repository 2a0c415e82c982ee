"""From question to Dutch reply: the figures in Dutch format, the caveats, the sources."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from econ071.core.answer import ANSWERED, CLARIFY, NOT_FOUND

ROOT = Path(__file__).resolve().parents[2]

# (question, fragments that must all be in the reply, status)
CASES = [
    ("banen Leiden 2016", ["67.537", "LISA", "Let op", "Van 2010 tot 2016 gestegen met 3.895 (+6,1%); in 2010 was het 63.642",
                           "56,2% van het totaal van het 071-gebied"], ANSWERED),
    ("uitleg banen Leiden 2016", ["67.537", "Duiding in de quick scan", "Wat het is:", "071-gebied"], ANSWERED),
    ("Leiden werkgelegenheid", ["67.537", "Geen jaar genoemd", "2010"], ANSWERED),
    ("banen leidn", ["Ik ging uit van Leiden", "67.537"], ANSWERED),
    ("BANEN, leiden?! 2016", ["67.537"], ANSWERED),
    ("banen Katwijk 2010", ["22.068"], ANSWERED),
    ("werkloosheid", ["5,5% (CBS) en 7,6% (UWV)", "CBS en UWV geven", "dit is het cijfer voor het 071-gebied"],
     ANSWERED),
    ("uitleg werkloosheid 2016", ["5,5%", "7,6%", "071-gebied: De zes gemeenten"], ANSWERED),
    ("werkloos 2013", ["6,6%", "6,5%"], ANSWERED),
    ("trend werkloosheid", ["4,6%", "4,2%", "8,2%", "hoogste waarde in 2013", "hoogste waarde in 2015",
                            "steekproef"], ANSWERED),
    ("werkloosheid uwv", ["7,6%"], ANSWERED),
    ("vergelijk bijstand Leiden Katwijk", ["4.220", "1.050", "31 december 2016"], ANSWERED),
    ("banen zorg 2016", ["28.863", "gedaald met 2.004 (−6,5%)"], ANSWERED),
    ("uitleg banen zorg 2016", ["28.863", "tegenstrijdige verklaringen"], ANSWERED),
    # A sector only the 071 area has: the reply names the sector, not just 'banen'.
    ("banen zorg Katwijk 2016", ["Zorg en welzijn is voor Katwijk niet gepubliceerd",
                                 "071-gebied (2016): 28.863"], ANSWERED),
    ("horeca", ["5.446", "Ik ging uit van"], ANSWERED),
    ("banen per sector 2010", ["30.867", "955", "Zorg en welzijn"], ANSWERED),
    ("sectoren", ["28.863", "Zorg en welzijn", "Horeca"], ANSWERED),
    ("aandeel industrie Groot-Amsterdam", ["4,1%", "Groot-Amsterdam"], ANSWERED),
    ("top banen 2016", ["1. Leiden: 67.537", "6. Voorschoten: 5.662"], ANSWERED),
    ("uitleg werkloosheid", ["Uitleg", "Enquête Beroepsbevolking", "2010", "2016"], ANSWERED),
    ("alleenwonenden Leiden", ["bijna 30%"], ANSWERED),
    ("arbeidsongeschikten aandeel Zoeterwoude", ["6,5 – 7,5%", "Swetterhage"], ANSWERED),
    ("werkloosheid Leiden", ["niet gepubliceerd", "5,5%", "4.452 – 4.517"], ANSWERED),
    ("werklozen Zoeterwoude", ["150 – 193", "zonder peiljaar"], ANSWERED),
    ("banen per 100 Zoeterwoude", ["177"], ANSWERED),
    ("uitleg banen per 100 Zoeterwoude", ["177", "110"], ANSWERED),
    ("loopbaanpad starters", ["54%", "19%", "27%", "niet benoemd"], ANSWERED),
    ("banenontwikkeling Leidse regio", ["3,7%", "2,7%", "2012–2016"], ANSWERED),
    ("technisch tekort", ["5.000 – 6.000"], ANSWERED),
    ("banen 2015", ["Voor 2015", "2010 en 2016"], NOT_FOUND),
    ("xyzzy", ["herken", "banen Leiden 2016"], NOT_FOUND),
    ("lijst", ["nog geen cijfers", "banen"], ANSWERED),
    ("bronnen", ["UWV", "administratief gegeven", "LISA"], ANSWERED),
    ("help", ["banen Leiden 2016", "vergelijk", "trend", "top", "uitleg", "lijst", "bronnen",
              "volg werkloosheid Leiden", "volg niet", "uitleg banen Leiden 2016"],
     ANSWERED),
    ("", ["banen Leiden 2016"], ANSWERED),
]  # fmt: skip


@pytest.mark.parametrize("question, fragments, status", CASES)
def test_question_gets_the_dutch_reply_a_partner_relies_on(ask, question, fragments, status):
    answer, reply = ask(question)
    assert answer.status == status, reply
    for fragment in fragments:
        assert fragment in reply, f"{fragment!r} missing from:\n{reply}"


def test_every_answer_with_figures_ends_with_its_sources(ask):
    for question, _, _status in CASES:
        answer, reply = ask(question)
        if answer.values:
            tail = reply[reply.rindex("Bron") :]
            for source in answer.sources:
                assert source.organisation in tail, question


def test_an_unclear_word_asks_back_with_at_most_three_options_that_have_data(ask, engine):
    answer, reply = ask("banen zzp")
    assert answer.status == CLARIFY, reply
    assert 1 <= len(answer.options) <= 3
    assert all(engine.has_data(o.kind, o.id) for o in answer.options)
    assert "Bedoel je" in reply and all(o.label in reply for o in answer.options)


def test_a_close_typo_is_answered_and_says_what_it_understood(ask):
    answer, reply = ask("banen leierdrp 2016")
    assert answer.status == ANSWERED
    assert "Ik ging uit van Leiderdorp" in reply and "11.633" in reply


def test_an_unknown_word_is_said_to_be_ignored_not_silently_dropped(ask):
    answer, reply = ask("banen qqqzzz 2016")
    assert "Niet herkend en daarom genegeerd: ‘qqqzzz’" in reply
    assert "120.198" in reply  # and the rest of the question is still answered


@pytest.mark.parametrize("question", ["secr", "sektoor 2016", "gebiedsd Leiden", "loopbaanp"])
def test_a_word_resembling_a_breakdown_dimension_gets_a_reply_not_an_error(ask, question):
    answer, reply = ask(question)  # found by the property test: a KeyError once
    assert answer.status in (ANSWERED, CLARIFY, NOT_FOUND), reply
    assert reply.strip()


def test_a_place_alone_asks_which_figure(ask):
    answer, reply = ask("Leiden")
    assert answer.status == CLARIFY
    assert "Welk cijfer wil je weten over Leiden?" in reply and len(answer.options) >= 2
    assert all("Leiden" in o.question for o in answer.options)


@pytest.mark.parametrize(
    ("question", "kept"),
    [("xyzzy <script> & co", "‘xyzzy script co’"), ("banen <b>Leiden</b> 2016", "*67.537*"),
     ("<!here> bijstand", "Leiden *4.220*")],
)  # fmt: skip
def test_question_text_never_reaches_slack_as_markup(ask, question, kept):
    answer, reply = ask(question, mode="mrkdwn")
    assert "<script>" not in reply and "<b>" not in reply and "<!here>" not in reply
    assert kept in reply  # the question is still answered (or echoed), only without markup


def _catalog() -> list[dict]:
    with open(ROOT / "data" / "indicators.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _with_figures() -> set[str]:
    ids = set()
    for path in (ROOT / "data" / "figures").glob("*.csv"):
        with open(path, encoding="utf-8") as f:
            ids |= {row["indicator"] for row in csv.DictReader(f)}
    return ids


WITH_FIGURES = _with_figures()


@pytest.mark.parametrize("row", _catalog(), ids=lambda r: r["id"])
def test_every_indicator_in_the_catalog_can_be_asked_for(ask, row):
    question = row["label"]
    if re.search(r"\d{4}", question):  # a year inside a label would be read as the year asked
        question = row["synonyms"].split("|")[0]
    answer, reply = ask(question)
    assert answer.indicator and answer.indicator["id"] == row["id"], reply
    if row["id"] in WITH_FIGURES:
        assert answer.status == ANSWERED, reply
        assert any(v.display in reply for v in answer.values), reply
        assert any(s.organisation in reply for s in answer.sources), reply
    else:
        assert answer.status == NOT_FOUND
        assert "nog geen cijfer" in reply
        assert row["availability"] and row["availability"][:40] in reply


@pytest.mark.parametrize("row", _catalog(), ids=lambda r: r["id"])
def test_every_indicator_can_be_explained(ask, row):
    question = row["label"]
    if re.search(r"\d{4}", question):
        question = row["synonyms"].split("|")[0]
    answer, reply = ask(f"uitleg {question}")
    assert answer.kind == "explain" and answer.indicator["id"] == row["id"], reply
    assert "Uitleg" in reply and "Eenheid" in reply
