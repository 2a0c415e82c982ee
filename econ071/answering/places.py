"""Places a question names that the store has no figures for: Dutch municipalities from
CBS's list (data/mappings/cbs-regio-codes.json, the list the importer uses), found in the
question's words so that they are named and refused, never replaced by another place."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from econ071.core import paths
from econ071.store.catalog import Catalog, normalise

# Municipality names that are also ordinary Dutch words in a question.
COMMON_WORDS = frozenset(
    {
        "best",
        "buren",
        "putten",
        "laren",
        "goes",
        "echt",
        "mill",
        "stein",
        "sint",
        "beek",
        "son",
        "land",
        "bergen",
        "borne",
    }
)
MAX_WORDS = 4


@cache
def municipality_names(mappings_dir: Path | None = None) -> dict[str, tuple[str, str]]:
    """normalised name -> (code, display name) of every municipality CBS lists (also
    former ones: a partner may still use an old name)."""
    from econ071.store.regions import reference

    folder = mappings_dir or paths.data_dir() / "mappings"
    try:
        regions = reference(folder)
    except (OSError, ValueError):
        return {}
    names: dict[str, tuple[str, str]] = {}
    for r in sorted(regions.values(), key=lambda r: (r.end is not None, r.code)):
        if r.kind != "gemeente":
            continue
        for name in (r.name, *r.aliases):
            key = normalise(name)
            if key and key not in COMMON_WORDS:
                names.setdefault(key, (r.code, r.name))
    return names


def unknown_places(words: list[str], catalog: Catalog, skip: set[str]) -> list[tuple[str, str]]:
    """(code, name) of municipalities named in the words that the catalog does not have.
    ``skip``: words already understood as something else."""
    names = municipality_names()
    found: list[tuple[str, str]] = []
    for word in words:  # inhabitants: Haarlemmers, Delftenaren, Utrechters
        if word in skip or word in catalog.vocabulary:
            continue
        for stem in _demonym_stems(word):
            hit = names.get(stem)
            if hit and hit[0] not in catalog.places and hit not in found:
                found.append(hit)
                break
    i = 0
    while i < len(words):
        for n in range(min(MAX_WORDS, len(words) - i), 0, -1):
            phrase = " ".join(words[i : i + n])
            hit = names.get(phrase)
            if hit and not (n == 1 and phrase in skip) and phrase not in catalog.vocabulary:
                if hit[0] not in catalog.places and hit not in found:
                    found.append(hit)
                i += n
                break
        else:
            i += 1
    return found


DEMONYM_ENDINGS = ("enaren", "enaars", "naren", "aren", "ers", "er", "se")


def _demonym_stems(word: str) -> list[str]:
    stems = []
    for ending in DEMONYM_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            stem = word[: -len(ending)]
            stems.append(stem)
            if len(stem) > 4 and stem[-1] == stem[-2]:  # haarlemm(ers)
                stems.append(stem[:-1])
    return stems
