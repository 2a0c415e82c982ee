"""Partners' own words: shorthand, demonyms, people words and typos kept in
``data/vocabulary.csv`` (reviewable in a spreadsheet), added to the catalog's vocabulary.

A row ``typed,means,kind,note`` says that ``typed`` means what ``means`` means in the
catalog (``ldn`` → ``leiden``, ``Leidenaren`` → ``leiden``, ``inwoners`` → ``bevolking``).
A word on several rows has each meaning (``uitkeringen``: bijstand, arbeidsongeschikten),
and a question with it alone is asked back between them.
Rows of kind ``word`` rewrite a word that is no catalog item (``vs`` → ``versus``).
A ``means`` the catalog does not know (``bevolking`` before CBS's population table is
imported) adds nothing: the typed word is then reported as not recognised, never guessed.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from econ071.core import paths
from econ071.store.catalog import Catalog, VocabEntry, normalise

FILE = "vocabulary.csv"
KINDS = frozenset({"shorthand", "demonym", "people", "place", "word", "typo"})


@dataclass(frozen=True)
class Term:
    typed: str  # normalised
    means: str  # normalised
    kind: str


class VocabularyError(ValueError):
    """A row of data/vocabulary.csv that cannot be used (file, line and field named)."""


def read(path: Path) -> tuple[Term, ...]:
    terms = []
    with open(path, encoding="utf-8", newline="") as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            typed, means = normalise(row.get("typed") or ""), normalise(row.get("means") or "")
            kind = (row.get("kind") or "").strip()
            if not typed or not means:
                raise VocabularyError(f"{path.name}, line {line}: 'typed' and 'means' are required")
            if kind not in KINDS:
                raise VocabularyError(
                    f"{path.name}, line {line}, field 'kind': {kind!r} is not one of"
                    f" {', '.join(sorted(KINDS))}"
                )
            terms.append(Term(typed, means, kind))
    return tuple(terms)


@cache
def terms(data_dir: Path | None = None) -> tuple[Term, ...]:
    path = (data_dir or paths.data_dir()) / FILE
    return read(path) if path.exists() else ()


def rewrites(all_terms: tuple[Term, ...]) -> dict[str, str]:
    """Single words that stand for another word outside the catalog (``vs`` → ``versus``)."""
    return {t.typed: t.means for t in all_terms if t.kind == "word" and " " not in t.typed}


def extend(catalog: Catalog, all_terms: tuple[Term, ...]) -> dict[str, str]:
    """Add each term to the catalog's vocabulary as a phrase for what its ``means`` names.
    A phrase the catalog already has keeps its own meaning. Returns the terms whose
    meaning the catalog lacks (typed -> means), so that the answer can say so."""
    vocab = catalog.vocabulary
    lacking: dict[str, str] = {}
    borrowed: set[str] = set()
    for term in all_terms:
        if term.kind == "word" or (term.typed in vocab and term.typed not in borrowed):
            continue
        targets = vocab.get(term.means)
        if targets:
            # A word on several rows has several meanings ('uitkeringen': bijstand and
            # arbeidsongeschiktheid): the answer asks between them.
            entries = vocab.get(term.typed, []) if term.typed in borrowed else []
            entries += [VocabEntry(term.typed, e.kind, e.id) for e in targets
                        if not any(x.kind == e.kind and x.id == e.id for x in entries)]  # fmt: skip
            vocab[term.typed] = entries
            borrowed.add(term.typed)
        else:
            lacking[term.typed] = term.means
            if " " not in term.means:
                lacking[term.means] = term.means
    catalog.longest_phrase = max((len(p.split()) for p in vocab), default=1)
    catalog.borrowed = borrowed  # type: ignore[attr-defined]
    return lacking
