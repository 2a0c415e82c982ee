"""Issue 14: the work per question is bounded by what the answer shows, not by the size of
the store. On a store with one large imported table (built once per session), the questions
that once hung — explanations, definitions, 'wat is … Leiden', repeated words — and a small
fuzz corpus are each answered well within the time budget, never with a traceback."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from big_store import build_big_store

from econ071.core.answer import ERROR
from econ071.rendering import render

BUDGET = 1.5  # seconds per question here; the engine's own guard is ECON071_ANSWER_BUDGET
HANGING = [
    "uitleg bevolking", "wat is bevolking Leiden", "wat is 42 jaar bevolking",
    "wat is 42 jaar", "DEFINITIE bevolking WAT IS", "DEFINITIE WAT IS " * 40,
    "top " * 2000, "uitleg " + "bevolking " * 500, "bevolking per leeftijd Leiden",
    "inwoners", "trend bevolking Leiden", "top bevolking", "lijst", "help",
    "vergelijk bevolking Leiden Katwijk Leiderdorp Oegstgeest Voorschoten Zoeterwoude",
]  # fmt: skip


def _fuzz_corpus(n: int = 60) -> list[str]:
    rng = random.Random(1414)
    words = ("wat is uitleg definitie top trend vergelijk bevolking inwoners leiden katwijk "
             "42 jaar 2019 1995 per leeftijd meeste laagste welk hoeveel % vs lijst bronnen "
             "<!channel> ÿ \u202e \x1b[31m ' \" ; -- ) (").split()  # fmt: skip
    out = []
    for _ in range(n):
        out.append(" ".join(rng.choice(words) for _ in range(rng.randint(1, 40))))
    out += ["x" * 100_000, "é" * 5000, "\x00" * 100, "2019 " * 3000]
    return out


@pytest.fixture(scope="session")
def big_engine(tmp_path_factory: pytest.TempPathFactory):
    from econ071.answering.engine import Engine

    path: Path = tmp_path_factory.mktemp("big") / "econ071.sqlite"
    build_big_store(path, towns=150, ages=30)
    return Engine(path)


@pytest.mark.parametrize("question", HANGING, ids=lambda q: q[:30])
def test_questions_that_once_hung_are_answered_within_budget(big_engine, question):
    start = time.perf_counter()
    answer = big_engine.ask(question)
    reply = render.text(answer)
    took = time.perf_counter() - start
    assert took < BUDGET, f"{took:.2f}s for {question[:60]!r}"
    assert answer.kind != "error" and reply.strip()


def test_a_fuzz_corpus_is_answered_within_budget_on_a_big_store(big_engine):
    slow = []
    for question in _fuzz_corpus():
        start = time.perf_counter()
        answer = big_engine.ask(question)
        render.render(answer)
        took = time.perf_counter() - start
        if took > BUDGET or answer.kind == "error":
            slow.append((round(took, 2), answer.kind, question[:60]))
    assert not slow, slow


def test_the_time_budget_is_a_hard_guard_with_a_short_dutch_reply(big_engine):
    from econ071.answering.engine import Engine

    tight = Engine(big_engine.db_path, budget=0.0)
    answer = tight.ask("uitleg bevolking")
    assert answer.status == ERROR and answer.kind == "timeout"
    assert len(render.text(answer)) < 300
