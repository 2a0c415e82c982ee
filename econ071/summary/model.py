"""The weekly summary as data: the week, the spotlight and its chart, new imports, what partners asked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from econ071.core.answer import Answer, Interpretation, Value
from econ071.store.catalog import Indicator
from econ071.summary import news as summary_news

TIMEZONE = ZoneInfo("Europe/Amsterdam")


DEFAULT_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class Week:
    """An ISO week, e.g. 2026-W48."""

    year: int
    number: int

    @classmethod
    def of(cls, moment: datetime) -> Week:
        iso = moment.astimezone(TIMEZONE).isocalendar()
        return cls(iso.year, iso.week)

    @classmethod
    def parse(cls, text: str) -> Week:
        """'2026-W48' (or '2026W48')."""
        year, _, number = text.strip().upper().replace("-W", "W").partition("W")
        try:
            week = cls(int(year), int(number))
            week.monday  # noqa: B018 (validates the week number)
        except ValueError:
            raise ValueError(f"{text!r} is not an ISO week like 2026-W48") from None
        return week

    @property
    def key(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def index(self) -> int:
        """Consecutive weeks have consecutive indexes, across years (53-week years too)."""
        return self.monday.toordinal() // 7


@dataclass(frozen=True)
class Point:
    label: str  # a period, a place or a category
    value: float | None
    low: float | None
    high: float | None
    display: str  # as the answers show it: "5,5%", "omstreeks 75%", "6 – 8%"


@dataclass(frozen=True)
class Series:
    source: str  # source id
    label: str  # the source as the legend names it
    points: tuple[Point, ...]


@dataclass(frozen=True)
class SourceLine:
    organisation: str
    publication: str | None
    via: str | None


@dataclass(frozen=True)
class ChartSpec:
    """What the chart shows: one line per source over the periods of one place, or bars
    for the places (or categories) of one period."""

    kind: str  # line | bar
    title: str
    subtitle: str
    unit: str
    series: tuple[Series, ...]
    sources: tuple[SourceLine, ...]
    slug: str  # for the file name


@dataclass(frozen=True)
class Spotlight:
    theme: str
    indicator: Indicator
    answer: Answer
    values: tuple[Value, ...]  # the figures listed (at most MAX_LINES)
    more_values: int
    interpretations: tuple[Interpretation, ...]
    more_interpretations: int
    question: str  # what to ask the assistant for more
    chart: ChartSpec | None

    @property
    def multi_source(self) -> bool:
        return len({v.source for v in self.answer.values}) > 1


@dataclass(frozen=True)
class NewImport:
    imported_at: str  # ISO date (Amsterdam)
    title: str
    added: int
    changed: int
    indicators: tuple[str, ...]  # labels
    places: tuple[str, ...]  # names
    periods: tuple[str, ...]


@dataclass(frozen=True)
class Asked:
    text: str  # an indicator's label, or a question as typed
    count: int
    typed: bool = True  # False: a topic (indicator label), True: the user's own words


@dataclass(frozen=True)
class QuestionStats:
    total: int
    answered: int
    clarify: int
    not_found: int
    errors: int
    top: tuple[Asked, ...]  # topics asked more than once, most asked first
    unanswered: tuple[Asked, ...]  # the data team's to-do list
    more_unanswered: int
    helpful: int = 0  # 👍 under answers in Slack
    unhelpful: int = 0  # 👎: `econ071 vragen` lists these first


@dataclass(frozen=True)
class Summary:
    week: Week
    channel: str | None
    since: datetime
    until: datetime
    since_last_summary: bool  # False: the default window (no earlier summary)
    spotlight: Spotlight | None
    imports: tuple[NewImport, ...]
    questions: QuestionStats
    reminder: int  # which standing reminder (the template takes it modulo its count)
    releases: tuple[summary_news.Release, ...] = ()  # what CBS published (econ071 sync)
    change: summary_news.Change | None = None  # the most telling change for the 071 area

    @property
    def since_date(self) -> str:
        return self.since.astimezone(TIMEZONE).date().isoformat()
