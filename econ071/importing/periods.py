"""CBS periods to the store's period codes: '2019' (year), '2019Q1' (quarter), '2019M01'
(month), '2012-2016' (span). From OData codes ('2019JJ00', '2019KW01', '2019MM01') and
from StatLine labels ('2019', '2019 1e kwartaal', '2019 januari', 'het eerste kwartaal van
2015', with '*' for provisional and '**' for revised provisional figures)."""

from __future__ import annotations

import re

from econ071.core.periods import MONTHS

ORDINALS = {"eerste": 1, "tweede": 2, "derde": 3, "vierde": 4}
STATUS_MARKS = {"*": "voorlopig", "**": "nader voorlopig"}
EXPECTED_LABEL = "a period like '2019', '2019 1e kwartaal', '2019 januari' or '2012-2016'"

_CODE = re.compile(r"^(\d{4})(JJ|KW|MM|X0|G\d|HJ)(\d\d)$")
_YEAR = re.compile(r"^(\d{4})$")
_SPAN = re.compile(r"^(\d{4})\s*(?:-|–|/|tot en met|t/m)\s*(\d{4})$")
_QUARTER = (
    re.compile(r"^(\d{4}) ([1-4])e kwartaal$"),
    re.compile(r"^([1-4])e kwartaal (\d{4})$"),
    re.compile(r"^(?:het )?(eerste|tweede|derde|vierde) kwartaal(?: van)? (\d{4})$"),
    re.compile(r"^(\d{4}) ?(?:kw|k|q)([1-4])$"),
)
_MONTH = (
    re.compile(r"^(\d{4}) ([a-z]+)$"),
    re.compile(r"^([a-z]+) (\d{4})$"),
)


class PeriodError(ValueError):
    "A period code or label that the store cannot represent"


def from_code(code: str) -> str:
    """'2019JJ00' -> '2019'; '2019KW02' -> '2019Q2'; '2019MM01' -> '2019M01'."""
    m = _CODE.match(code.strip())
    if not m:
        raise PeriodError(
            f"is {code!r}; expected a CBS period code like 2019JJ00, 2019KW01 or 2019MM01"
        )
    year, kind, n = m.groups()
    number = int(n)
    if kind == "JJ" and number == 0:
        return year
    if kind == "KW" and 1 <= number <= 4:
        return f"{year}Q{number}"
    if kind == "MM" and 1 <= number <= 12:
        return f"{year}M{number:02d}"
    what = {"HJ": "half years", "X0": "this kind of period"}.get(kind, "multi-year periods")
    raise PeriodError(f"is {code!r}: {what} are not supported; select years, quarters or months")


def from_label(label: str) -> tuple[str, str | None]:
    """A StatLine period label -> (period, status or None)."""
    text = " ".join(label.strip().split())
    status = None
    for mark in ("**", "*"):
        if text.endswith(mark):
            text, status = text[: -len(mark)].rstrip(), STATUS_MARKS[mark]
            break
    low = text.lower()
    if m := _YEAR.match(low):
        return m.group(1), status
    if m := _SPAN.match(low):
        return f"{m.group(1)}-{m.group(2)}", status
    for pattern in _QUARTER:
        if m := pattern.match(low):
            a, b = m.groups()
            if a in ORDINALS:
                return f"{b}Q{ORDINALS[a]}", status
            year, q = (a, b) if len(a) == 4 else (b, a)
            return f"{year}Q{q}", status
    for pattern in _MONTH:
        if m := pattern.match(low):
            a, b = m.groups()
            year, name = (a, b) if a.isdigit() else (b, a)
            if name in MONTHS:
                return f"{year}M{MONTHS.index(name) + 1:02d}", status
    raise PeriodError(f"is {label!r}; expected {EXPECTED_LABEL}")
