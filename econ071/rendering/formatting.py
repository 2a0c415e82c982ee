"""Dutch number and date formats, through Babel: 67.537; 5,5%; € 254.080; 31 december 2016.

Values are shown with exactly the digits they have in the store (never rounded away);
only derived facts (a change in %, a share) are given one decimal.
"""

from __future__ import annotations

import functools
from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal

LOCALE = "nl_NL"

QUALIFIER_WORDS = {
    "exact": "",
    "approx": "omstreeks ",
    "almost": "bijna ",
    "over": "ruim ",
    "more_than": "meer dan ",
    "up_to": "tot ",
}


def _decimal(value: float | int) -> Decimal:
    if isinstance(value, float) and value.is_integer():
        return Decimal(int(value))
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


@functools.lru_cache(maxsize=4096)
def number(value: float | int | None) -> str:
    """67537 -> '67.537'; 5.5 -> '5,5'; 8527.5 -> '8.527,5' (all digits kept)."""
    if value is None:
        return ""
    return format_decimal(_decimal(value), locale=LOCALE, decimal_quantization=False)


def one_decimal(value: float) -> str:
    """For derived facts only: 6.1234 -> '6,1'."""
    return format_decimal(value, format="#,##0.0", locale=LOCALE)


def signed_one_decimal(value: float) -> str:
    """+6,1 / −0,3 / 0,0: the sign of what is shown (−0,04 is 0,0, not −0,0)."""
    text = one_decimal(abs(value))
    shown = Decimal(text.replace(".", "").replace(",", "."))
    return ("+" if shown and value > 0 else "−" if shown and value < 0 else "") + text


def difference(a: float | int, b: float | int) -> float | int:
    """a − b in decimal arithmetic: 42.1 − 41.3 is 0.8, not 0.8000000000000043 (a
    derived fact shows all its digits, so binary noise would show)."""
    result = _decimal(a) - _decimal(b)
    return int(result) if result == result.to_integral_value() else float(result)


def product(a: float | int, b: float | int) -> float | int:
    """a × b in decimal arithmetic: 16.1 × 1000 is 16100, not 16100.000000000002."""
    result = _decimal(a) * _decimal(b)
    return int(result) if result == result.to_integral_value() else float(result)


def signed_number(value: float) -> str:
    text = number(abs(value))
    return ("+" if value > 0 else "−" if value < 0 else "") + text


def long_date(iso: str | None) -> str:
    """'2016-12-31' -> '31 december 2016'; other text is returned as it is."""
    if not iso:
        return ""
    try:
        return format_date(date.fromisoformat(iso), format="long", locale=LOCALE)
    except ValueError:
        return iso


def with_unit(text: str, unit: str) -> str:
    if unit == "procent":
        return f"{text}%"
    if unit == "euro":
        return f"€ {text}"
    suffix = {
        "procentpunt": " procentpunt",
        "jaar": " jaar",
        "per_100": " per 100",
        "aantal_per_jaar": " per jaar",
    }.get(unit, "")
    return f"{text}{suffix}"


def value(
    value: float | None,
    unit: str,
    qualifier: str = "exact",
    low: float | None = None,
    high: float | None = None,
) -> str:
    """A published value in Dutch, keeping what the source says about it:
    a range stays a range ('6,5 – 7,5%'), an approximation stays approximate."""
    if qualifier == "range" or (value is None and low is not None and high is not None):
        if unit == "procent":
            return f"{number(low)} – {number(high)}%"
        return f"{with_unit(number(low), unit)} – {with_unit(number(high), unit)}"
    if value is None:
        value = high if high is not None else low
    if value is None:
        return ""
    return QUALIFIER_WORDS.get(qualifier, "") + with_unit(number(value), unit)
