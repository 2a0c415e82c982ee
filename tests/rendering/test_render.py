"""Rendering: Dutch formats through Babel, Slack escaping, Block Kit within Slack's limits."""

from __future__ import annotations

import dataclasses

import pytest

from econ071.core.answer import ANSWERED, Answer, Caveat, Value
from econ071.rendering import formatting, render


@pytest.mark.parametrize(
    "args, expected",
    [
        ((67537, "aantal"), "67.537"),
        ((5.5, "procent"), "5,5%"),
        ((8527.5, "aantal"), "8.527,5"),
        ((30, "procent", "almost"), "bijna 30%"),
        ((15, "procent", "over"), "ruim 15%"),
        ((20, "procent", "more_than"), "meer dan 20%"),
        ((5000, "aantal", "approx"), "omstreeks 5.000"),
        ((None, "procent", "range", 6.5, 7.5), "6,5 – 7,5%"),
        ((None, "aantal", "range", 4452, 4517), "4.452 – 4.517"),
        ((None, "procent", "up_to", None, 9), "tot 9%"),
        ((13, "jaar"), "13 jaar"),
    ],
)
def test_values_in_dutch_conventions_keep_what_the_source_says(args, expected):
    assert formatting.value(*args) == expected


def test_no_digit_is_rounded_away():
    assert formatting.number(17533043.5) == "17.533.043,5"
    assert formatting.number(0.125) == "0,125"


def test_dates_and_euros_in_dutch():
    assert formatting.long_date("2016-12-31") == "31 december 2016"
    assert formatting.value(254080, "euro") == "€ 254.080"
    assert formatting.value(254080.5, "euro") == "€ 254.080,5"  # no digit rounded away


def test_slack_escape_neutralises_mentions():
    assert render.slack_escape("<!channel> & <@U123>") == "&lt;!channel&gt; &amp; &lt;@U123&gt;"


def _value(**kw) -> Value:
    base = dict(
        indicator="banen", indicator_label="Banen", place="GM0546", place_name="Leiden",
        period="2016", breakdown=None, breakdown_label=None, value=67537.0, low=None,
        high=None, qualifier="exact", value_text="67.537", unit="aantal", source="lisa_bzh",
        source_name="LISA", chapter="H1.1", ref_date=None, status=None, missing_reason=None,
        note=None, origin="seed", display="67.537",
    )  # fmt: skip
    base.update(kw)
    return Value(**base)


def test_data_text_is_escaped_in_mrkdwn_but_not_in_plain():
    answer = Answer(
        ANSWERED, "figure", "q",
        indicator={"id": "banen", "label": "Banen <b>", "unit": "aantal", "theme": "",
                   "definition": "A & B", "level": "", "breakdown_dimension": None,
                   "availability": None},
        places=({"code": "GM0546", "name": "Leiden"},), period="2016",
        values=(_value(indicator_label="Banen <b>"),),
    )  # fmt: skip
    md = render.render(answer).text
    assert "Banen &lt;b&gt;" in md and "<b>" not in md
    plain = render.text(answer)
    assert "Banen <b>" in plain
    # The definition is part of the long form ('uitleg').
    long = dataclasses.replace(answer, long=True)
    assert "A &amp; B" in render.render(long).text and "A & B" in render.text(long)


def test_long_answers_are_split_within_block_kit_limits():
    values = tuple(_value(place=f"P{i}", place_name=f"Plaats {i}" * 5) for i in range(400))
    answer = Answer(
        ANSWERED, "table", "q",
        indicator={"id": "banen", "label": "Banen", "unit": "aantal", "theme": "",
                   "definition": "", "level": "", "breakdown_dimension": None,
                   "availability": None},
        period="2016", values=values,
        rows=tuple({"place": v.place, "name": v.place_name, "values": [v]} for v in values),
    )  # fmt: skip
    blocks = render.blocks(answer)
    assert len(blocks) <= render.MAX_BLOCKS
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= render.SECTION_TEXT_MAX
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= render.HEADER_TEXT_MAX
    # Split, not cut: every place is still there, the first and the last.
    text = "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")
    assert sum(b["type"] == "section" for b in blocks) > 2
    assert "Plaats 0" in text and "Plaats 399" in text


KIND_QUESTIONS = {
    "figure": "banen Leiden 2016",
    "table": "vergelijk banen Leiden Katwijk",
    "breakdown": "banen per sector",
    "trend": "trend werkloosheid",
    "place_missing": "werkloosheid Leiden",
    "year_missing": "werkloosheid 1999",
    "missing": "aandeel van de sector in de banen cultuur",
    "no_data": "index071 zzp",
    "explain": "uitleg banen",
    "list": "lijst",
    "sources": "bronnen",
    "help": "help",
    "clarify": "banen zzp",
    "not_found": "xyzzy",
    "place_unknown": "banen Teylingen",
    "passages": "wat zegt de quick scan over zzp'ers",
    "place": "wat bedoelen ze met het 071-gebied",
}


def test_every_template_renders_from_a_real_answer(engine):
    from pathlib import Path

    from econ071.answering.engine import Engine
    from econ071.core import paths
    from econ071.core.answer import ERROR

    kinds = {p.stem for p in Path(paths.templates_dir()).glob("*.j2") if not p.stem.startswith("_")}
    answers = {kind: engine.ask(q) for kind, q in KIND_QUESTIONS.items()}
    answers["error"] = Answer(ERROR, "error", "q", reference="abc12345")
    answers["timeout"] = Engine(engine.db_path, budget=0).ask("banen Leiden 2016")
    for kind, answer in answers.items():
        assert answer.kind == kind, (kind, answer.kind)
        for mode in (render.PLAIN, render.MRKDWN):
            assert render.render(answer, mode).text.strip(), kind
    assert "abc12345" in render.text(answers["error"])
    # Templates of other surfaces (Slack, weekly summary) are tested with those surfaces.
    answer_kinds = kinds - {k for k in kinds if k.startswith(("slack", "summary"))}
    assert answer_kinds <= set(answers), answer_kinds - set(answers)


@pytest.mark.parametrize(
    ("a", "b", "shown"),
    [(42.1, 41.3, "+0,8"), (5.5, 7.6, "−2,1"), (67537, 63642, "+3.895"), (0.3, 0.1, "+0,2")],
)
def test_derived_differences_show_no_binary_noise(a, b, shown):
    # A change or gap shows all its digits, so 42,1 − 41,3 must be 0,8 exactly.
    assert formatting.signed_number(formatting.difference(a, b)) == shown


def test_scaled_values_and_rounded_signs():
    assert formatting.number(formatting.product(16.1, 1000.0)) == "16.100"
    assert formatting.product(0.5, 1000.0) == 500
    assert formatting.signed_one_decimal(-0.04) == "0,0"  # no sign on what shows as zero
    assert formatting.signed_one_decimal(-0.06) == "−0,1"


def test_an_answer_longer_than_50_blocks_keeps_its_caveats_and_sources():
    # Render's own cut (before any Slack adapter): the footer is never what goes.
    values = tuple(_value(place=f"P{i}", place_name=f"Plaats {i} " * 40) for i in range(400))
    answer = Answer(
        ANSWERED, "table", "q",
        indicator={"id": "banen", "label": "Banen", "unit": "aantal", "theme": "",
                   "definition": "", "level": "", "breakdown_dimension": None,
                   "availability": None},
        period="2016", values=values,
        rows=tuple({"place": v.place, "name": v.place_name, "values": [v]} for v in values),
        caveats=(Caveat("c1", "rule", "Een bandbreedte blijft een bandbreedte."),),
    )  # fmt: skip
    blocks = render.blocks(answer)
    assert len(blocks) == render.MAX_BLOCKS
    assert blocks[-2]["type"] == "divider" and "bandbreedte" in blocks[-1]["elements"][0]["text"]
    assert "antwoord ingekort" in blocks[-3]["elements"][0]["text"]
