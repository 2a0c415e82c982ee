"""Parse: from typed text to the words of a question matched against the catalog
(indicators, places, breakdowns, sources), exactly or with RapidFuzz for typos, plus the
verb and the years. The first step of the pipeline; it knows words, not intents.

Grammar (words in any order; case, accents and punctuation do not matter)::

    [verb] <indicator> [place ...] [breakdown] [source] [year | year-year]
    verb := help | lijst | bronnen | uitleg | vergelijk | trend | top

Before matching, the text is reduced (``reduce_tokens``): Slack markup removed, at most
``MAX_TOKENS`` words, a word repeated many times kept twice — so that the cost of
understanding is bounded whatever is typed.

One typo policy for places and indicators alike: a word that resembles one catalog phrase
well (``ACCEPT``) and nothing else nearly as well is taken, and the answer says so; a word
that resembles several is left for the interpret step to ask back about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from econ071.store.catalog import Catalog, VocabEntry, normalise

VERBS = {
    "help": "help",
    "hulp": "help",
    "helpen": "help",
    "lijst": "lijst",
    "indicatoren": "lijst",
    "overzicht": "lijst",
    "bronnen": "bronnen",
    "bron": "bronnen",
    "uitleg": "uitleg",
    "toelichting": "uitleg",
    "vergelijk": "vergelijk",
    "vergelijking": "vergelijk",
    "trend": "trend",
    "ontwikkeling": "trend",
    "verloop": "trend",
    "reeks": "trend",
    "top": "top",
    "ranglijst": "top",
    "rangorde": "top",
}

# Words that carry no meaning for the lookup. Kept short on purpose: "aandeel" and
# "aantal" are part of indicator names and stay.
STOPWORDS = frozenset(
    "de het een in van voor en of op te is was zijn wat hoe hoeveel hoeveelheid welke"
    " waren wordt worden met bij naar over per jaar jaren cijfer cijfers graag geef"
    " laat zien mij me ik je u toon tonen totaal tussen alle ook nu dan die dat er"
    " gemeente gemeenten regio stand volgens in"
    # ordinary words of full questions (never 'niet herkend')
    " heeft had hebben hadden telt telde tellen kent kende ligt lag lagen staat stond"
    " gaat ging kan kun kunnen weet weten zeg zeggen vertel noem noemen geven gaf"
    " als aan uit om dit deze daar hier waar wanneer welk wie waarom zo nog al eens"
    " mensen personen werkt werken wonen woont zit zitten moet mag wil wilde"
    " vergeleken opzichte t.o.v tov versus vs gemiddeld gemiddelde"
    " meeste minste hoogste laagste grootste kleinste meest minst hoogst laagst grootst"
    " kleinst hardst sterkst snelst groei gegroeid gestegen stijging toename toegenomen"
    " gedaald daling afname afgenomen kromp krimp gekrompen veranderd verandering"
    " procent percentage deel welk hoog laag hoger lager groot klein veel weinig"
    " inmiddels recent recentst laatste nieuwste huidige momenteel actueel"
    " definitie betekent betekenis bedoeld bedoelt verstaan verstaat onder"
    " zegt staat quick scan rapport dia dias slides presentatie"
    " sinds vanaf tot ontwikkeld ontwikkelde beroepsbevolking vooral vaker meer minder"
    " procentueel relatief absoluut verloor verloren kreeg kregen piekte verliep telt"
    " bedoelen bedoelt ze men volgens door heen groeide groeiden daalde daalden steeg stegen"
    " zoveel zo veel vindt vinden noemt noemen geworden gem klopt procenten aandelen"
    " werkte werkten woonde woonden zat zaten wordt werd werden ben bent zijn er hier nu"
    " ongeveer ruim bijna circa eigenlijk precies even graag alsjeblieft bedankt dank na"
    " the please".split()
)
MAX_CHARS = 300  # characters considered: Slack commands are shorter; more is noise
MAX_TOKENS = 30  # words considered after reduction
MAX_REPEAT = 2  # a word typed more often counts this often

ACCEPT = 85.0  # a fuzzy match at or above this is taken, and said out loud
ASK = 68.0  # between ASK and ACCEPT (or a tie) we ask back
_YEAR = re.compile(r"^(19|20)\d\d$")
# Slack's own markup in incoming text: mentions, channel links, special commands, URLs.
_SLACK_MARKUP = re.compile(r"<[@#!][^>]*>|<https?://[^>]*>")
_RANGE = re.compile(r"^((?:19|20)\d\d)-((?:19|20)\d\d)$")


@dataclass(frozen=True)
class Match:
    kind: str
    id: str
    typed: str  # the words as the user typed them (normalised)
    phrase: str  # the catalog phrase they matched
    score: float  # 100 for an exact match

    @property
    def fuzzy(self) -> bool:
        return self.score < 100


@dataclass(frozen=True)
class Unclear:
    """A typed word that resembles several things, or resembles one thing too little."""

    typed: str
    options: tuple[VocabEntry, ...]


@dataclass(frozen=True)
class Parsed:
    raw: str
    verb: str | None
    years: tuple[int, ...] = ()
    year_range: tuple[int, int] | None = None
    matches: tuple[Match, ...] = ()
    unclear: tuple[Unclear, ...] = ()
    unknown: tuple[str, ...] = ()
    sources: tuple[str, ...] = field(default=())

    def of_kind(self, kind: str) -> list[Match]:
        seen, out = set(), []
        for m in self.matches:
            if m.kind == kind and m.id not in seen:
                seen.add(m.id)
                out.append(m)
        return out

    @property
    def empty(self) -> bool:
        return not (self.matches or self.unclear or self.unknown or self.years or self.year_range)


def clean_text(text: str) -> str:
    """The question as typed, without Slack markup and runs of spaces (for follow-ups)."""
    return " ".join(_SLACK_MARKUP.sub(" ", text[:MAX_CHARS]).split())


def reduce_tokens(text: str) -> list[str]:
    """The normalised words of a question, reduced: no Slack markup, a word kept at most
    ``MAX_REPEAT`` times, at most ``MAX_TOKENS`` words ("top top top …" is "top top")."""
    words = normalise(_SLACK_MARKUP.sub(" ", text[: MAX_CHARS * 4])).split()
    counts: dict[str, int] = {}
    out: list[str] = []
    for word in words:
        counts[word] = counts.get(word, 0) + 1
        if counts[word] <= MAX_REPEAT and len(word) <= 40:
            out.append(word)
        if len(out) >= MAX_TOKENS:
            break
    return out


def parse(text: str, catalog: Catalog, rewrite: dict[str, str] | None = None) -> Parsed:
    """``rewrite``: single words that mean another word (data/vocabulary.csv, e.g. vs →
    versus), applied before matching."""
    raw = text
    tokens = reduce_tokens(text)
    if rewrite:
        tokens = " ".join(rewrite.get(t, t) for t in tokens).split()
    verb = None
    if tokens:
        for n in (2, 1):
            head = " ".join(tokens[:n])
            if head in VERBS:
                verb, tokens = VERBS[head], tokens[n:]
                break
        else:
            guess = process.extractOne(tokens[0], list(VERBS), scorer=fuzz.ratio, score_cutoff=85)
            if guess and len(tokens[0]) >= 4:
                verb, tokens = VERBS[guess[0]], tokens[1:]

    years: list[int] = []
    year_range = None
    rest: list[str] = []
    for tok in tokens:
        if m := _RANGE.match(tok):
            year_range = (int(m.group(1)), int(m.group(2)))
        elif _YEAR.match(tok):
            years.append(int(tok))
        else:
            rest.append(tok)

    vocab = catalog.vocabulary
    longest = catalog.longest_phrase
    matches: list[Match] = []
    leftovers: list[str] = []
    i = 0
    while i < len(rest):
        for n in range(min(longest, len(rest) - i), 0, -1):
            phrase = _known(" ".join(rest[i : i + n]), vocab)
            if phrase in vocab and not (n == 1 and phrase in STOPWORDS):
                matches += [Match(e.kind, e.id, phrase, phrase, 100.0) for e in vocab[phrase]]
                i += n
                break
        else:
            if rest[i] not in STOPWORDS:
                leftovers.append(rest[i])
            i += 1

    # A phrase interrupted by small words ("respons van de enquete beroepsbevolking"):
    # matched on the question's content words against the catalog's phrases without theirs.
    if leftovers:
        matches, leftovers = _content_phrases(rest, catalog, matches, leftovers)

    # Words in any order: a leftover word next to a matched phrase may complete it
    # ("arbeidsongeschikten aandeel" = "aandeel arbeidsongeschikten").
    for word in list(leftovers):
        for m in list(matches):
            for combined in (f"{word} {m.typed}", f"{m.typed} {word}"):
                if combined in vocab and m.score == 100:
                    matches = [x for x in matches if x.typed != m.typed]
                    matches += [
                        Match(e.kind, e.id, combined, combined, 100.0) for e in vocab[combined]
                    ]
                    leftovers.remove(word)
                    break
            else:
                continue
            break

    # Words left over that name a source pick it ("werkloosheid uwv"); a source's name
    # inside a longer phrase ("respons ebb") was matched above as part of that phrase.
    source_words = _source_words(catalog)
    sources = tuple(t for t in leftovers if t in source_words)
    leftovers = [t for t in leftovers if t not in source_words]

    unclear: list[Unclear] = []
    unknown: list[str] = []
    phrases = list(vocab)
    for word in leftovers:
        if len(word) < 3 or word.isdigit():
            unknown.append(word)
            continue
        exact = _transposed(word, vocab) or _prefix_of(word, catalog)
        if exact:
            matches += [Match(e.kind, e.id, word, exact, 90.0) for e in vocab[exact]]
            continue
        found = process.extract(word, phrases, scorer=fuzz.ratio, limit=8, score_cutoff=ASK)
        if not found:
            unknown.append(word)
            continue
        best_phrase, best_score, _ = found[0]
        targets = {(e.kind, e.id) for e in vocab[best_phrase]}
        rivals = [
            (p, s)
            for p, s, _ in found[1:]
            if s >= best_score - 3 and {(e.kind, e.id) for e in vocab[p]} != targets
        ]
        if best_score >= ACCEPT and not rivals:
            matches += [
                Match(e.kind, e.id, word, best_phrase, best_score) for e in vocab[best_phrase]
            ]
        else:
            options: list[VocabEntry] = []
            for p, _s, _ in found:
                for e in vocab[p]:
                    if not any(o.kind == e.kind and o.id == e.id for o in options):
                        options.append(e)
            unclear.append(Unclear(word, tuple(options)))

    return Parsed(
        raw, verb, tuple(years), year_range, tuple(matches), tuple(unclear), tuple(unknown), sources
    )


def _known(phrase: str, vocab: dict) -> str:
    """The phrase, or its plural the catalog knows ("micro ondernemer" → "… ondernemers")."""
    if phrase in vocab or len(phrase) < 5:
        return phrase
    for ending in ("s", "en", "n"):
        if phrase + ending in vocab:
            return phrase + ending
    return phrase


def _transposed(word: str, vocab: dict) -> str | None:
    """A catalog word typed with two neighbouring letters swapped ("leidne" → "leiden")."""
    for i in range(len(word) - 1):
        swapped = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        if swapped != word and swapped in vocab:
            return swapped
    return None


def _prefix_of(word: str, catalog: Catalog) -> str | None:
    """A word cut short ("bijst", "hoogopg"): the shortest one-word catalog phrase it
    begins, when every one-word phrase it begins starts with that one."""
    if len(word) < 4:
        return None
    starts = sorted((p for p in catalog.vocabulary if " " not in p and p.startswith(word)),
                    key=len)  # fmt: skip
    if starts and all(p.startswith(starts[0]) for p in starts):
        return starts[0]
    return None


def _stripped(catalog: Catalog) -> dict[str, str]:
    """Catalog phrases of two or more content words, keyed without their small words."""
    cached = getattr(catalog, "_stripped_phrases", None)
    if cached is None:
        cached = {}
        for phrase in catalog.vocabulary:
            content = [w for w in phrase.split() if w not in STOPWORDS]
            if len(content) >= 2:
                cached.setdefault(" ".join(content), phrase)
        catalog._stripped_phrases = cached  # type: ignore[attr-defined]
    return cached


def _content_phrases(rest: list[str], catalog: Catalog, matches: list[Match],
                     leftovers: list[str]) -> tuple[list[Match], list[str]]:  # fmt: skip
    stripped = _stripped(catalog)
    content = [w for w in rest if w not in STOPWORDS]
    longest = min(catalog.longest_phrase, len(content))
    i = 0
    while i < len(content):
        for n in range(longest, 1, -1):
            window = content[i : i + n]
            key = " ".join(window)
            if key in stripped and any(w in leftovers for w in window):
                phrase = stripped[key]
                covered = set(window)
                matches = [m for m in matches if not set(m.typed.split()) <= covered]
                matches += [
                    Match(e.kind, e.id, key, phrase, 100.0) for e in catalog.vocabulary[phrase]
                ]
                leftovers = [w for w in leftovers if w not in covered]
                i += n
                break
        else:
            i += 1
    return matches, leftovers


def _source_words(catalog: Catalog) -> frozenset[str]:
    """Short source names a user may type to pick a source (cbs, uwv, lisa …): the
    alphabetic parts of the source ids that mean nothing else in the catalog."""
    words = set()
    for src_id in catalog.sources:
        for part in src_id.split("_"):
            if len(part) >= 3 and part.isalpha() and part not in catalog.vocabulary:
                words.add(part)
    return frozenset(words)
