"""Golden answers: for every catalog indicator and every verb, the structured answer
(``to_json``) and the rendered text (plain and Slack mrkdwn) are snapshotted in
``tests/golden/answers.json`` and must stay identical.

A restructuring moves code, it does not change what a user reads. When an answer is
meant to change, regenerate the snapshot and review its diff like code:

    python -m pytest tests/test_golden.py --update-golden
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parent / "golden" / "answers.json"

# The verbs of the help text, each asked for every indicator of the catalog.
FORMS = (
    "{ind}",
    "{ind} Leiden 2016",
    "trend {ind}",
    "vergelijk {ind} Leiden Katwijk",
    "top {ind}",
    "uitleg {ind}",
)
# Questions that name no indicator.
BARE = ("help", "lijst", "bronnen", "banen Atlantis 2016", "banen Leiden 1850", "xyzzy")


def questions(engine) -> list[str]:
    ids = sorted(engine.catalog.indicators)
    out = [form.format(ind=ind.replace("_", " ")) for ind in ids for form in FORMS]
    return out + list(BARE)


def snapshot(engine) -> dict[str, dict]:
    from econ071.rendering import render

    shots = {}
    for q in questions(engine):
        answer = engine.ask(q)
        text = render.text(answer)
        slack_text, blocks = render.slack(answer)
        shots[q] = {
            "answer": answer.to_json(text),
            "text": text,
            # The blocks' texts (not their JSON layout, which render.fit's tests cover).
            "slack": [slack_text, *_texts(blocks)],
        }
    return shots


def _texts(blocks: list[dict]) -> list[str]:
    out = []
    for b in blocks:
        for part in (b.get("text"), *b.get("elements", ()), *b.get("fields", ())):
            if isinstance(part, dict) and isinstance(part.get("text"), str | dict):
                t = part["text"]
                out.append(t["text"] if isinstance(t, dict) else t)
    return out


def test_answers_are_unchanged(engine, request):
    shots = json.loads(json.dumps(snapshot(engine), ensure_ascii=False))
    if request.config.getoption("--update-golden"):
        GOLDEN.parent.mkdir(exist_ok=True)
        # One line per question: a changed answer is one line of the diff.
        lines = (
            json.dumps(q, ensure_ascii=False)
            + ": "
            + json.dumps(s, ensure_ascii=False, sort_keys=True)
            for q, s in sorted(shots.items())
        )
        GOLDEN.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
        pytest.skip(f"golden answers rewritten: {GOLDEN}")
    assert GOLDEN.exists(), "no golden answers yet: run with --update-golden"
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert sorted(shots) == sorted(golden), "the set of golden questions changed"
    changed = [q for q in golden if shots[q] != golden[q]]
    assert changed == [], f"{len(changed)} answers changed, first: {changed[:5]}"
