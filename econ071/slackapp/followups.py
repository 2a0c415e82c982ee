"""What to ask next: the follow-up questions under an answer, and the question a clarifying
option stands for. The one place that maps an answer to the questions its buttons ask.

Every follow-up is a question text the engine answers like any typed question
(``trend banen Leiden``, ``vergelijk banen``, ``banen Leiden Nederland``, ``banen Leiden
per sector``, ``uitleg banen Leiden 2016``), so a click goes through the same path as a
question and its answer can be shared, followed up and logged as one. A follow-up is only
offered when the store has the figures it needs (one query per answer).
"""

from __future__ import annotations

from dataclasses import dataclass

from econ071.answering.engine import Engine
from econ071.core.answer import ANSWERED, Answer, Kind, Option
from econ071.core.places import NATIONAL

TREND, COMPARE, NATIONAL_KIND, BREAKDOWN, EXPLAIN = (
    "trend",
    "compare",
    "national",
    "breakdown",
    "explain",
)
ORDER = (TREND, COMPARE, NATIONAL_KIND, BREAKDOWN, EXPLAIN)
# Answers that show figures of one indicator and can be followed up.
FIGURE_KINDS = frozenset({Kind.FIGURE, Kind.TABLE, Kind.BREAKDOWN, Kind.TREND, Kind.PLACE_MISSING})


@dataclass(frozen=True)
class FollowUp:
    kind: str  # one of ORDER; the button's label is templates/slack_labels.j2's
    question: str


def option_question(answer: Answer, option: Option) -> str:
    """The full question a clarifying option stands for: the engine gives it with every
    option (``Option.question``); the answer is passed for the callers' symmetry."""
    return option.question


def _word(indicator_id: str) -> str:
    return indicator_id.replace("_", " ")


def follow_ups(engine: Engine, answer: Answer, question: str) -> list[FollowUp]:
    """The follow-ups that fit this answer and have figures, in a fixed order."""
    if answer.status != ANSWERED or answer.kind not in FIGURE_KINDS or not answer.indicator:
        return []
    ind_id = answer.indicator.get("id")
    cat = engine.catalog
    ind = cat.indicators.get(ind_id)
    if ind is None:
        return []
    coverage = _coverage(engine, ind_id)  # place -> (periods, has breakdowns)
    shown = list(dict.fromkeys(p["code"] for p in answer.places if p.get("code")))
    shown = shown or list(dict.fromkeys(v.place for v in answer.values))
    place = shown[0] if len(shown) == 1 else None
    name = cat.place_name(place) if place else None
    word = _word(ind_id)
    out: list[FollowUp] = []
    if place and answer.kind != Kind.TREND and coverage.get(place, (0, False))[0] >= 2:
        out.append(FollowUp(TREND, f"trend {word} {name}"))
    six = [c for c in cat.six if c in coverage]
    if len(six) >= 2 and not (answer.kind == Kind.TABLE and set(shown) >= set(six)):
        out.append(FollowUp(COMPARE, f"vergelijk {word}"))
    if place and place != NATIONAL and NATIONAL in coverage:
        out.append(FollowUp(NATIONAL_KIND, f"{word} {name} Nederland"))
    if (
        place
        and ind.breakdown_dimension
        and answer.kind != Kind.BREAKDOWN
        and coverage.get(place, (0, False))[1]
    ):
        out.append(FollowUp(BREAKDOWN, f"{word} {name} per {ind.breakdown_dimension}"))
    if not question.lower().startswith("uitleg "):
        out.append(FollowUp(EXPLAIN, f"uitleg {question}".strip()))
    return out


def _coverage(engine: Engine, indicator: str) -> dict[str, tuple[int, bool]]:
    """Per place with figures of the indicator: how many dated periods of the total, and
    whether it is broken down."""
    rows = engine.conn.execute(
        "SELECT c.code,"
        " COUNT(DISTINCT CASE WHEN f.breakdown = 0 AND f.period > 0 THEN f.period END),"
        " MAX(f.breakdown > 0) FROM figure_values f"
        " JOIN codes c ON c.id = f.place"
        " WHERE f.indicator = (SELECT id FROM codes WHERE code = ?) GROUP BY f.place",
        (indicator,),
    )
    return {code: (periods, bool(broken)) for code, periods, broken in rows}
