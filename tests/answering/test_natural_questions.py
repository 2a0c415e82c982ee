"""Issue 10's proof: the partners' natural questions, run as one table-driven test.

tests/questions/natural.csv holds 280+ questions written from the quick scan and the slides
(full questions, shorthand, typos, demonyms, rankings, changes, shares, comparisons,
definitions, passages, places and years the store lacks, things the documents cannot answer),
each with the status and the fragments a correct reply must (not) contain. The test asks all
of them, prints one table of what went wrong, and asserts the acceptance targets at the end.

Per category and intent: `python bench/natural_report.py`.
"""

from __future__ import annotations

from collections import Counter

import pytest
from natural_corpus import (
    INTENTS,
    Row,
    check,
    failure_table,
    load,
    report,
    run,
    summarise,
)

MIN_ROWS = 280
MIN_PER_INTENT = 5
PASS_RATE = 0.97
FIGURE_FIRST_RATE = 0.95
MEDIAN_REPLY_MAX = 900


@pytest.fixture(scope="module")
def rows() -> list[Row]:
    return load()


def test_the_corpus_is_large_varied_and_well_formed(rows):
    assert len(rows) >= MIN_ROWS
    per_intent = Counter(r.intent for r in rows)
    thin = {i: per_intent[i] for i in INTENTS if per_intent[i] < MIN_PER_INTENT}
    assert not thin, f"intents with fewer than {MIN_PER_INTENT} rows: {thin}"
    assert len({r.question.casefold() for r in rows}) == len(rows), "a question appears twice"
    for r in rows:
        # Every answered lookup pins its figure to the first two lines; every place or year the
        # store lacks is named in the first line; every clarify names what it asks between.
        if r.is_lookup or r.intent in {"definition", "passage"}:
            assert r.expect, f"{r.id}: nothing expected"
        if r.expect_status == "answered" and r.intent in {"figure", "count", "share", "change"}:
            assert r.anchored, f"{r.id}: an answered lookup needs a ^figure"
        if r.intent in {"unknown_place", "unknown_year"}:
            assert any(f.startswith("^^") for f in r.expect), f"{r.id}: name it in line 1"


def test_the_checker_reads_first_lines_and_forbidden_fragments():
    row = Row("t1", "terse", "figure", "banen Leiden 2016", "answered", ("^67.537", "^^leiden",
              "LISA"), ("120.198",), "")  # fmt: skip
    good = check(row, "answered", "\nLeiden telde in 2016 67.537 banen.\n\nBron: LISA")
    assert good.passed and good.figure_first
    late = check(row, "answered", "Leiden\nBanen\nLeiden telde 67.537 banen (LISA).")
    assert late.problems == ["missing '67.537' in the first two lines"]
    assert not late.figure_first
    wrong = check(row, "clarify", "Leiden: 67.537 of 071: 120.198 (LISA)")
    assert wrong.problems == [
        "status 'clarify', expected 'answered'",
        "forbidden '120.198' in the reply",
    ]


def test_partners_natural_questions_are_understood_and_answered_first(rows, engine):
    results = run(engine, rows)
    summary = summarise(results)
    print("\n" + report(summary) + "\n\nFailures:\n" + failure_table(results))

    per_intent = Counter(r.intent for r in rows)
    assert all(per_intent[i] >= MIN_PER_INTENT for i in INTENTS)
    problems = []
    if summary.pass_rate < PASS_RATE:
        problems.append(f"pass rate {summary.pass_rate:.1%} < {PASS_RATE:.0%}")
    if summary.figure_first_rate < FIGURE_FIRST_RATE:
        problems.append(
            f"figure in the first two lines in {summary.figure_first_rate:.1%} of answered "
            f"lookups < {FIGURE_FIRST_RATE:.0%}"
        )
    if summary.median_length > MEDIAN_REPLY_MAX:
        problems.append(f"median reply {summary.median_length:.0f} > {MEDIAN_REPLY_MAX} chars")
    assert not problems, "; ".join(problems) + " (failure table above)"
