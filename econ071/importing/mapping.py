"""The analyst's mapping files (YAML): how imported CBS measures become catalog indicators.

Every ``data/mappings/*.yml`` is read on each import, then any file given with
``--mapping``; a later entry for the same measure wins. Format (all keys optional except
those marked)::

    measures:                      # one entry per CBS measure
      - table: 03759ned            # CBS table id; omit to match the measure in any table
        code: M000352              # the measure's code (OData) … or
        title: Bevolking op 1 januari   # … its title (StatLine CSV, which has no codes)
        indicator: bevolking       # required: catalog id (an existing one, or a new one)
        label: Bevolking op 1 januari
        synonyms: [bevolking, inwoners]
        additive: true             # may municipalities be summed to the 071 region?
        unit: aantal               # aantal, procent, … (see data/README.md)
        theme: bevolking
        definition: "…"
    files:                         # for CSV files that do not say what they hold
      - name: "werkloosheid-provincies*.csv"   # file name pattern (required)
        table: 12345ned            # table id, when the name lacks it
        title: Werkloosheid; provincie, kwartaal
        measure: Werkloosheidspercentage       # the measure of a table without one
        unit: procent
        forecast: true             # its periods after today are a forecast (prognose)
    tables:                        # per table id
      80590ned: {theme: arbeid, method: survey}
      85089ned: {forecast: true}   # a forecast (CBS prognoses) whatever its title says
    place_synonyms:                # extra names for CBS regions, as exports print them
      PV21: [Friesland]
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from econ071.core.errors import DataError
from econ071.store import schema
from econ071.store.catalog import normalise


@dataclass(frozen=True)
class MeasureRule:
    indicator: str
    table: str | None = None
    code: str | None = None
    title: str | None = None
    label: str | None = None
    synonyms: tuple[str, ...] = ()
    additive: bool | None = None
    unit: str | None = None
    theme: str | None = None
    definition: str | None = None


@dataclass(frozen=True)
class FileRule:
    name: str
    table: str | None = None
    title: str | None = None
    measure: str | None = None
    unit: str | None = None
    method: str | None = None
    forecast: bool | None = None  # the file is a forecast (CBS prognoses): see sanity.py


@dataclass(frozen=True)
class TableRule:
    theme: str | None = None
    method: str | None = None
    title: str | None = None
    forecast: bool | None = None


@dataclass
class Mapping:
    measures: list[MeasureRule] = field(default_factory=list)
    files: list[FileRule] = field(default_factory=list)
    tables: dict[str, TableRule] = field(default_factory=dict)
    place_synonyms: dict[str, list[str]] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)  # the mapping files read

    def measure(self, table: str | None, code: str | None, title: str) -> MeasureRule | None:
        """The last rule that fits: same table (or none given) and same code or title."""
        wanted = normalise(title)
        for rule in reversed(self.measures):
            if rule.table and table and rule.table.lower() != table.lower():
                continue
            if rule.table and not table:
                continue
            if rule.code and code and rule.code.lower() == code.lower():
                return rule
            if rule.title and normalise(rule.title) == wanted:
                return rule
        return None

    def file(self, path: Path) -> FileRule | None:
        for rule in reversed(self.files):
            if fnmatch.fnmatch(path.name.lower(), rule.name.lower()):
                return rule
        return None

    def table(self, table_id: str | None) -> TableRule:
        return self.tables.get((table_id or "").lower(), TableRule())

    def merge(self, other: Mapping) -> None:
        self.measures += other.measures
        self.files += other.files
        self.tables.update(other.tables)
        for code, names in other.place_synonyms.items():
            self.place_synonyms.setdefault(code, []).extend(names)
        self.sources += other.sources


def _text(value: object, file: str, where: str, key: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise DataError(file, where, key, f"is {value!r}; expected text")
    text = str(value).strip()
    return text or None


def _flag(entry: dict, file: str, where: str, key: str) -> bool | None:
    value = entry.get(key)
    if value is not None and not isinstance(value, bool):
        raise DataError(file, where, key, f"is {value!r}; expected true or false")
    return value


def _one_of(value: str | None, allowed: tuple[str, ...], file: str, where: str, key: str) -> None:
    if value is not None and value not in allowed:
        raise DataError(file, where, key, f"is {value!r}; expected one of {', '.join(allowed)}")


def _check_keys(entry: object, allowed: set[str], file: str, where: str) -> dict:
    if not isinstance(entry, dict):
        raise DataError(file, where, None, f"is {entry!r}; expected a mapping of keys to values")
    for key in entry:
        if key not in allowed:
            raise DataError(
                file, where, str(key), f"unknown key; expected {', '.join(sorted(allowed))}"
            )
    return entry


def _measure(entry: dict, file: str, where: str) -> MeasureRule:
    allowed = {f for f in MeasureRule.__dataclass_fields__}
    _check_keys(entry, allowed, file, where)
    if isinstance(entry.get("code"), int | float):
        raise DataError(file, where, "code",
                        f"is the number {entry['code']!r}; expected the code in quotes, e.g. "
                        "\"3000790_2\" (YAML reads 3000790_2 as a number)")  # fmt: skip
    values = {k: _text(entry.get(k), file, where, k) for k in allowed - {"synonyms", "additive"}}
    if not values["indicator"]:
        raise DataError(file, where, "indicator", "is missing; every measure needs a catalog id")
    if not (values["code"] or values["title"]):
        raise DataError(file, where, "code", "is missing, and so is 'title'; give one of them")
    _one_of(values["unit"], schema.UNITS, file, where, "unit")
    synonyms = entry.get("synonyms") or []
    if isinstance(synonyms, str):
        synonyms = [s for s in synonyms.split("|")]
    if not isinstance(synonyms, list):
        raise DataError(file, where, "synonyms", f"is {synonyms!r}; expected a list of names")
    additive = entry.get("additive")
    if additive is not None and not isinstance(additive, bool):
        raise DataError(file, where, "additive", f"is {additive!r}; expected true or false")
    return MeasureRule(
        synonyms=tuple(str(s).strip() for s in synonyms if str(s).strip()),
        additive=additive,
        **values,
    )


def read(path: Path) -> Mapping:
    """One mapping file, validated; DataError names the entry and key that is wrong."""
    file = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise DataError(
            file, line, None, f"is not valid YAML ({getattr(exc, 'problem', exc)})"
        ) from None
    except UnicodeDecodeError as exc:
        raise DataError(file, None, None, f"is not UTF-8 ({exc.reason})") from None
    except RecursionError:
        raise DataError(file, None, None, "is nested too deeply; expected a mapping file "
                        "(docs/import.md)") from None  # fmt: skip
    top = _check_keys(data, {"measures", "files", "tables", "place_synonyms"}, file, "top level")
    mapping = Mapping(sources=[file])
    for i, entry in enumerate(top.get("measures") or [], start=1):
        mapping.measures.append(_measure(entry, file, f"measures entry {i}"))
    for i, entry in enumerate(top.get("files") or [], start=1):
        where = f"files entry {i}"
        allowed = set(FileRule.__dataclass_fields__)
        _check_keys(entry, allowed, file, where)
        values = {k: _text(entry.get(k), file, where, k) for k in allowed - {"forecast"}}
        values["forecast"] = _flag(entry, file, where, "forecast")
        if not values["name"]:
            raise DataError(file, where, "name", "is missing; expected a file name pattern")
        _one_of(values["unit"], schema.UNITS, file, where, "unit")
        _one_of(values["method"], schema.SOURCE_METHODS, file, where, "method")
        mapping.files.append(FileRule(**values))
    tables = top.get("tables") or {}
    _check_keys(tables, set(tables), file, "tables")
    for table_id, entry in tables.items():
        where = f"tables entry {table_id}"
        allowed = set(TableRule.__dataclass_fields__)
        _check_keys(entry, allowed, file, where)
        values = {k: _text(entry.get(k), file, where, k) for k in allowed - {"forecast"}}
        values["forecast"] = _flag(entry, file, where, "forecast")
        _one_of(values["method"], schema.SOURCE_METHODS, file, where, "method")
        mapping.tables[str(table_id).lower()] = TableRule(**values)
    synonyms = top.get("place_synonyms") or {}
    _check_keys(synonyms, set(synonyms), file, "place_synonyms")
    for code, names in synonyms.items():
        if isinstance(names, str):
            names = [names]
        if not isinstance(names, list):
            raise DataError(file, "place_synonyms", str(code), "expected a list of names")
        mapping.place_synonyms.setdefault(str(code), []).extend(str(n) for n in names)
    return mapping


def load(mappings_dir: Path | None, extra: list[Path] = ()) -> Mapping:
    """Every *.yml in data/mappings/, then the extra files, in that order."""
    mapping = Mapping()
    files = sorted(mappings_dir.glob("*.yml")) if mappings_dir and mappings_dir.is_dir() else []
    for path in [*files, *extra]:
        mapping.merge(read(Path(path)))
    return mapping
