"""The catalog in memory: indicators, places, breakdowns, sources and the rules
(caveats, interpretations) that attach text to figures."""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from dataclasses import dataclass, field

from econ071.core.places import REGION_071

_YEAR_RANGE = re.compile(r"\b(\d{4})\s*(?:-|–|—|tot en met|t/m|tot)\s*(\d{4})\b")
_NOT_WORD = re.compile(r"[^a-z0-9+\s]")


def normalise(text: str) -> str:
    """Lower case, no accents or punctuation, single spaces; keeps ``65+`` and year ranges
    (``2012-2016``) so that the parser can see them."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace("’", "").replace("'", "").replace("`", "")
    ranges: list[str] = []

    def keep_range(m: re.Match) -> str:
        ranges.append(f"{m.group(1)}-{m.group(2)}")
        return f" yearrange{len(ranges) - 1} "

    text = _YEAR_RANGE.sub(keep_range, text)
    text = _NOT_WORD.sub(" ", text)
    for i, r in enumerate(ranges):
        text = text.replace(f"yearrange{i}", r)
    return " ".join(text.split())


def split_list(cell: str | None) -> list[str]:
    return [item.strip() for item in (cell or "").split("|") if item.strip()]


@dataclass(frozen=True)
class Indicator:
    id: str
    label: str
    theme: str
    unit: str
    definition: str
    synonyms: tuple[str, ...]
    level: str
    additive: bool
    sources: tuple[str, ...]
    breakdown_dimension: str | None
    availability: str | None
    sort: int
    origin: str


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    kind: str
    synonyms: tuple[str, ...]
    note: str | None
    origin: str


@dataclass(frozen=True)
class Breakdown:
    id: str
    dimension: str
    label: str
    synonyms: tuple[str, ...]
    sort: int


@dataclass(frozen=True)
class Source:
    id: str
    organisation: str
    publication: str | None
    via: str | None
    method: str
    reliability: str | None
    licence: str | None
    url: str | None


@dataclass(frozen=True)
class Rule:
    """A caveat or an interpretation: text that applies to figures matching its columns."""

    id: str
    kind: str
    text: str
    chapter: str | None
    source: tuple[str, ...]
    indicator: tuple[str, ...]
    place: tuple[str, ...]
    place_kind: tuple[str, ...]
    breakdown: tuple[str, ...]
    period: tuple[str, ...]


@dataclass(frozen=True)
class VocabEntry:
    phrase: str  # normalised
    kind: str  # indicator | place | breakdown | dimension
    id: str


@dataclass
class Catalog:
    indicators: dict[str, Indicator]
    places: dict[str, Place]
    breakdowns: dict[str, Breakdown]
    sources: dict[str, Source]
    caveats: list[Rule]
    interpretations: list[Rule]
    members: dict[str, tuple[str, ...]]
    version: str
    vocabulary: dict[str, list[VocabEntry]] = field(default_factory=dict)
    longest_phrase: int = 1  # in words
    _rules_by_indicator: dict[tuple[str, str], list[Rule]] = field(default_factory=dict)

    def rules_for(self, table: str, indicator: str) -> list[Rule]:
        """The caveats or interpretations that may apply to an indicator: those naming it
        and those naming no indicator at all (checked further by rule_applies)."""
        key = (table, indicator)
        found = self._rules_by_indicator.get(key)
        if found is None:
            rules = self.caveats if table == "caveats" else self.interpretations
            found = [r for r in rules if not r.indicator or indicator in r.indicator]
            self._rules_by_indicator[key] = found
        return found

    @property
    def region_code(self) -> str:
        """The 071 region: the composed place whose members are the six municipalities."""
        return REGION_071

    @property
    def six(self) -> tuple[str, ...]:
        return self.members.get(self.region_code, ())

    def place_name(self, code: str) -> str:
        place = self.places.get(code)
        return place.name if place else code

    def source_name(self, source_id: str) -> str:
        """How an answer names a source: its organisation (the id when the catalog lacks it)."""
        source = self.sources.get(source_id)
        return source.organisation if source else source_id


def _rules(conn: sqlite3.Connection, table: str) -> list[Rule]:
    kind = "kind" if table == "caveats" else "'interpretation'"
    extra = "source, indicator, place, place_kind, breakdown, period"
    if table == "interpretations":
        extra = "NULL, indicator, place, NULL, breakdown, period"
    rows = conn.execute(
        f"SELECT id, {kind}, text, chapter, {extra} FROM {table} ORDER BY id"  # noqa: S608
    )
    return [Rule(r[0], r[1], r[2], r[3], *(tuple(split_list(c)) for c in r[4:])) for r in rows]


def load(conn: sqlite3.Connection) -> Catalog:
    indicators = {
        r[0]: Indicator(
            r[0],
            r[1],
            r[2] or "",
            r[3],
            r[4] or "",
            tuple(split_list(r[5])),
            r[6] or "",
            bool(r[7]),
            tuple(split_list(r[8])),
            r[9] or None,
            r[10] or None,
            r[11] or 0,
            r[12],
        )  # fmt: skip
        for r in conn.execute(
            "SELECT id, label, theme, unit, definition, synonyms, level, additive, sources,"
            " breakdown_dimension, availability, sort, origin FROM indicators"
            " ORDER BY sort, id"
        )
    }
    places = {
        r[0]: Place(r[0], r[1], r[2], tuple(split_list(r[3])), r[4] or None, r[5])
        for r in conn.execute("SELECT code, name, kind, synonyms, note, origin FROM places")
    }
    breakdowns = {
        r[0]: Breakdown(r[0], r[1], r[2], tuple(split_list(r[3])), r[4] or 0)
        for r in conn.execute(
            "SELECT id, dimension, label, synonyms, sort FROM breakdowns ORDER BY sort, id"
        )
    }
    sources = {
        r[0]: Source(*r)
        for r in conn.execute(
            "SELECT id, organisation, publication, via, method, reliability, licence, url"
            " FROM sources"
        )
    }
    members: dict[str, list[str]] = {}
    for place, member in conn.execute("SELECT place, member FROM place_members ORDER BY rowid"):
        members.setdefault(place, []).append(member)
    version = store_version(conn)
    catalog = Catalog(
        indicators,
        places,
        breakdowns,
        sources,
        _rules(conn, "caveats"),
        _rules(conn, "interpretations"),
        {k: tuple(sorted(v, key=lambda c: places[c].name if c in places else c))
         for k, v in members.items()},
        version,
    )  # fmt: skip
    catalog.vocabulary = _vocabulary(catalog)
    catalog.longest_phrase = max((len(p.split()) for p in catalog.vocabulary), default=1)
    return catalog


def store_version(conn: sqlite3.Connection) -> str:
    """Changes whenever the catalog may have changed: a (re)build or an import."""
    rows = conn.execute(
        "SELECT value FROM meta WHERE key IN ('built_at', 'imported_at') ORDER BY key"
    ).fetchall()
    return "|".join(str(r[0] or "") for r in rows)


def _vocabulary(catalog: Catalog) -> dict[str, list[VocabEntry]]:
    vocab: dict[str, list[VocabEntry]] = {}

    def add(phrase: str, kind: str, id_: str) -> None:
        norm = normalise(phrase)
        if not norm:
            return
        entries = vocab.setdefault(norm, [])
        if not any(e.kind == kind and e.id == id_ for e in entries):
            entries.append(VocabEntry(norm, kind, id_))

    for ind in catalog.indicators.values():
        for phrase in (ind.label, ind.id.replace("_", " "), *ind.synonyms):
            add(phrase, "indicator", ind.id)
    for place in catalog.places.values():
        for phrase in (place.name, place.code, *place.synonyms):
            add(phrase, "place", place.code)
    for bd in catalog.breakdowns.values():
        phrases = [bd.id.split(":", 1)[1].replace("_", " "), *bd.synonyms]
        # "Werkregio Leiden" as one phrase would swallow the place in "werkregio Leiden";
        # such labels are matched by their last part (the slug) instead.
        if not normalise(bd.label).startswith(normalise(bd.dimension)):
            phrases.append(bd.label)
        for phrase in phrases:
            add(phrase, "breakdown", bd.id)
    for dimension in {bd.dimension for bd in catalog.breakdowns.values()}:
        # "per sector", "sectoren", "werkregio's": ask for the whole breakdown.
        for form in (dimension, f"{dimension}en", f"{dimension}s", f"{dimension}'s"):
            add(form, "dimension", dimension)
    return vocab


def rule_applies(rule: Rule, *, indicator: str, place: str, place_kind: str,
                 breakdown: str | None, source: str, period: str | None) -> bool:  # fmt: skip
    """Every non-empty column of the rule must match (a list matches any of its items)."""
    checks = (
        (rule.indicator, indicator),
        (rule.place, place),
        (rule.place_kind, place_kind),
        (rule.breakdown, breakdown or ""),
        (rule.source, source),
        (rule.period, period or ""),
    )
    return all(not wanted or value in wanted for wanted, value in checks)
