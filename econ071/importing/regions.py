"""CBS regions: codes (GM/PV/CR/LD/NL/AM) with their names, kinds and lifetimes, read from a
CBS ``RegioSCodes`` list; and the resolution of StatLine's place *names* to codes.

The reference list ``data/mappings/cbs-regio-codes.json`` is a CBS RegioSCodes file (all
current and former municipalities, trimmed to the lines about start and end); a newer one
downloaded from CBS can replace it as it is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from econ071.store.catalog import normalise
from econ071.store.regions import Region


@dataclass(frozen=True)
class KnownPlace:
    code: str
    kind: str
    exact: bool  # matched on the official title (or our own name), not on a synonym


class PlaceNames:
    """Resolves place names as StatLine prints them ('Bergen (NH.)', 'Fryslân (PV)',
    'Groningen') to codes. A name that fits several places (Groningen: the municipality
    and the province) goes to the kind most other names in the same file have, else to
    the place whose official title it is."""

    def __init__(self, regions: dict[str, Region], store_places: Iterable[tuple]) -> None:
        self._by_name: dict[str, dict[str, KnownPlace]] = {}
        for r in regions.values():
            self._add(r.title, r.code, r.kind, exact=True)
            self._add(r.name, r.code, r.kind, exact=True)
            for s in r.aliases:
                self._add(s, r.code, r.kind, exact=False)
        for code, name, kind, synonyms in store_places:
            self._add(name, code, kind, exact=True)
            for s in (synonyms or "").split("|"):
                self._add(s, code, kind, exact=False)
        self.kinds_seen: Counter[str] = Counter()

    def _add(self, phrase: str, code: str, kind: str, exact: bool) -> None:
        key = normalise(phrase or "")
        if not key:
            return
        entries = self._by_name.setdefault(key, {})
        old = entries.get(code)
        entries[code] = KnownPlace(code, kind, exact or bool(old and old.exact))

    def add_synonym(self, phrase: str, code: str, kind: str) -> None:
        self._add(phrase, code, kind, exact=False)

    def candidates(self, name: str) -> list[KnownPlace]:
        return list(self._by_name.get(normalise(name), {}).values())

    def resolve_all(self, names: Iterable[str]) -> dict[str, str | list[KnownPlace]]:
        """name -> code, or the list of candidates (empty: unknown; several: ambiguous)."""
        names = list(dict.fromkeys(names))
        found = {n: self.candidates(n) for n in names}
        for cands in found.values():
            if len(cands) == 1:
                self.kinds_seen[cands[0].kind] += 1
        out: dict[str, str | list[KnownPlace]] = {}
        for name, cands in found.items():
            out[name] = self._choose(cands)
        return out

    def _choose(self, cands: list[KnownPlace]) -> str | list[KnownPlace]:
        if len(cands) == 1:
            return cands[0].code
        if not cands:
            return []
        if self.kinds_seen:
            dominant = self.kinds_seen.most_common(1)[0][0]
            of_kind = [c for c in cands if c.kind == dominant]
            if len(of_kind) == 1:
                return of_kind[0].code
        exact = [c for c in cands if c.exact]
        if len(exact) == 1:
            return exact[0].code
        return cands
