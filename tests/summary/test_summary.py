"""The weekly summary's content, checked against the store: the spotlight is the engine's
own answer and rotates through every theme, the question counts come from the log, the
imports from the imports table; the message is valid Block Kit; the chart is a PNG."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk.models.blocks import Block

from econ071.answering.engine import Engine
from econ071.rendering import formatting, render
from econ071.store import figures as store
from econ071.store import opsdb
from econ071.summary import chart
from econ071.summary import content as summary
from econ071.summary import model as summary_model
from econ071.summary import render as summary_render

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 in Amsterdam, week 48
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def fresh(store_copy: Path) -> Engine:
    """An engine on a copy of the session's store, free to write to."""
    return Engine(store_copy)


def weeks(n: int, start: summary_model.Week | None = None) -> list[summary_model.Week]:
    monday = (start or summary_model.Week.of(NOW)).monday
    return [summary_model.Week.of(datetime(monday.year, monday.month, monday.day, 12, tzinfo=UTC)
                            + timedelta(weeks=i)) for i in range(n)]  # fmt: skip


def week_of(engine: Engine, indicator: str) -> summary_model.Week:
    """The first week from NOW whose spotlight is ``indicator``."""
    themes = summary.themes(engine)
    longest = max(len(inds) for _, inds in themes)
    for week in weeks(len(themes) * longest):
        spot = summary.choose_spotlight(engine, week)
        if spot and spot.indicator.id == indicator:
            return week
    raise AssertionError(f"{indicator} never in the spotlight")


def log_question(
    engine: Engine, text: str, status: str, *, at: datetime, understood: str = ""
) -> None:
    with closing(opsdb.connect(engine.db_path)) as conn:  # the question log's database
        conn.execute(
            "INSERT INTO questions (asked_at, user_hash, surface, text, understood, status)"
            " VALUES (?, 'u', 'slack', ?, ?, ?)",
            (at.isoformat(timespec="seconds"), text, understood or None, status),
        )


# -- the spotlight ------------------------------------------------------------------------
def test_week_keys_and_parsing():
    assert summary_model.Week.of(NOW).key == "2026-W48"
    assert summary_model.Week.parse("2026-W48") == summary_model.Week(2026, 48)
    assert summary_model.Week.parse("2027w1").key == "2027-W01"
    with pytest.raises(ValueError, match="ISO week"):
        summary_model.Week.parse("2026-W54")
    # Consecutive weeks have consecutive indexes, across a 53-week year.
    indexes = [w.index for w in weeks(4, summary_model.Week(2026, 52))]
    assert indexes == list(range(indexes[0], indexes[0] + 4))


def test_spotlight_rotates_through_every_theme_with_figures(engine):
    themes = [theme for theme, _ in summary.themes(engine)]
    with_data = {
        ind.theme
        for ind in engine.catalog.indicators.values()
        if engine.has_data("indicator", ind.id)
    }
    assert set(themes) == with_data
    seen = [summary.choose_spotlight(engine, week).theme for week in weeks(len(themes))]
    assert sorted(seen) == sorted(themes)  # each theme once in as many weeks
    # Deterministic: the same week, the same spotlight.
    week = summary_model.Week.of(NOW)
    first = summary.choose_spotlight(engine, week)
    assert summary.choose_spotlight(engine, week).indicator == first.indicator


def test_the_next_round_of_a_theme_shows_another_indicator(engine):
    themes = summary.themes(engine)
    n = len(themes)
    week = summary_model.Week.of(NOW)
    later = weeks(n + 1)[n]  # the same theme, one round later
    a, b = summary.choose_spotlight(engine, week), summary.choose_spotlight(engine, later)
    assert a.theme == b.theme
    if len(dict(themes)[a.theme]) > 1:
        assert a.indicator != b.indicator


@pytest.mark.parametrize("offset", range(9))
def test_spotlight_figures_are_the_engines_answer(engine, offset):
    week = weeks(offset + 1)[offset]
    made = summary.build(engine, now=NOW, week=week)
    spot = made.spotlight
    own = engine.ask(spot.question.removeprefix("trend "), long=True)
    assert own.indicator["id"] == spot.indicator.id
    text = summary_render.render_summary(made).text
    for value in spot.values:
        assert value.display in text
        assert any(v.display == value.display and v.place == value.place for v in own.values)
    # Its caveats and sources are those the engine gives for the same question.
    asked = engine.ask(spot.question, long=True)  # the summary quotes the long form
    assert asked.caveats and asked.sources
    for caveat in asked.caveats:
        if caveat.text:
            assert render.slack_escape(caveat.text) in text
    for ref in asked.sources:
        assert ref.organisation in text


def test_unemployment_shows_cbs_and_uwv_their_change_and_two_lines(engine):
    week = week_of(engine, "werkloosheid")
    made = summary.build(engine, now=NOW, week=week)
    own = engine.ask("werkloosheid")
    text = summary_render.render_summary(made, render.PLAIN).text
    by_source = {v.source_name: v.display for v in own.values}
    assert set(by_source) == {"CBS", "UWV"}
    for source, display in by_source.items():
        assert f"{source} (H3): {display}" in text
    assert "van 2010 tot 2016" in text and "procentpunt" in text  # the change
    assert "Duiding in de quick scan" in text
    assert "Let op" in text
    spec = made.spotlight.chart
    assert spec.kind == "line"
    assert [s.label for s in spec.series] == ["CBS", "UWV"]
    figures = {
        (f.source, f.period): f.value
        for f in store.figures(engine.conn, "werkloosheid", ["X_071"], breakdown=None)
    }
    for series in spec.series:
        assert len(series.points) >= 2
        for point in series.points:
            assert figures[(series.source, point.label)] == point.value


# -- what is new ----------------------------------------------------------------------------
def test_no_imports_says_no_new_figures(fresh):
    text = summary_render.text(summary.build(fresh, now=NOW))
    assert "Geen nieuwe cijfers." in text


def test_imports_since_the_last_summary_are_listed(fresh):
    with sqlite3.connect(fresh.db_path) as conn:
        cur = conn.execute(
            "INSERT INTO imports (file, sha256, format, table_id, title, imported_at, rows_added,"
            " rows_changed) VALUES ('imports/80590ned.json', 'x', 'cbs-odata', '80590ned',"
            " 'Werkloosheid & beroepsbevolking <2017>', ?, 2, 0)",
            ((NOW - timedelta(days=2)).isoformat(),),
        )
        for place in ("GM0546", "GM0537"):
            conn.execute(
                "INSERT INTO figures (indicator, place, period, value, qualifier, source,"
                " origin, import_id, updated_at) VALUES ('werkloosheid', ?, '2017', 5.1,"
                " 'exact', 'cbs_ebb', 'import', ?, ?)",
                (place, cur.lastrowid, NOW.isoformat()),
            )
        # An import before the window is not news.
        conn.execute(
            "INSERT INTO imports (file, sha256, format, title, imported_at, rows_added)"
            " VALUES ('old.csv', 'y', 'csv', 'Oud', ?, 5)",
            ((NOW - timedelta(days=30)).isoformat(),),
        )
    made = summary.build(fresh, now=NOW)
    assert [i.title for i in made.imports] == ["Werkloosheid & beroepsbevolking <2017>"]
    text = summary_render.render_summary(made).text
    assert "Werkloosheid &amp; beroepsbevolking &lt;2017&gt;" in text
    assert "2 nieuwe cijfers over Werkloosheid voor Katwijk en Leiden (2017)" in text
    assert "Geen nieuwe cijfers" not in text and "Oud" not in text


# -- questions --------------------------------------------------------------------------------
def test_question_counts_and_the_unanswered_come_from_the_log(fresh):
    at = NOW - timedelta(days=1)
    log_question(
        fresh, "werkloosheid", "answered", at=at, understood="figure werkloosheid X_071 2016"
    )
    log_question(
        fresh, "werkloosheid 2015", "answered", at=at, understood="figure werkloosheid X_071 2015"
    )
    log_question(fresh, "banen Leiden", "answered", at=at, understood="figure banen GM0546 2016")
    log_question(fresh, "<!channel> vacatures & *stages*", "not found", at=at)
    log_question(fresh, "pendel   naar\nDen Haag", "not found", at=at - timedelta(hours=1))
    log_question(fresh, "oud", "not found", at=NOW - timedelta(days=20))  # before the window
    log_question(fresh, "later", "not found", at=NOW + timedelta(minutes=5))  # after it
    made = summary.build(fresh, now=NOW)
    q = made.questions
    assert (q.total, q.answered, q.not_found, q.clarify, q.errors) == (5, 3, 2, 0, 0)
    assert [(a.text, a.count, a.typed) for a in q.top] == [("Werkloosheid", 2, False)]
    assert [a.text for a in q.unanswered] == [
        "<!channel> vacatures & *stages*",
        "pendel naar Den Haag",
    ]
    text = summary_render.render_summary(made).text
    assert "5 vragen, waarvan 3 beantwoord, 2 zonder antwoord." in text
    assert "Meest gevraagd: Werkloosheid (2×)." in text
    assert "‘&lt;!channel&gt; vacatures &amp; *stages*’" in text
    assert "<!channel>" not in text
    assert "‘pendel naar Den Haag’" in text
    assert "oud" not in text.split("Zonder antwoord")[1] and "later" not in text


def test_the_summary_counts_feedback_in_its_window(fresh):
    from econ071.store.questionlog import QuestionLog

    log = QuestionLog(fresh.db_path)
    log_question(fresh, "banen Leiden", "answered", at=NOW - timedelta(days=1))
    for helpful, at in ((True, 1), (False, 2), (False, 3), (False, 20)):  # 20: before it
        log.record_feedback("banen Leiden", helpful=helpful, user_id="U1",
                            given_at=NOW - timedelta(days=at))  # fmt: skip
    made = summary.build(fresh, now=NOW)
    assert (made.questions.helpful, made.questions.unhelpful) == (1, 2)
    text = summary_render.render_summary(made).text
    assert "Beoordeeld onder de antwoorden: 1× nuttig, 2× niet nuttig" in text
    assert "`econ071 vragen`" in text


def test_no_questions_is_said_plainly(fresh):
    text = summary_render.text(summary.build(fresh, now=NOW))
    assert "Er zijn geen vragen gesteld." in text


def test_the_window_starts_at_the_channels_last_summary(fresh):
    last = NOW - timedelta(days=3)
    with closing(opsdb.connect(fresh.db_path)) as conn:  # the summary ledger's database
        conn.execute(
            "INSERT INTO summaries (channel, iso_week, posted_at, message_ts) VALUES"
            " ('C0TEST', '2026-W47', ?, '1.2')",
            (last.isoformat(),),
        )
    log_question(fresh, "voor het vorige overzicht", "not found", at=last - timedelta(hours=1))
    log_question(fresh, "erna", "not found", at=last + timedelta(hours=1))
    made = summary.build(fresh, now=NOW, channel="C0TEST")
    assert made.since == last and made.since_last_summary
    assert [a.text for a in made.questions.unanswered] == ["erna"]
    assert "sinds het vorige overzicht (20 november 2026)" in summary_render.text(made)
    other = summary.build(fresh, now=NOW, channel="C0OTHER")  # another channel: a week back
    assert other.since == NOW - timedelta(days=7)


# -- the message ------------------------------------------------------------------------------
def test_every_weeks_message_is_valid_block_kit_within_slacks_limits(engine, fresh):
    for i in range(30):
        log_question(
            fresh, f"vraag {i} <@U{i}> " + "x" * 200, "not found", at=NOW - timedelta(hours=i + 1)
        )
    for week in weeks(len(summary.themes(engine)) * 2):
        text, blocks = summary_render.slack(summary.build(fresh, now=NOW, week=week))
        assert 0 < len(blocks) <= render.MAX_BLOCKS
        assert len(text) <= render.MESSAGE_TEXT_MAX
        for block in blocks:
            parsed = Block.parse(block)
            assert parsed is not None, block
            parsed.validate_json()
        assert blocks[0]["type"] == "header"
        assert "Weekoverzicht 071" in blocks[0]["text"]["text"]
        assert "<@U" not in text


def test_the_standing_reminder_rotates(engine):
    reminders = {
        summary_render.render_summary(summary.build(engine, now=NOW, week=w)).reminder
        for w in weeks(7)
    }
    assert len(reminders) == 7
    assert any("cijfers op zich zijn niet genoeg" in r for r in reminders)


# -- the chart ----------------------------------------------------------------------------------
def test_charts_are_pngs_with_dutch_labels(engine):
    specs: dict[str, summary_model.ChartSpec] = {}  # the first line chart and the first bar chart
    for week in weeks(len(summary.themes(engine))):
        spec = summary.choose_spotlight(engine, week).chart
        if spec is not None:
            specs.setdefault(spec.kind, spec)
    assert set(specs) == {"line", "bar"}
    for spec in specs.values():
        data = chart.png(spec)
        assert data.startswith(PNG) and len(data) > 10_000
        assert chart.source_line(spec.sources).startswith(("Bron: ", "Bronnen: "))
        assert chart.alt_text(spec).startswith(("Lijngrafiek van ", "Staafdiagram van "))


def test_axis_numbers_are_dutch():
    assert chart._tick(4.5, "procent") == "4,5%"
    assert chart._tick(120000.0, "aantal") == "120.000"
    assert chart._tick(0.30000000000000004, "aantal") == "0,3"


def test_a_dollar_in_a_label_is_drawn_as_it_is():
    spec = summary_model.ChartSpec(
        "bar", "Kosten in $ per $\\frac", "", "euro",
        (summary_model.Series("x", "Bron $1$", (
            summary_model.Point("a$b$", 1.0, None, None, "€ 1"),
            summary_model.Point("$\\nosuchcommand$", None, 1.0, 2.0, "€ 1 – € 2"),
        )),),
        (summary_model.SourceLine("Org $", None, None),), "kosten",
    )  # fmt: skip
    assert chart.png(spec).startswith(PNG)


@pytest.mark.parametrize("offset", range(6))
def test_spotlight_sources_and_region_read_as_in_an_answer(engine, offset):
    # The summary cites like an answer's footer: where the figure was published, its
    # reference dates, and what the 071 area is.
    week = weeks(offset + 1)[offset]
    made = summary.build(engine, now=NOW, week=week)
    text = summary_render.render_summary(made, render.PLAIN).text
    answer = made.spotlight.answer
    for ref in answer.sources:
        if ref.via:
            assert f"in: {ref.via}" in text
        for day in ref.ref_dates:
            assert f"peildatum {formatting.long_date(day)}" in text
    if answer.region:
        assert "071-gebied" in text and answer.region["members"][0] in text
