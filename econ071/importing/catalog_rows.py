"""The catalog rows an import adds: its source, indicators, places and breakdowns."""

from __future__ import annotations

import sqlite3

from econ071.importing import mapping
from econ071.importing.errors import refuse
from econ071.importing.model import ParsedFile
from econ071.importing.plan import IndicatorPlan
from econ071.store.catalog import normalise, split_list

RELIABILITY = {
    "survey": "Steekproefcijfers van het CBS: kleine verschillen en cijfers voor kleine "
    "gemeenten zijn onzeker.",
    "register": "Registercijfers van het CBS: volledige tellingen uit administraties, ook per "
    "gemeente betrouwbaar.",
}


def _write_catalog(conn: sqlite3.Connection, parsed: ParsedFile, plans: list[IndicatorPlan],
                   src: str, reference: dict, maps: mapping.Mapping, places: set[str]) -> None:  # fmt: skip
    table = parsed.table
    if not parsed.tidy:
        title = f"{table.title} ({table.table_id})" if table.table_id else table.title
        conn.execute(
            "INSERT INTO sources (id, organisation, publication, via, method, reliability,"
            " licence, url, origin) VALUES (?, 'CBS', ?, NULL, ?, ?, ?, ?, 'import')"
            " ON CONFLICT (id) DO UPDATE SET publication = excluded.publication,"
            " method = excluded.method, reliability = excluded.reliability,"
            " licence = excluded.licence, url = excluded.url WHERE sources.origin = 'import'",
            (src, title, table.method, RELIABILITY.get(table.method), table.licence, table.url),
        )
    known = dict(conn.execute("SELECT code, kind FROM places").fetchall())
    kinds = {known[c] for c in places if c in known}
    codes = sorted(places - set(known))
    taken = _place_phrases(conn) if codes else set()
    for code in codes:
        region = parsed.regions.get(code) or reference.get(code)
        if region is None:
            raise refuse(parsed.file, None, "place", f"{code!r} is not a known place")
        kinds.add(region.kind)
        # A synonym another place already answers to ('Utrecht') would make questions ambiguous.
        wanted = (*region.synonyms, *maps.place_synonyms.get(code, ()))
        synonyms = [s for s in dict.fromkeys(wanted) if normalise(s) not in taken]
        taken.update(normalise(s) for s in (region.name, *synonyms))
        conn.execute(
            "INSERT OR IGNORE INTO places (code, name, kind, synonyms, note, origin)"
            " VALUES (?, ?, ?, ?, ?, 'import')",
            (code, region.name, region.kind, "|".join(synonyms), region.note),
        )
    for bd in parsed.breakdowns.values():
        conn.execute(
            "INSERT OR IGNORE INTO breakdowns (id, dimension, label, synonyms, sort, origin)"
            " VALUES (?, ?, ?, '', 0, 'import')",
            (bd.id, bd.dimension, bd.label),
        )
    level = "gemeente" if kinds == {"gemeente"} else "land" if kinds <= {"land"} else (
        "mixed" if "gemeente" in kinds else "regio")  # fmt: skip
    dims = sorted({bd.dimension for bd in parsed.breakdowns.values()})
    for i, p in enumerate(plans):
        if p.existing == "seed":
            continue  # the catalog in data/ describes it; only figures are added
        if not p.describes:  # another table made it: only add this source
            conn.execute("UPDATE indicators SET sources = ? WHERE id = ?",
                         (_sources_of(conn, p.id, src), p.id))  # fmt: skip
            continue
        conn.execute(
            "INSERT INTO indicators (id, label, theme, unit, definition, synonyms, level,"
            " additive, sources, breakdown_dimension, availability, sort, origin)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, 'import')"
            " ON CONFLICT (id) DO UPDATE SET label = excluded.label, theme = excluded.theme,"
            " unit = excluded.unit, definition = excluded.definition,"
            " synonyms = excluded.synonyms, level = excluded.level,"
            " additive = excluded.additive, sources = excluded.sources,"
            " breakdown_dimension = excluded.breakdown_dimension"
            " WHERE indicators.origin = 'import'",
            (p.id, p.label, p.theme, p.unit, p.definition, "|".join(p.synonyms), level,
             int(p.additive), _sources_of(conn, p.id, src), dims[0] if len(dims) == 1 else None,
             1000 + i),
        )  # fmt: skip


def _place_phrases(conn: sqlite3.Connection) -> set[str]:
    phrases = set()
    for name, synonyms in conn.execute("SELECT name, synonyms FROM places"):
        phrases.add(normalise(name))
        phrases.update(normalise(s) for s in split_list(synonyms))
    return phrases


def _sources_of(conn: sqlite3.Connection, indicator: str, src: str) -> str:
    row = conn.execute("SELECT sources FROM indicators WHERE id = ?", (indicator,)).fetchone()
    have = [s for s in (row[0] or "").split("|") if s] if row else []
    return "|".join(dict.fromkeys([*have, src]))
