"""How each measure of an imported table becomes a catalog indicator: its id, Dutch label,
searchable names, unit and whether municipalities may be summed — from CBS's metadata,
unless a mapping file says otherwise."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from econ071.core.errors import DataError
from econ071.importing.cbs_odata import slug
from econ071.importing.mapping import Mapping
from econ071.importing.model import MeasureInfo, TableInfo
from econ071.store.catalog import normalise, split_list

# 'Bevolking op 1 januari' is also simply 'bevolking': a date phrase at the end of a
# title is dropped for a short name (only if no other indicator is called that already).
_DATE_TAIL = re.compile(r"\s+(?:op|per)\s+\d{1,2}\s+[a-z]+$", re.IGNORECASE)
_AVERAGE = re.compile(r"\bgemiddeld|\bper\s|\bdichtheid|\bratio\b|\bindex\b", re.IGNORECASE)


@dataclass(frozen=True)
class IndicatorPlan:
    measure: str  # the measure's key in the file
    id: str
    label: str
    unit: str
    scale: float
    unit_text: str
    synonyms: tuple[str, ...]
    additive: bool
    theme: str
    definition: str
    existing: str | None  # origin of the catalog row it maps to ('seed', 'import'), if any
    describes: bool  # this table describes the indicator (it is new, or was first made by it)


def source_id(table: TableInfo, file_stem: str) -> str:
    return f"cbs_{table.table_id.lower()}" if table.table_id else f"cbs_{slug(file_stem)}"


def _phrases_of_others(conn: sqlite3.Connection, own_ids: set[str]) -> dict[str, str]:
    """normalised phrase -> indicator id, for every indicator not planned here."""
    taken: dict[str, str] = {}
    for ind_id, label, synonyms in conn.execute("SELECT id, label, synonyms FROM indicators"):
        if ind_id in own_ids:
            continue
        for phrase in (label, ind_id.replace("_", " "), *split_list(synonyms)):
            taken.setdefault(normalise(phrase or ""), ind_id)
    return taken


def plan(conn: sqlite3.Connection, mapping: Mapping, table: TableInfo,
         measures: dict[str, MeasureInfo], file: str, stem: str) -> tuple[list[IndicatorPlan], list[str]]:  # fmt: skip
    """One plan per measure (in the table's order) and warnings for the analyst."""
    existing = {r[0]: (r[1], r[2], bool(r[3]), split_list(r[4])) for r in
                conn.execute("SELECT id, origin, unit, additive, sources FROM indicators")}  # fmt: skip
    src = source_id(table, stem)
    trule = mapping.table(table.table_id)
    theme_default = trule.theme or table.title.split(";")[0].strip()
    drafts = []
    for measure in measures.values():
        rule = mapping.measure(table.table_id, measure.code, measure.title)
        base = table.table_id or slug(stem)
        ind_id = rule.indicator if rule else f"cbs_{base}_{slug(measure.code or measure.title)}"
        unit = (rule.unit if rule and rule.unit else None) or measure.unit.unit
        label = (rule.label if rule and rule.label else None) or measure.title
        if not measure.unit.known and not (rule and rule.label):
            label = f"{label} ({measure.unit.text})"
        seen = existing.get(ind_id)
        if seen and seen[1] != unit:
            raise DataError(file, None, measure.key,
                            f"is in {measure.unit.text or unit} but is mapped to indicator "
                            f"{ind_id!r}, whose unit is {seen[1]}; expected the same unit")  # fmt: skip
        if rule and rule.additive is not None:
            additive = rule.additive
        elif seen and seen[0] == "seed":
            additive = seen[2]
        else:
            additive = (unit == "aantal" and measure.unit.known and measure.absolute
                        and not _AVERAGE.search(measure.title))  # fmt: skip
        short = _DATE_TAIL.sub("", measure.title)
        wanted = [*(rule.synonyms if rule else ()), *([short] if short != measure.title else [])]
        wanted = list(dict.fromkeys(wanted))
        definition = (
            (rule.definition if rule and rule.definition else None)
            or " ".join(measure.description.split())
            or f"{measure.title}, uit CBS-tabel {table.title}."
        )
        drafts.append((measure, ind_id, label, unit, wanted, additive, definition,
                       (rule.theme if rule and rule.theme else None) or theme_default,
                       seen[0] if seen else None, rule))  # fmt: skip
    taken = _phrases_of_others(conn, {d[1] for d in drafts})
    plans, warnings = [], []
    for measure, ind_id, label, unit, wanted, additive, definition, theme, origin, rule in drafts:
        if taken.get(normalise(label), ind_id) != ind_id:  # 'Bevolking' of another table
            label = f"{label} ({table.table_id or stem})"
        taken.setdefault(normalise(label), ind_id)
        synonyms = []
        for phrase in wanted:
            owner = taken.get(normalise(phrase))
            if owner and owner != ind_id:
                if rule and phrase in rule.synonyms:
                    warnings.append(
                        f"synonym {phrase!r} of {ind_id} already names {owner}; not added"
                    )
                continue
            taken[normalise(phrase)] = ind_id
            synonyms.append(phrase)
        owners = existing.get(ind_id, (None, None, None, []))[3]
        describes = origin is None or not owners or owners[0] == src
        plans.append(IndicatorPlan(measure.key, ind_id, label, unit, measure.unit.scale,
                                   measure.unit.text, tuple(synonyms), additive, theme,
                                   definition, origin, describes))  # fmt: skip
    return plans, warnings
