"""The natural-question corpus (tests/questions/natural.csv): loading, checking, summarising.

Shared by tests/answering/test_natural_questions.py and bench/natural_report.py. The corpus was written
from the two documents in the ways partners ask (issue 10), without reading the assistant's
vocabulary; each row says what a correct reply must contain and must not contain.

Columns: id, category, intent, question, expect_status, expect, forbid, note.
- `expect`: `|`-separated fragments that must all be in the plain-text reply (case-insensitive).
  A fragment starting with `^` must stand in the first two non-empty lines, one starting with
  `^^` in the first non-empty line.
- `forbid`: `|`-separated fragments that must not be anywhere in the reply.
"""

from __future__ import annotations

import csv
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parent / "questions" / "natural.csv"

INTENTS = (
    "figure", "rank_places", "extreme_year", "change", "share", "count", "compare", "trend",
    "breakdown", "definition", "passage", "unknown_place", "unknown_year", "out_of_scope",
    "clarify",
)  # fmt: skip
# Intents whose answer is a figure: its value must stand in the first two lines.
LOOKUPS = frozenset(
    {"figure", "rank_places", "extreme_year", "change", "share", "count", "compare", "trend",
     "breakdown"}
)  # fmt: skip
STATUSES = ("answered", "clarify", "not found")
COLUMNS = ("id", "category", "intent", "question", "expect_status", "expect", "forbid", "note")


@dataclass(frozen=True)
class Row:
    id: str
    category: str
    intent: str
    question: str
    expect_status: str
    expect: tuple[str, ...]
    forbid: tuple[str, ...]
    note: str

    @property
    def anchored(self) -> tuple[str, ...]:
        return tuple(f for f in self.expect if f.startswith("^"))

    @property
    def is_lookup(self) -> bool:
        """An answered figure question with a figure that must come first."""
        return self.expect_status == "answered" and self.intent in LOOKUPS and bool(self.anchored)


@dataclass
class Result:
    row: Row
    status: str = ""
    reply: str = ""
    problems: list[str] = field(default_factory=list)
    figure_first: bool = False  # every ^ fragment where it belongs
    understood: bool = False  # right status, right content, wherever it stands

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def first_lines(self) -> list[str]:
        return _lines(self.reply)[:2]


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in (cell or "").split("|") if part.strip())


def load(path: Path = CORPUS) -> list[Row]:
    """The corpus rows; a malformed row raises ValueError naming file, line and field."""
    rows: list[Row] = []
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(f"{path}: line 1: header must be {','.join(COLUMNS)}")
        seen: set[str] = set()
        for raw in reader:
            line = reader.line_num
            where = f"{path.name}: line {line}"
            if raw["id"] in seen:
                raise ValueError(f"{where}: field id: duplicate {raw['id']!r}")
            seen.add(raw["id"])
            if raw["intent"] not in INTENTS:
                raise ValueError(
                    f"{where}: field intent: {raw['intent']!r} is not one of {INTENTS}"
                )
            if raw["expect_status"] not in STATUSES:
                raise ValueError(f"{where}: field expect_status: {raw['expect_status']!r}")
            if not raw["question"].strip() or not raw["category"].strip():
                raise ValueError(f"{where}: field question/category: empty")
            rows.append(
                Row(
                    id=raw["id"],
                    category=raw["category"],
                    intent=raw["intent"],
                    question=raw["question"],
                    expect_status=raw["expect_status"],
                    expect=_split(raw["expect"]),
                    forbid=_split(raw["forbid"]),
                    note=raw["note"] or "",
                )
            )
    return rows


def _lines(reply: str) -> list[str]:
    return [line for line in reply.splitlines() if line.strip()]


def check(row: Row, status: str, reply: str) -> Result:
    """Compare one reply with what the row expects."""
    result = Result(row, status=status, reply=reply)
    lines = [line.casefold() for line in _lines(reply)]
    whole = reply.casefold()
    if status != row.expect_status:
        result.problems.append(f"status {status!r}, expected {row.expect_status!r}")
    anchored_ok = True
    for fragment in row.expect:
        if fragment.startswith("^^"):
            text, where, scope = fragment[2:], "in the first line", lines[:1]
        elif fragment.startswith("^"):
            text, where, scope = fragment[1:], "in the first two lines", lines[:2]
        else:
            text, where, scope = fragment, "in the reply", [whole]
        if not any(text.casefold() in part for part in scope):
            result.problems.append(f"missing {text!r} {where}")
            if fragment.startswith("^"):
                anchored_ok = False
    result.figure_first = anchored_ok
    misplaced = sum(1 for p in result.problems if p.endswith(("first line", "first two lines")))
    for fragment in row.forbid:
        if fragment.casefold() in whole:
            result.problems.append(f"forbidden {fragment!r} in the reply")
    # Understood: only placement is wrong, and every misplaced fragment is somewhere in it.
    result.understood = len(result.problems) == misplaced and all(
        f.lstrip("^").casefold() in whole for f in row.expect
    )
    return result


def run(engine: Any, rows: list[Row]) -> list[Result]:
    """Ask every question through the engine; an exception is a failed row, not a crash."""
    from econ071.rendering import render

    results = []
    for row in rows:
        try:
            answer = engine.ask(row.question)
            reply = render.text(answer)
            status = answer.to_json(reply)["status"]
        except Exception as exc:  # noqa: BLE001 - a crash is one failed row in the table
            result = Result(row, status="exception", reply=f"{type(exc).__name__}: {exc}")
            result.problems.append(f"exception {type(exc).__name__}: {exc}")
            results.append(result)
            continue
        results.append(check(row, status, reply))
    return results


@dataclass(frozen=True)
class Summary:
    total: int
    passed: int
    understood: int
    lookups: int
    figure_first: int
    median_length: float
    by_category: dict[str, tuple[int, int]]  # category -> (passed, total)
    by_intent: dict[str, tuple[int, int]]

    @property
    def pass_rate(self) -> float:
        return self.passed / self.total if self.total else 0.0

    @property
    def figure_first_rate(self) -> float:
        return self.figure_first / self.lookups if self.lookups else 0.0


def summarise(results: list[Result]) -> Summary:
    by_category: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_intent: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in results:
        for table, key in ((by_category, r.row.category), (by_intent, r.row.intent)):
            table[key][0] += r.passed
            table[key][1] += 1
    lookups = [r for r in results if r.row.is_lookup]
    return Summary(
        total=len(results),
        passed=sum(r.passed for r in results),
        understood=sum(r.understood for r in results),
        lookups=len(lookups),
        figure_first=sum(r.figure_first for r in lookups),
        median_length=statistics.median(len(r.reply) for r in results) if results else 0.0,
        by_category={k: (v[0], v[1]) for k, v in sorted(by_category.items())},
        by_intent={k: (v[0], v[1]) for k, v in sorted(by_intent.items())},
    )


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "  n/a"


def rate_table(title: str, counts: dict[str, tuple[int, int]]) -> str:
    lines = [f"{title:<16} {'pass':>5} {'of':>4} {'rate':>7}"]
    for key, (ok, total) in sorted(counts.items(), key=lambda kv: kv[1][0] / kv[1][1]):
        lines.append(f"{key:<16} {ok:>5} {total:>4} {_pct(ok, total):>7}")
    return "\n".join(lines)


def failure_table(results: list[Result], limit: int | None = None) -> str:
    failed = [r for r in results if not r.passed]
    blocks = []
    for r in failed[:limit]:
        head = " / ".join(line.strip() for line in r.first_lines) or "(empty reply)"
        blocks.append(
            f"{r.row.id} [{r.row.category}/{r.row.intent}] {r.row.question!r}\n"
            f"    wrong: {'; '.join(r.problems)}\n"
            f"    reply: {head[:200]}"
        )
    if limit is not None and len(failed) > limit:
        blocks.append(f"... and {len(failed) - limit} more")
    return "\n".join(blocks)


def report(summary: Summary) -> str:
    return "\n".join(
        [
            f"pass rate {summary.passed}/{summary.total} = {_pct(summary.passed, summary.total)}",
            f"understood (right status and content, placement aside): {summary.understood}/"
            f"{summary.total} = {_pct(summary.understood, summary.total)}",
            f"figure in the first two lines: {summary.figure_first}/{summary.lookups} answered "
            f"lookups = {_pct(summary.figure_first, summary.lookups)}",
            f"median reply length: {summary.median_length:.0f} characters",
            "",
            rate_table("category", summary.by_category),
            "",
            rate_table("intent", summary.by_intent),
        ]
    )
