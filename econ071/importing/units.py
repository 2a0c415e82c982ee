"""CBS units ('aantal', '%', 'x 1 000', 'x 1 000 euro' …) to the catalog's units and a
scale factor: a value published 'x 1 000' is stored in whole units."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    unit: str  # one of econ071.store.schema.UNITS
    scale: float  # multiply the published value by this
    known: bool  # False: CBS's unit text is kept in the label, the catalog unit is 'aantal'
    text: str  # CBS's own words


_SCALES = (
    (re.compile(r"^x\s*1\s*000\s*000\b|^x\s*(?:1\s*)?(?:mln|miljoen)\b|^mln\b"), 1_000_000.0),
    (re.compile(r"^x\s*1\s*000\b|^x\s*1000\b|^x\s*duizend\b"), 1000.0),
)


def parse(text: str | None) -> Unit:
    raw = (text or "").strip()
    low = " ".join(raw.lower().split())
    scale = 1.0
    rest = low
    for pattern, factor in _SCALES:
        if m := pattern.match(rest):
            scale, rest = factor, rest[m.end() :].strip()
            break
    if rest in ("", "aantal", "getal", "absoluut", "personen", "aantal personen"):
        return Unit("aantal", scale, True, raw)
    if rest in ("%", "procent", "percentage"):
        return Unit("procent", scale, True, raw)
    if rest in ("%-punt", "procentpunt", "procentpunten"):
        return Unit("procentpunt", scale, True, raw)
    if rest in ("euro", "€", "eur"):
        return Unit("euro", scale, True, raw)
    if rest in ("jaar", "jaren", "jr"):
        return Unit("jaar", scale, True, raw)
    return Unit("aantal", scale, False, raw)
