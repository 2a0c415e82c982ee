"""The one period model (core/periods.py): order, matching a year, days covered, labels."""

from econ071.core import periods


def test_periods_sort_undated_first_then_by_end_year_then_span_after_year():
    got = sorted(["2016", None, "2012-2016", "2019Q1", "2010", "2019M01"], key=periods.period_key)
    assert got == [None, "2010", "2016", "2012-2016", "2019Q1", "2019M01"]


def test_a_year_matches_its_quarters_months_and_a_span_ending_in_it():
    assert periods.period_matches("2019Q3", 2019) and periods.period_matches("2019M12", 2019)
    assert periods.period_matches("2012-2016", 2016) and not periods.period_matches(
        "2012-2016", 2014
    )
    assert not periods.period_matches(None, 2016) and not periods.period_matches("2018", 2019)


def test_granularity_bounds_and_labels():
    assert [periods.granularity(p) for p in ("2019", "2012-2016", "2019Q1", "2019M01")] == [
        "year", "year", "quarter", "month"]  # fmt: skip
    assert periods.bounds("2019Q2") == ("2019-04-01", "2019-06-30")
    assert periods.bounds("2012-2016") == ("2012-01-01", "2016-12-31")
    assert periods.label("2019Q1") == "1e kwartaal 2019"
    assert periods.label("2019M03") == "maart 2019"
    assert periods.label("2012-2016") == "2012–2016"
    assert periods.label(None) == "zonder peiljaar"
