"""The answer object that flows from the engine to every surface (CLI, Slack, summary).

It holds data, not Dutch sentences: the wording lives in templates/. ``to_json`` gives the
structured form that ``econ071 ask --json`` prints.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """How a question ended, as the question log stores it and ``ask --json`` prints it."""

    ANSWERED = "answered"
    CLARIFY = "clarify"  # asked back: which indicator, place or year was meant
    NOT_FOUND = "not found"  # nothing in the store answers it (said, never replaced)
    ERROR = "error"  # the store or the engine failed; the user got a short Dutch reply
    UNDELIVERED = "undelivered"  # answered, but Slack never took the reply (after retries)


# The statuses by their short names, as the answering steps and front ends import them.
ANSWERED, CLARIFY, NOT_FOUND = Status.ANSWERED, Status.CLARIFY, Status.NOT_FOUND
ERROR, UNDELIVERED = Status.ERROR, Status.UNDELIVERED


class Kind(StrEnum):
    """The kind of answer; each has its template (templates/<kind>.j2)."""

    FIGURE = "figure"
    TABLE = "table"
    BREAKDOWN = "breakdown"
    TREND = "trend"
    EXPLAIN = "explain"
    PASSAGES = "passages"
    PLACE = "place"
    LIST = "list"
    SOURCES = "sources"
    HELP = "help"
    CLARIFY = "clarify"
    NOT_FOUND = "not_found"
    NO_DATA = "no_data"
    MISSING = "missing"
    PLACE_MISSING = "place_missing"
    PLACE_UNKNOWN = "place_unknown"
    YEAR_MISSING = "year_missing"
    TIMEOUT = "timeout"
    ERROR = "error"


class Intent(StrEnum):
    """What a question asks for (the interpret step's reading)."""

    FIGURE = "figure"  # one value: indicator, place, period
    RANK = "rank"  # places (or categories) ordered: meeste, hoogste, welke gemeente
    EXTREME_YEAR = "extreme_year"  # the year with the highest or lowest value
    CHANGE = "change"  # growth or decline between two periods
    SHARE = "share"  # a percentage / part of a whole
    COUNT = "count"  # a number of people or things
    COMPARE = "compare"  # with Nederland, the 071 area or another place
    TREND = "trend"  # every period
    BREAKDOWN = "breakdown"  # per sector, per category
    DEFINITION = "definition"  # what the indicator means
    PASSAGE = "passage"  # what the report says
    LIST = "list"
    SOURCES = "sources"
    HELP = "help"


@dataclass(frozen=True)
class Value:
    """One published (or explicitly unpublished) figure, ready to show."""

    indicator: str
    indicator_label: str
    place: str
    place_name: str
    period: str | None
    breakdown: str | None
    breakdown_label: str | None
    value: float | None
    low: float | None
    high: float | None
    qualifier: str
    value_text: str | None
    unit: str
    source: str
    source_name: str
    chapter: str | None
    ref_date: str | None
    status: str | None
    missing_reason: str | None
    note: str | None
    origin: str
    display: str  # the value in Dutch, e.g. "67.537", "bijna 30%", "6,5 – 7,5%"
    computed: bool = False  # summed from the member municipalities, not published as such

    @property
    def published(self) -> bool:
        return not (self.value is None and self.low is None and self.high is None)


@dataclass(frozen=True)
class Fact:
    """A derived fact, computed from stored figures (never typed in)."""

    kind: str  # change | share | rank | gap | sum
    data: dict[str, Any]


@dataclass(frozen=True)
class Note:
    """Something the reply must say about how the question was understood."""

    kind: str  # fuzzy | default_place | default_period | year_missing | undated | ...
    data: dict[str, Any]


@dataclass(frozen=True)
class Caveat:
    id: str
    kind: str
    text: str | None  # from data/caveats.csv; None for caveats worded by a template
    chapter: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Interpretation:
    text: str
    chapter: str | None
    place_name: str | None = None
    breakdown_label: str | None = None


@dataclass(frozen=True)
class SourceRef:
    id: str
    organisation: str
    publication: str | None
    via: str | None
    method: str
    reliability: str | None
    licence: str | None
    chapters: tuple[str, ...]
    ref_dates: tuple[str, ...]


@dataclass(frozen=True)
class Option:
    kind: str  # indicator | place | breakdown | question
    id: str
    label: str
    question: str = ""  # the full question this reading stands for (a Slack button asks it)


@dataclass(frozen=True)
class Answer:
    status: Status
    kind: Kind  # its template: templates/<kind>.j2
    question: str
    intent: Intent | None = None  # what the question was read as asking
    long: bool = False  # the long form ('uitleg'): every interpretation and caveat
    indicator: dict[str, Any] | None = None
    places: tuple[dict[str, str], ...] = ()
    period: str | None = None
    values: tuple[Value, ...] = ()
    rows: tuple[dict[str, Any], ...] = ()  # table-shaped kinds: one dict per row
    facts: tuple[Fact, ...] = ()
    notes: tuple[Note, ...] = ()
    interpretations: tuple[Interpretation, ...] = ()
    caveats: tuple[Caveat, ...] = ()
    sources: tuple[SourceRef, ...] = ()
    options: tuple[Option, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    region: dict[str, Any] | None = None  # name and members of the 071 region, when used
    reference: str | None = None  # error reference id
    more: dict[str, Any] = field(default_factory=dict)  # the long form, one step away

    def to_json(self, reply: str) -> dict[str, Any]:
        return {
            "status": self.status,
            "kind": self.kind,
            "question": self.question,
            "intent": self.intent,
            "indicator": self.indicator,
            "figures": [
                {
                    "indicator": v.indicator,
                    "indicator_label": v.indicator_label,
                    "place": {"name": v.place_name, "code": v.place},
                    "period": v.period,
                    "breakdown": v.breakdown,
                    "value": v.value,
                    "low": v.low,
                    "high": v.high,
                    "qualifier": v.qualifier,
                    "value_text": v.value_text,
                    "display": v.display,
                    "unit": v.unit,
                    "status": v.status,
                    "missing_reason": v.missing_reason,
                    "computed": v.computed,
                    "source": {
                        "id": v.source,
                        "name": v.source_name,
                        "chapter": v.chapter,
                        "ref_date": v.ref_date,
                    },
                }
                for v in self.values
            ],
            "facts": [asdict(f) for f in self.facts],
            "notes": [asdict(n) for n in self.notes],
            "caveats": [asdict(c) for c in self.caveats],
            "sources": [asdict(s) for s in self.sources],
            "options": [asdict(o) for o in self.options],
            "reference": self.reference,
            "more": _plain(self.more),
            "reply": reply,
        }


def _plain(obj: Any) -> Any:
    """JSON-ready copy: dataclasses as dicts, tuples as lists."""
    if hasattr(obj, "__dataclass_fields__"):
        return asdict(obj)
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    return obj
