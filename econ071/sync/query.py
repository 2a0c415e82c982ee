"""What to ask CBS for: the regions the project serves, the measures that are mapped,
region lists in chunks (so that URLs stay short); and whether a table was discontinued
and which table succeeds it."""

from __future__ import annotations

import re
from collections.abc import Iterable

from econ071.core.places import COMPARISON, MUNICIPALITIES

# The regions answers are about: the six municipalities of the 071 area, Nederland, and
# the levels they are compared with — COROP Agglomeratie Leiden en Bollenstreek (CR25),
# labour-market region Holland Rijnland (AM19), province Zuid-Holland (PV28).
# See data/places.csv, data/place_members.csv and ../shared/cbs/API-NOTES.md.
REGIONS = (*MUNICIPALITIES, *COMPARISON)

ACTIVE = {"regulier", "incidenteel", "eenmalig", ""}
_STOPPED = re.compile(
    r"gestopt|stopgezet|beëindigd|beeindigd|niet meer (?:bij|aan|voort)|wordt niet voortgezet"
    r"|vervangen door|opgevolgd door|\bopvolger\b|vervolgtabel|discontinued",
    re.IGNORECASE,
)
_TABLE_ID = re.compile(r"\b([0-9]{2}[0-9A-Za-z]{3}(?:NED|ned|ENG|eng|[A-Z]{3}))\b")


def quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def any_of(field: str, codes: Iterable[str]) -> str:
    return "(" + " or ".join(f"{field} eq {quote(c)}" for c in codes) + ")"


def chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


def observation_filters(geo: str | None, regions: list[str], measures: list[str] | None,
                        extra: str | None, chunk: int) -> list[str | None]:  # fmt: skip
    """One $filter per request series: the regions in chunks of ``chunk`` codes, the
    measures (None: all), the table's own filter."""
    out: list[str | None] = []
    for part in chunks(regions, chunk) if geo else [[]]:
        terms = []
        if geo and part:
            terms.append(any_of(geo, part))
        if measures:
            terms.append(any_of("Measure", measures))
        if extra:
            terms.append(f"({extra})")
        out.append(" and ".join(terms) or None)
    return out


def discontinued(props: dict) -> bool:
    status = str(props.get("Status") or "").strip().lower()
    if status not in ACTIVE:
        return True
    return bool(_STOPPED.search(_status_text(props)))


def _status_text(props: dict) -> str:
    return " ".join(str(props.get(k) or "") for k in ("Description", "Summary", "VersionReason"))


def successor(props: dict) -> str | None:
    """The table a discontinued table names as its successor, in its description: the
    first other table id in the sentence that says so, else the first other table id."""
    own = str(props.get("Identifier") or "").lower()
    text = _status_text(props)
    sentences = re.split(r"(?<=[.!?])\s+|\r?\n", text)
    ordered = [s for s in sentences if _STOPPED.search(s)] + sentences
    for sentence in ordered:
        for found in _TABLE_ID.findall(sentence):
            if found.lower() != own:
                return found
    return None
