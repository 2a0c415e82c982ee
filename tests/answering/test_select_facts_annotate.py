"""The middle steps of the answering pipeline on their own, on the real store: select
(which figures are read), facts (what is derived from them) and annotate (which caveats
and sources are attached). Fast: no parsing, no rendering."""

from __future__ import annotations

import dataclasses

import pytest

from econ071.answering import annotate, facts, select
from econ071.answering.context import Context
from econ071.core.places import REGION_071

LEIDEN = "GM0546"


@pytest.fixture(scope="module")
def ctx(engine):
    return Context(engine.conn, engine.catalog)


def _banen(ctx, places=(LEIDEN,)):
    ind = ctx.catalog.indicators["banen"]
    figs = select.relevant_figures(ctx, ind, list(places), breakdown=None)
    return ind, figs


def test_select_reads_the_place_asked_and_the_levels_it_is_compared_with(ctx):
    _, figs = _banen(ctx)
    places = {f.place for f in figs}
    assert {f.indicator for f in figs} == {"banen"}
    assert LEIDEN in places and REGION_071 in places
    assert places <= set(ctx.relevant_places([LEIDEN]))
    assert all(f.breakdown is None for f in figs)  # the total, no sector rows


def test_facts_give_the_change_the_share_of_the_071_area_and_the_rank(ctx):
    ind, figs = _banen(ctx)
    leiden_2016 = [f for f in figs if f.place == LEIDEN and f.period == "2016"]
    found = {fact.kind: fact.data for fact in
             facts.figure_facts(ctx, ind.unit, ind.additive, leiden_2016, figs)}  # fmt: skip
    assert found["change"]["from"] == "2010" and found["change"]["to"] == "2016"
    leiden = {f.period: f.value for f in figs if f.place == LEIDEN}
    assert found["change"]["diff"] == pytest.approx(leiden["2016"] - leiden["2010"])
    total = next(f.value for f in figs if f.place == REGION_071 and f.period == "2016")
    assert found["share"]["pct"] == pytest.approx(leiden["2016"] / total * 100)
    assert found["rank"]["rank"] == 1 and found["rank"]["of"] == 6  # Leiden has most jobs


def test_a_series_keeps_one_grain_years_before_quarters(ctx):
    _, figs = _banen(ctx)
    mine = [f for f in figs if f.place == LEIDEN]
    quarter = mine[0]._replace(period="2017Q1")
    kept, grain, mixed = facts.one_grain([*mine, quarter])
    assert grain == "year" and mixed and quarter not in kept and set(kept) == set(mine)
    only_quarters, grain, mixed = facts.one_grain([quarter])
    assert (only_quarters, grain, mixed) == ([quarter], "quarter", False)


def test_annotate_attaches_the_catalog_caveat_and_says_what_kind_of_figure_it_is(ctx):
    _, figs = _banen(ctx)
    value = ctx.value(next(f for f in figs if f.place == LEIDEN and f.period == "2016"))
    assert "c_lisa_cbs" in {c.id for c in annotate.caveats(ctx, [value])}
    [ref] = annotate.source_refs(ctx, [value])
    assert ref.id == value.source and ref.organisation == ctx.catalog.source_name(value.source)
    rough = dataclasses.replace(value, qualifier="approximate")
    assert "approximation" in {c.id for c in annotate.caveats(ctx, [rough])}
    gone = dataclasses.replace(value, value=None, low=None, high=None, missing_reason="x")
    assert "missing" in {c.id for c in annotate.caveats(ctx, [gone])}
    undated = dataclasses.replace(value, period=None)
    assert "undated" in {c.id for c in annotate.caveats(ctx, [undated])}
