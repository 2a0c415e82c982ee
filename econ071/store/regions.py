"""The CBS region reference list shipped in data/mappings/ (codes, names, lifetimes)."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from econ071.store.catalog import normalise

KINDS = {
    "GM": "gemeente",
    "PV": "provincie",
    "CR": "corop",
    "LD": "landsdeel",
    "NL": "land",
    "AM": "arbeidsmarktregio",
}


KIND_WORDS = {
    "provincie": "provincie",
    "corop": "COROP-gebied",
    "landsdeel": "landsdeel",
    "arbeidsmarktregio": "arbeidsmarktregio",
}


_SUFFIX = re.compile(r"\s*\((PV|CR|LD|AM|GM|gemeente)\)\s*$")


_DATE = r"(\d\d)-(\d\d)-(\d{4})"


_END = re.compile(rf"^(?:Opgeheven|Naamswijziging) per {_DATE}\b")


_RENAMED_TO = re.compile(r"^nieuwe naam: (.+?) \((GM\d{4})\)")


_MOVED_TO = re.compile(r"^- (.+?) \((GM\d{4})\)")


_START = re.compile(rf"^(?:Ontstaan per|Begindatum) {_DATE}")


REFERENCE = "cbs-regio-codes.json"


@dataclass(frozen=True)
class Region:
    code: str
    name: str  # our display name: 'Leiden', 'Zuid-Holland', 'provincie Utrecht'
    kind: str
    title: str  # CBS's title: 'Utrecht (PV)', 'Bergen (NH.)'
    synonyms: tuple[str, ...]  # for the catalog: never a name another region also has
    note: str | None
    start: str | None  # ISO date the place came into being, when CBS says
    end: str | None  # ISO date it ceased to exist (opgeheven, or renamed under a new code)
    successor: str | None  # 'Molenlanden (GM1978)'
    aliases: tuple[str, ...] = ()  # for reading names: also the bare 'Groningen' of PV20
    renamed: bool = False  # ended by a change of name (and code), not dissolved

    def can_have_figures(self, first_day: str) -> bool:
        """Whether CBS can publish a figure for this place for a period starting then.

        Not after it was dissolved (Molenwaard, dissolved 1-1-2019, has no population on
        1 January 2019), nor for a year after its name changed (CBS still gives figures
        under the old name for the year of the change). No check on when a place began:
        CBS recomputes figures for today's areas back in time."""
        if not self.end:
            return True
        if self.renamed:
            return first_day[:4] <= self.end[:4]
        return first_day < self.end


def kind_of(code: str) -> str | None:
    return KINDS.get(code[:2].upper())


def _iso(day: str, month: str, year: str) -> str:
    return f"{year}-{month}-{day}"


def _lifetime(description: str) -> tuple[str | None, str | None, str | None, bool]:
    """(start, end, successor, renamed) from a CBS region description."""
    start = end = successor = None
    renamed = False
    lines = [line.strip() for line in description.replace("\r\n", "\n").split("\n")]
    for i, line in enumerate(lines):
        if end is None and (m := _END.match(line)):
            end = _iso(*m.groups())
            renamed = line.startswith("Naamswijziging")
            following = lines[i + 1] if i + 1 < len(lines) else ""
            if renamed and not following.startswith("nieuwe naam"):
                end = renamed = None  # 'oude naam: …' — the start of this name, not its end
                continue
            if renamed and (hit := _RENAMED_TO.match(following)):
                successor = f"{hit.group(1)} ({hit.group(2)})"
            elif not renamed:
                moved = []
                for nxt in lines[i + 1 :]:
                    if not (hit := _MOVED_TO.match(nxt)):
                        break
                    moved.append(f"{hit.group(1)} ({hit.group(2)})")
                successor = " en ".join(moved) or None
        elif start is None and (m := _START.match(line)):
            start = _iso(*m.groups())
    return start, end, successor, bool(renamed)


def from_codes(items: Iterable[dict]) -> dict[str, Region]:
    """Regions from the ``value`` list of a CBS RegioSCodes file."""
    raw = []
    for item in items:
        code = str(item.get("Identifier") or "").strip()
        kind = kind_of(code)
        if not kind:
            continue
        title = " ".join(str(item.get("Title") or code).split())
        raw.append((code, kind, title, _SUFFIX.sub("", title), str(item.get("Description") or "")))
    bare_count = Counter(normalise(bare) for _, _, _, bare, _ in raw)
    regions = {}
    for code, kind, title, bare, description in raw:
        word = KIND_WORDS.get(kind)
        name = f"{word} {bare}" if word and bare_count[normalise(bare)] > 1 else bare
        aliases = [s for s in dict.fromkeys((title, bare, f"{word} {bare}" if word else "")) if s]
        aliases = [s for s in aliases if s != name]
        synonyms = [s for s in aliases if bare_count[normalise(s)] <= 1 or s != bare]
        start, end, successor, renamed = _lifetime(description)
        note = None
        if end:
            day = f"{end[8:10]}-{end[5:7]}-{end[:4]}"
            if renamed:
                note = f"Voormalige gemeentenaam: per {day} hernoemd"
                note += f" tot {successor}." if successor else "."
            else:
                note = f"Voormalige gemeente: opgeheven per {day}"
                note += f", opgegaan in {successor}." if successor else "."
        regions[code] = Region(
            code,
            name,
            kind,
            title,
            tuple(synonyms),
            note,
            start,
            end,
            successor,
            tuple(aliases),
            renamed,
        )
    return regions


def load_codes_file(path: Path) -> dict[str, Region]:
    data = json.loads(path.read_text(encoding="utf-8-sig"))
    return from_codes(data.get("value", []))


_reference_cache: dict[Path, tuple[float, dict[str, Region]]] = {}


def reference(mappings_dir: Path) -> dict[str, Region]:
    """The reference list of CBS regions shipped in data/mappings/ (empty if absent)."""
    path = mappings_dir / REFERENCE
    if not path.exists():
        return {}
    mtime = path.stat().st_mtime
    cached = _reference_cache.get(path)
    if cached and cached[0] == mtime:
        return cached[1]
    regions = load_codes_file(path)
    _reference_cache[path] = (mtime, regions)
    return regions
