"""The weekly summary's content, as data: the spotlight of the week, what is new in the
store, what partners asked.

    summary = build(engine, now=datetime.now(UTC), channel="C0123")

The spotlight rotates through the catalog's themes, one a week, deterministically: the
week's number picks the theme and, within it, the indicator (those with figures for the
071 municipalities first). Its figure, change, interpretation and caveats are the
engine's own answer. "New" and "asked" cover the time since the channel's last summary
(or the last seven days). No Slack and no Dutch wording here: that lives in
templates/summary*.j2 (see summary_render), the drawing in econ071/summary/chart.py.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from econ071.answering.engine import Engine
from econ071.core.answer import ANSWERED, CLARIFY, ERROR, NOT_FOUND, Answer, Kind, Value
from econ071.core.periods import period_key
from econ071.rendering import formatting
from econ071.store import figures as store
from econ071.store import opsdb
from econ071.store.catalog import Indicator, normalise
from econ071.summary import ledger as summary_ledger
from econ071.summary import news as summary_news
from econ071.summary.model import (
    DEFAULT_WINDOW,
    TIMEZONE,
    Asked,
    ChartSpec,
    NewImport,
    Point,
    QuestionStats,
    Series,
    SourceLine,
    Spotlight,
    Summary,
    Week,
)

SPOTLIGHT_KINDS = (Kind.FIGURE, Kind.TABLE, Kind.BREAKDOWN)
MAX_LINES = 8  # figures listed in the spotlight; the chart shows them all
MAX_INTERPRETATIONS = 2  # the report's readings quoted, the shortest first
MAX_TOP = 3
MAX_UNANSWERED = 10
QUESTION_CHARS = 120


def build(
    engine: Engine,
    *,
    now: datetime | None = None,
    channel: str | None = None,
    week: Week | None = None,
) -> Summary:
    """The summary for ``week`` (default: the week of ``now``), covering the time since
    the channel's last summary."""
    # Whole seconds, as the question log and the imports store them: the next summary's
    # window starts exactly where this one's ends.
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    week = week or Week.of(now)
    engine.refresh()
    with closing(opsdb.connect(engine.db_path)) as ops:  # the ledger and the question log
        last = summary_ledger.last_posted(ops, channel, before=now)
        since = last or now - DEFAULT_WINDOW
        questions = question_stats(engine, since, now, ops)
    ids = [r[0] for r in _rows(
        engine.conn,
        "SELECT id FROM imports WHERE julianday(imported_at) > julianday(?)"
        " AND julianday(imported_at) <= julianday(?) AND rows_added + rows_changed > 0",
        (since.isoformat(), now.isoformat()),
    )]  # fmt: skip
    return Summary(
        week=week,
        channel=channel,
        since=since,
        until=now,
        since_last_summary=last is not None,
        spotlight=choose_spotlight(engine, week),
        imports=tuple(new_imports(engine, since, now)),
        questions=questions,
        reminder=week.index,
        releases=tuple(summary_news.releases(engine.conn, ids)),
        change=summary_news.telling_change(engine.conn, engine.catalog, ids),
    )


# -- spotlight ----------------------------------------------------------------------------
def themes(engine: Engine) -> list[tuple[str, list[Indicator]]]:
    """The catalog's themes that have figures, alphabetically, each with its candidate
    indicators: those with figures for the 071 area or its municipalities, most figures
    first (else all with figures, in catalog order)."""
    cat = engine.catalog
    local = {cat.region_code, *cat.six}
    counts: dict[str, int] = {}  # figures per indicator for the 071 area and its places
    for indicator, place, n in store.counts_by_indicator_and_place(engine.conn):
        counts[indicator] = counts.get(indicator, 0) + (n if place in local else 0)
    by_theme: dict[str, list[Indicator]] = {}
    for ind in cat.indicators.values():
        if ind.id in counts:
            by_theme.setdefault(ind.theme or "overig", []).append(ind)
    out = []
    for theme in sorted(by_theme):
        inds = by_theme[theme]
        local_inds = sorted((i for i in inds if counts[i.id]), key=lambda i: -counts[i.id])
        out.append((theme, local_inds or inds))
    return out


def choose_spotlight(engine: Engine, week: Week) -> Spotlight | None:
    """Week n: theme n mod (number of themes); within the theme the next indicator each
    time the theme comes round. An indicator the engine cannot answer is skipped."""
    order = themes(engine)
    for step in range(len(order)):
        theme, inds = order[(week.index + step) % len(order)]
        start = (week.index // len(order)) % len(inds)
        for j in range(len(inds)):
            ind = inds[(start + j) % len(inds)]
            answer = _answer(engine, ind)
            if answer is not None:
                return _spotlight(engine, theme, ind, answer)
    return None


def _answer(engine: Engine, ind: Indicator) -> Answer | None:
    for question in (ind.id.replace("_", " "), ind.label):
        answer = engine.ask(question, long=True)  # the weekly summary quotes the long form
        if (
            answer.status == ANSWERED
            and answer.kind in SPOTLIGHT_KINDS
            and (answer.indicator or {}).get("id") == ind.id
            and any(v.published for v in answer.values)
        ):
            return answer
    return None


def _spotlight(engine: Engine, theme: str, ind: Indicator, answer: Answer) -> Spotlight:
    general = [it for it in answer.interpretations if not it.breakdown_label]
    shortest = sorted(general, key=lambda it: len(it.text))[:MAX_INTERPRETATIONS]
    quoted = tuple(it for it in general if it in shortest)
    chart = chart_spec(engine, ind, answer)
    verb = "trend " if chart and chart.kind == "line" else ""
    return Spotlight(
        theme=theme,
        indicator=ind,
        answer=answer,
        values=answer.values[:MAX_LINES],
        more_values=max(0, len(answer.values) - MAX_LINES),
        interpretations=quoted,
        more_interpretations=len(answer.interpretations) - len(quoted),
        question=verb + ind.id.replace("_", " "),
        chart=chart,
    )


# -- chart data ---------------------------------------------------------------------------
def chart_spec(engine: Engine, ind: Indicator, answer: Answer) -> ChartSpec | None:
    """A line per source when the spotlight's place has a series of periods; else bars
    for what the answer shows. None when there are fewer than two things to draw."""
    cat = engine.catalog
    places = list(dict.fromkeys(v.place for v in answer.values))
    series: list[Series] = []
    kind, subtitle = "bar", ""
    if len(places) == 1:
        figs = [
            f
            for f in store.figures(engine.conn, ind.id, places, breakdown=None)
            if f.value is not None and f.period
        ]
        periods = sorted({f.period for f in figs}, key=period_key)
        if len(periods) >= 2:
            kind = "line"
            subtitle = f"{cat.place_name(places[0])}, {periods[0]}–{periods[-1]}"
            for source in dict.fromkeys(f.source for f in figs):
                points = sorted(
                    (f for f in figs if f.source == source), key=lambda f: period_key(f.period)
                )
                series.append(
                    Series(
                        source,
                        engine.catalog.source_name(source),
                        tuple(
                            Point(
                                f.period or "",
                                f.value,
                                f.low,
                                f.high,
                                formatting.value(f.value, ind.unit, f.qualifier, f.low, f.high),
                            )
                            for f in points
                        ),
                    )
                )
    if kind == "bar":
        shown = [v for v in answer.values if v.published]
        for source in dict.fromkeys(v.source for v in shown):
            points = tuple(
                Point(_category(answer, v), v.value, v.low, v.high, v.display)
                for v in shown
                if v.source == source
            )
            series.append(Series(source, engine.catalog.source_name(source), points))
        where = ", ".join(p["name"] for p in answer.places) if len(answer.places) == 1 else ""
        period = answer.period or ""
        subtitle = ", ".join(x for x in (where, period) if x)
    if sum(len(s.points) for s in series) < 2:
        return None
    labels = [s.label for s in series]
    if len(set(labels)) < len(labels):  # two publications of one organisation
        series = [
            Series(s.source, f"{s.label} ({s.source})", s.points) if labels.count(s.label) > 1
            else s
            for s in series
        ]  # fmt: skip
    sources = tuple(
        SourceLine(src.organisation, src.publication, src.via)
        for s in series
        if (src := cat.sources.get(s.source))
    )
    return ChartSpec(kind, ind.label, subtitle, ind.unit, tuple(series), sources, ind.id)


def _category(answer: Answer, v: Value) -> str:
    if answer.kind == Kind.BREAKDOWN:
        return v.breakdown_label or "totaal"
    if answer.kind == Kind.TABLE:
        return v.place_name
    return v.period or v.place_name


# -- what is new ----------------------------------------------------------------------------
def new_imports(engine: Engine, since: datetime, until: datetime) -> list[NewImport]:
    """Imports in the window that added or changed figures, with what they cover."""
    cat = engine.catalog
    rows = _rows(
        engine.conn,
        "SELECT id, file, table_id, title, imported_at, rows_added, rows_changed FROM imports"
        " WHERE julianday(imported_at) > julianday(?) AND julianday(imported_at) <= julianday(?)"
        " AND rows_added + rows_changed > 0 ORDER BY imported_at, id",
        (since.isoformat(), until.isoformat()),
    )
    out = []
    for import_id, file, table_id, title, imported_at, added, changed in rows:
        figures = store.keys_of_import(engine.conn, import_id)
        indicators = sorted({cat.indicators[i].label if i in cat.indicators else i
                             for i, _, _ in figures})  # fmt: skip
        places = sorted({cat.place_name(p) for _, p, _ in figures})
        periods = sorted({q for _, _, q in figures if q}, key=period_key)
        when = datetime.fromisoformat(imported_at).astimezone(TIMEZONE).date().isoformat()
        out.append(
            NewImport(
                imported_at=when,
                title=title or table_id or Path(file).name,
                added=added,
                changed=changed,
                indicators=tuple(indicators),
                places=tuple(places),
                periods=tuple(periods),
            )
        )
    return out


# -- questions ------------------------------------------------------------------------------
def question_stats(
    engine: Engine, since: datetime, until: datetime, ops: sqlite3.Connection
) -> QuestionStats:
    """How many questions, how they fared, the most asked topics and the unanswered ones
    (``ops``: the operational database, which holds the question log)."""
    rows = _rows(
        ops,
        "SELECT text, understood, status FROM questions"
        " WHERE julianday(asked_at) > julianday(?) AND julianday(asked_at) <= julianday(?)"
        " ORDER BY asked_at DESC, id DESC",
        (since.isoformat(), until.isoformat()),
    )
    counts = {s: sum(1 for r in rows if r[2] == s) for s in (ANSWERED, CLARIFY, NOT_FOUND, ERROR)}
    topics = _grouped((_topic(engine, text, understood), text) for text, understood, status
                      in rows if status == ANSWERED)  # fmt: skip
    unanswered = _grouped((normalise(text), _clean(text)) for text, _, status in rows
                          if status == NOT_FOUND)  # fmt: skip
    return QuestionStats(
        total=len(rows),
        answered=counts[ANSWERED],
        clarify=counts[CLARIFY],
        not_found=counts[NOT_FOUND],
        errors=counts[ERROR],
        top=tuple(a for a in topics if a.count > 1)[:MAX_TOP],
        unanswered=tuple(unanswered[:MAX_UNANSWERED]),
        more_unanswered=max(0, len(unanswered) - MAX_UNANSWERED),
        **dict(zip(("helpful", "unhelpful"), _feedback(engine, since, until), strict=True)),
    )


def _feedback(engine: Engine, since: datetime, until: datetime) -> tuple[int, int]:
    """(👍, 👎) in the window, read through the question log (which keeps them)."""
    from econ071.store.questionlog import QuestionLog

    try:
        return QuestionLog(engine.db_path).feedback_counts(since, until)
    except sqlite3.Error:  # a read-only or older store: no votes to count
        return 0, 0


def _topic(engine: Engine, text: str, understood: str | None) -> tuple[str, str] | str:
    """What an answered question was about: its indicator (from the log's 'understood',
    e.g. 'figure banen GM0546 2016'), else its words."""
    parts = (understood or "").split()
    if len(parts) > 1 and parts[1] in engine.catalog.indicators:
        return ("indicator", engine.catalog.indicators[parts[1]].label)
    return normalise(text)


def _grouped(items: Iterable[tuple[object, str]]) -> list[Asked]:
    """(key, display) pairs, newest first -> one Asked per key, most frequent first; the
    display is the key's label for an indicator, else its newest wording."""
    counts: dict[object, int] = {}
    shown: dict[object, str] = {}
    for key, text in items:
        counts[key] = counts.get(key, 0) + 1
        if key not in shown:
            shown[key] = key[1] if isinstance(key, tuple) else _clean(text)
    order = sorted(counts, key=lambda k: -counts[k])  # stable: newest first among equals
    return [Asked(shown[k], counts[k], not isinstance(k, tuple)) for k in order if shown[k]]


def _clean(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUESTION_CHARS else text[: QUESTION_CHARS - 1] + "…"


def _rows(conn: sqlite3.Connection, sql: str, params: tuple) -> list[tuple]:
    return conn.execute(sql, params).fetchall()
