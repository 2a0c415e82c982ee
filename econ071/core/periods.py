"""The store's periods, one model for every package: '2019' (a year), '2012-2016' (a span
of years, counted by its last year), '2019Q1' (a quarter), '2019M01' (a month), or none
(a figure without a reference year). How they sort, match a year, what days they cover and
how an answer writes them. Standard library only; CBS's own codes and labels are read in
importing/periods.py."""

from __future__ import annotations

MONTHS = (
    "januari februari maart april mei juni juli augustus september oktober november december"
).split()


def period_key(period: str | None) -> tuple[int, int, str]:
    """Sort key: undated first, then by end year, then by text ('2012-2016' after '2012')."""
    if not period:
        return (-1, -1, "")
    digits = [int(p) for p in period.replace("Q", "-").replace("M", "-").split("-") if p.isdigit()]
    end = max((d for d in digits if d > 1800), default=0)
    return (end, len(period), period)


def granularity(period: str) -> str:
    """'2019' and '2012-2016' are years, '2019Q1' a quarter, '2019M01' a month."""
    if "Q" in period:
        return "quarter"
    if "M" in period:
        return "month"
    return "year"


def period_matches(period: str | None, year: int) -> bool:
    """Whether a period is, or falls in, or (a span) ends in the year."""
    if not period:
        return False
    if period == str(year) or period.startswith(f"{year}Q") or period.startswith(f"{year}M"):
        return True
    parts = period.split("-")
    return len(parts) == 2 and all(p.isdigit() for p in parts) and int(parts[1]) == year


def bounds(period: str) -> tuple[str, str]:
    """First and last day of a period, as ISO dates (for checking a place existed)."""
    if "-" in period:
        a, b = period.split("-")
        return f"{a}-01-01", f"{b}-12-31"
    if "Q" in period:
        year, q = period.split("Q")
        first = (int(q) - 1) * 3 + 1
        last_day = {3: 31, 6: 30, 9: 30, 12: 31}[first + 2]
        return f"{year}-{first:02d}-01", f"{year}-{first + 2:02d}-{last_day}"
    if "M" in period:
        year, m = period.split("M")
        return f"{year}-{m}-01", f"{year}-{m}-28"
    return f"{period}-01-01", f"{period}-12-31"


def label(period: str | None) -> str:
    """How an answer writes a period: '2012–2016', '1e kwartaal 2019', 'januari 2019'."""
    if not period:
        return "zonder peiljaar"
    if "-" in period and all(p.isdigit() for p in period.split("-")):
        a, b = period.split("-")
        return f"{a}–{b}"
    if "Q" in period:
        year, q = period.split("Q")
        return f"{q}e kwartaal {year}"
    if "M" in period:
        year, m = period.split("M")
        return f"{MONTHS[int(m) - 1]} {year}"
    return period
