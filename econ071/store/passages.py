"""The report's passages, searchable: full-text search over data/passages.csv.

The build (econ071/store/build.py) loads the passages of the quick scan and the slides into
the table ``passages`` and indexes them in ``passages_fts`` (SQLite FTS5). FTS5 cannot call
a Python tokenizer through sqlite3, so the index holds pre-stemmed text: every word is
lower-cased, stripped of diacritics and reduced by snowballstemmer's Dutch stemmer, here,
both when indexing and when searching. A query drops Dutch stop words and the words that
only say *where* to look ("wat zegt de quick scan over ...", "volgens de dia's"); the latter
narrow the search to that document when it has a match.

On the question path: standard library and snowballstemmer only.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

DOCUMENTS = ("quickscan", "slides")

SCHEMA = """
CREATE TABLE IF NOT EXISTS passages (
    n INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    document TEXT NOT NULL,
    reference TEXT NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts USING fts5(
    title_stems, text_stems, tokenize = 'unicode61'
);
"""

# Words that carry no content in a question (Snowball's Dutch stop words and question words).
STOP_WORDS = frozenset(
    """
    aan al alle alles als altijd ander andere ben bij daar daarom dan dat de der deze die dit
    doch doen door dus een eens en er ge geen geweest haar had heb hebben heeft hem het hier hij
    hoe hun iemand iets ik in is ja je jij jou jouw jullie kan kon kun kunnen kunt maar me meer
    men met mij mijn moet moeten na naar niet niets nog nu of om omdat onder ons onze ook op over
    reeds te tegen toch toen tot u uit uw van veel voor want waren was wat we werd wezen wie wij
    wil willen worden wordt zal ze zelf zich zij zijn zo zonder zou zouden
    waarom welk welke wanneer waar waarover hoeveel hoezo eigenlijk precies graag even nou
    zegt zeggen zeg staat stellen stelt noemt noemen noemde bedoelt bedoelen bedoeld verstaan
    verstaat vindt volgens erover ervan hierover daarover vs versus gaat gaan ging gegaan
    """.split()
)
# Words that name a document rather than a subject: dropped, and used to narrow the search.
DOCUMENT_WORDS = {
    "slides": frozenset(
        "dia dias dia's slide slides sheet sheets presentatie presentaties whatworks "
        "whatworks2019 brede welvaart".split()
    ),
    "quickscan": frozenset("quick scan quickscan qs rapport rapportage stuk economie071".split()),
}
_HINTS = {word: doc for doc, words in DOCUMENT_WORDS.items() for word in words}
# "brede welvaart" names the slides; as content words they still count when asked about.
_HINT_ONLY = frozenset(_HINTS) - {"brede", "welvaart"}

MAX_QUERY_TERMS = 32
CANDIDATES = 5  # passages beyond the limit that the phrase re-ranking may move up
_WORD = re.compile(r"[^\W_]+(?:['’`´-][^\W_]+)*")


@dataclass(frozen=True)
class Passage:
    id: str
    document: str
    reference: str
    title: str
    text: str
    score: float


@lru_cache(maxsize=1)
def _stemmer():
    # Imported on first use: snowballstemmer loads all its ~30 languages (~20 ms), which
    # only a passage search or a build should pay for.
    import snowballstemmer

    return snowballstemmer.stemmer("dutch")


def _fold(text: str) -> str:
    """Lower case without diacritics: 'Oekraïne' and 'oekraine' are one word."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The words of a text, folded. A compound gives its parts and the whole, so either
    spelling finds it: 'micro-ondernemers' gives micro, ondernemers, microondernemers;
    'zzp’ers' gives zzp and zzpers (an apostrophe's tail, 'ers' or 's', is no word)."""
    out: list[str] = []
    for match in _WORD.finditer(_fold(text)):
        word = match.group()
        pieces = re.split(r"['’`´]", word)
        parts = [part for piece in [pieces[0]] for part in piece.split("-")]
        parts += [part for piece in pieces[1:] for part in piece.split("-")[1:]]
        whole = re.sub(r"['’`´-]", "", word)
        out.extend(p for p in parts if p)
        if whole not in parts:
            out.append(whole)
    return out


def _stem_all(items: list[str]) -> list[str]:
    return [_stem(w) for w in items]


@lru_cache(maxsize=8192)
def _stem(word: str) -> str:
    """One word's stem (cached: the passages' words recur in every quote and check)."""
    s = _stemmer().stemWord(word)
    # The one irregular plural the report is full of: stad/steden (centrumstad, kennissteden).
    return s[:-5] + "stad" if s.endswith("steed") else s


def stems(text: str) -> list[str]:
    return _stem_all(words(text))


def stemmed(text: str) -> str:
    """The text as the index holds it: its stems, space-separated."""
    return " ".join(stems(text))


def query_terms(text: str) -> list[str]:
    """The stems a question is searched by: no stop words, no document words, no repeats."""
    kept = [
        w
        for w in words(text)
        if (len(w) > 1 or w.isdigit()) and w not in STOP_WORDS and w not in _HINT_ONLY
    ]
    seen: dict[str, None] = {}
    for stem in _stem_all(kept):
        seen.setdefault(stem, None)
    return list(seen)[:MAX_QUERY_TERMS]


def document_hint(text: str) -> str | None:
    """'quickscan' or 'slides' when the question names one document (and only one)."""
    found = {_HINTS[w] for w in words(text) if w in _HINT_ONLY}
    if "brede welvaart" in _fold(text):
        found.add("slides")
    return found.pop() if len(found) == 1 else None


def _match_expression(terms: Iterable[str]) -> str:
    # Every term is quoted (an FTS5 string), so nothing typed is read as query syntax.
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)


_SQL = """
SELECT p.id, p.document, p.reference, p.title, p.text, bm25(passages_fts, 2.0, 1.0)
FROM passages_fts JOIN passages p ON p.n = passages_fts.rowid
WHERE passages_fts MATCH ? {filter}
ORDER BY bm25(passages_fts, 2.0, 1.0), p.n
LIMIT ?
"""


def search(conn: sqlite3.Connection, text: str, limit: int = 3) -> list[Passage]:
    """The passages that best answer `text`, best first (bm25; score: higher is better).

    Any string is safe: it becomes a list of quoted stems, never FTS5 syntax. A question
    without content words, or whose words occur in no passage, gives an empty list.
    """
    if not isinstance(text, str) or limit <= 0:
        return []
    terms = query_terms(text)
    if not terms:
        return []
    match = _match_expression(terms)
    hint = document_hint(text)
    rows: list[tuple] = []
    if hint:
        rows = conn.execute(
            _SQL.format(filter="AND p.document = ?"), (match, hint, limit + CANDIDATES)
        ).fetchall()
    if not rows:
        rows = conn.execute(_SQL.format(filter=""), (match, limit + CANDIDATES)).fetchall()
    found = [
        Passage(id=r[0], document=r[1], reference=r[2], title=r[3], text=r[4], score=-r[5])
        for r in rows
    ]
    return _by_phrases(found, text)[:limit]


PHRASE = 3  # words in a row, stop words included: "zelf iets doen", "in de periferie"
PHRASE_BONUS = 2.0  # added to the bm25 score per phrase of the question in the passage


@lru_cache(maxsize=1024)
def _phrases(text: str) -> frozenset[tuple[str, ...]]:
    ws = words(text)
    grams = {tuple(ws[i : i + PHRASE]) for i in range(len(ws) - PHRASE + 1)}
    # A phrase of stop words alone ("is in de") says nothing about the subject.
    return frozenset(g for g in grams if any(w not in STOP_WORDS for w in g))


def _by_phrases(found: list[Passage], text: str) -> list[Passage]:
    """The passages re-ranked: one that holds the question's words in the question's order
    (stop words included, which the index drops) before one that only holds them apart."""
    asked = _phrases(text)
    if not asked or len(found) < 2:
        return found
    scored = [
        (p.score + PHRASE_BONUS * len(asked & _phrases(p.title + " " + p.text)), -i, p)
        for i, p in enumerate(found)
    ]
    return [
        Passage(p.id, p.document, p.reference, p.title, p.text, score)
        for score, _i, p in sorted(scored, key=lambda x: (x[0], x[1]), reverse=True)
    ]


def index(conn: sqlite3.Connection, passages: Iterable[dict[str, str]]) -> int:
    """Replace the passages and their index (inside the caller's transaction)."""
    conn.execute("DELETE FROM passages")
    conn.execute("DELETE FROM passages_fts")
    n = 0
    for n, p in enumerate(passages, 1):
        conn.execute(
            "INSERT INTO passages (n, id, document, reference, title, text) VALUES (?, ?, ?, ?, ?, ?)",
            (n, p["id"], p["document"], p["reference"], p["title"], p["text"]),
        )
        conn.execute(
            "INSERT INTO passages_fts (rowid, title_stems, text_stems) VALUES (?, ?, ?)",
            (n, stemmed(p["title"] + " " + p["reference"]), stemmed(p["text"])),
        )
    return n
