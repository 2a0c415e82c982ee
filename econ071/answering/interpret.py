"""Interpret: what a question asks for. From the words (reduced, normalised) and the parse,
a ``Reading``: the intent (a figure, a ranking, the extreme year, a change, a share, a
count, a comparison, a trend, a breakdown, a definition, a passage of the report, list,
sources, help), its direction (highest or lowest first) and whether the long form
(``uitleg``) was asked. Which indicator, places and periods is settled by ``resolve``.

The cue words are rules, not vocabulary: each is a phrase matched on whole words of the
normalised question; the first rule that fits decides (see ``detect``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from econ071.answering.parse import Parsed
from econ071.core.answer import Intent
from econ071.core.places import REGION_071

HIGH = ("meeste", "hoogste", "grootste", "meest", "hoogst", "grootst", "sterkst", "snelst",
        "hardst", "koploper", "piek", "piekte", "top", "ranglijst", "rangorde", "best")  # fmt: skip
QUANTITY = ("meeste", "minste", "meest", "minst", "hoeveel")
LOW = ("minste", "laagste", "kleinste", "minst", "laagst", "kleinst", "dieptepunt")
WHICH_PLACE = ("welke gemeente", "welke gemeenten", "welke gem", "welke plaats", "welke plek", "waar",
               "welk deel van de regio", "welke van de zes")  # fmt: skip
WHICH_YEAR = ("welk jaar", "welke jaar", "wanneer", "in welk jaar", "welke periode")
WHICH_CATEGORY = ("welke sector", "welke sectoren", "welke bedrijfstak", "welke branche",
                  "grootste sector", "kleinste sector", "sector", "sectoren", "branche")  # fmt: skip
CHANGE_UP = ("groei", "gegroeid", "groeide", "gestegen", "steeg", "stijging", "toename",
             "toegenomen", "nam toe", "erbij", "bijgekomen", "gewonnen", "kreeg", "kregen",
             "bij gekregen", "groeiden")  # fmt: skip
CHANGE_DOWN = ("gedaald", "daalde", "daling", "afname", "afgenomen", "nam af", "kromp",
               "krimp", "gekrompen", "verloren", "verloor", "kwijtgeraakt", "kwijt",
               "verdwenen", "daalden", "verlies", "banenverlies")  # fmt: skip
CHANGE = ("veranderd", "verandering", "ontwikkeld", "verschil tussen", "sinds", "van 20")
SHARE = ("aandeel", "percentage", "procent", "welk deel", "hoeveel procent", "welk percentage",
         "deel van", "%", "procentueel", "procenten", "aandelen")  # fmt: skip
COUNT = ("hoeveel mensen", "hoeveel personen", "hoeveel banen", "hoeveel inwoners",
         "aantal", "hoeveel uitkeringen", "hoeveel werklozen", "hoeveel")  # fmt: skip
COMPARE = ("versus", "vergeleken met", "vergelijk", "vergelijking", "tov", "t o v",
           "ten opzichte van", "dan landelijk", "dan gemiddeld", "dan het gemiddelde",
           "dan nederland", "hoger dan", "lager dan", "meer dan", "minder dan", "naast",
           "verschil met", "in vergelijking", "per gemeente", "alle gemeenten",
           "de zes gemeenten", "elke gemeente", "iedere gemeente")  # fmt: skip
NATIONAL_CUES = ("landelijk", "nederland", "nationaal", "gemiddeld", "gemiddelde")
TREND = ("trend", "ontwikkeling", "verloop", "reeks", "door de jaren", "over de jaren",
         "alle jaren", "per jaar", "tijdreeks", "ontwikkeld", "ontwikkelde", "verlopen",
         "gegaan", "door de tijd", "verliep")  # fmt: skip
DEFINITION = ("wat betekent", "wat betekenen", "definitie",
              "betekenis", "wat verstaat", "wat wordt verstaan", "wat wordt bedoeld",
              "wat bedoelt", "hoe wordt", "hoe meet", "wat houdt", "wat valt onder",
              "omschrijving", "verstaan", "wat telt als", "wat bedoelen", "wat bedoelt")  # fmt: skip
PASSAGE = ("wat zegt", "wat zeggen", "waarom", "wat staat er", "wat schrijft",
           "volgens de quick scan", "volgens het rapport", "volgens de dia", "in de quick scan",
           "in het rapport", "in de dia", "de dias", "de slides", "de presentatie",
           "conclusie", "aanbeveling", "aanbevelingen", "advies", "verklaring",
           "hoe komt", "hoe kan", "wat betekent dat", "wat vindt", "wat vinden",
           "het rapport", "de quick scan", "quick scan", "quickscan", "samenvatting", "dias",
           "noemt", "noemen", "beleidsopties", "hoofdboodschap")  # fmt: skip
# Questions about conditions, means or remedies rather than a figure: the report's passages
# answer them when one holds the question's words; otherwise the figure the words name.
REASONING = ("wanneer", "kunnen mensen", "kan iemand", "kan men", "wat werkt", "wat helpt",
             "wat kunnen", "wat kan", "wat moet", "wat moeten", "hoe kunnen", "hoe moet",
             "hoe moeten", "wat te doen", "wat doen", "blijft het", "wenselijk", "onwenselijk",
             "zelf iets doen", "oplossing", "oplossingen", "oorzaak", "oorzaken")  # fmt: skip


def asks_definition(text: str) -> bool:
    """Whether a question asks what something is or means ("wat telt als mkb", "definitie")."""
    return _has(" ".join(text.casefold().split()), DEFINITION)


@dataclass(frozen=True)
class Reading:
    intent: Intent
    long: bool = False  # 'uitleg': the long form
    lowest: bool = False  # the lowest first (minste, laagste), else the highest
    by_change: bool = False  # ranked by growth or decline, not by level
    decline: bool = False  # the change asked for is a decline (kromp, gedaald)
    national: bool = False  # compared with Nederland (landelijk, gemiddeld)
    over_years: bool = False  # an extreme over years, not over places
    over_categories: bool = False  # ranked over a breakdown (welke sector)
    unit: str | None = None  # preferred unit: 'procent' (share) or 'aantal' (count)
    quantity: bool = False  # 'meeste', 'minste': how many, not how high a share
    relative: bool = False  # a change in percent ('procentueel'), not in units
    since: bool = False  # 'sinds 2013': from that year to the newest
    passage_first: bool = False  # a question of reasons or means: a passage that fits wins
    after: str | None = None  # a ranking 'na Leiden': the place after which the answer comes


_PATTERNS: dict[tuple[str, ...], re.Pattern] = {}


def _has(text: str, cues: tuple[str, ...]) -> bool:
    """Whether any cue occurs in the text as whole words (one compiled pattern per list)."""
    pattern = _PATTERNS.get(cues)
    if pattern is None:
        words = "|".join(re.escape(c) for c in sorted(cues, key=len, reverse=True) if c != "%")
        pattern = _PATTERNS[cues] = re.compile(rf"(?<![a-z0-9])(?:{words})(?![a-z0-9])")
    return bool(pattern.search(text)) or ("%" in cues and "%" in text)


def detect(words: list[str], parsed: Parsed, *, raw: str = "", long: bool = False) -> Reading:
    """The intent of a question from its words (normalised) and what the parse found."""
    reading = _detect(words, parsed, raw=raw, long=long)
    text = " ".join(words)
    figure_cue = _has(text, (*HIGH, *LOW, *CHANGE_UP, *CHANGE_DOWN, *CHANGE, *TREND))
    if (
        reading.intent not in (Intent.HELP, Intent.LIST, Intent.SOURCES, Intent.PASSAGE)
        and not (figure_cue or parsed.years or parsed.year_range or parsed.verb)
        and _has(text, REASONING)
    ):
        return replace(reading, passage_first=True)
    return reading


def _detect(words: list[str], parsed: Parsed, *, raw: str, long: bool) -> Reading:
    text = " ".join(words)
    has_subject = bool(parsed.matches or parsed.unclear or parsed.unknown or parsed.sources)
    long = long or parsed.verb == "uitleg"
    cue = _has(" ".join(words), (*HIGH, *LOW, *CHANGE_UP, *CHANGE_DOWN))
    if parsed.verb == "help" or (
        parsed.verb is None
        and not has_subject
        and not parsed.years
        and not cue
        and not _has(text, PASSAGE)
    ):
        return Reading(Intent.HELP, long=long)
    if parsed.verb == "lijst":
        return Reading(Intent.LIST, long=long)
    if parsed.verb == "bronnen":
        return Reading(Intent.SOURCES, long=long)

    places = parsed.of_kind("place")
    has_when = bool(parsed.years or parsed.year_range)
    lowest = _has(text, LOW)
    extreme = lowest or _has(text, HIGH)
    up, down = _has(text, CHANGE_UP), _has(text, CHANGE_DOWN)
    change = up or down or _has(text, CHANGE)
    share = _has(text, SHARE) or "%" in raw
    unit = "procent" if share else ("aantal" if _has(text, COUNT) else None)
    national = _has(text, NATIONAL_CUES)
    relative = share and change
    if relative:
        unit = None  # "procentueel gegroeid" is a relative change, not a share
    since = bool(re.search(r"\b(sinds|vanaf|na) (19|20)\d\d\b", text))
    quantity = _has(text, QUANTITY)
    common = {"long": long, "unit": unit, "national": national, "relative": relative,
              "since": since, "quantity": quantity}  # fmt: skip

    if _has(text, PASSAGE) and not (extreme or parsed.verb in ("top", "trend", "vergelijk")):
        return Reading(Intent.PASSAGE, **common)
    # "wat is (de) werkloosheid" asks what it is; with a place or a year, for the figure.
    what_is = re.search(r"\bwat (is|zijn) ", text + " ")
    named = bool(parsed.of_kind("indicator") or parsed.of_kind("breakdown"))
    if (
        (what_is or _has(text, DEFINITION) or parsed.verb == "uitleg")
        and not has_when
        and not (places and named)
    ):
        if parsed.verb == "uitleg" or not (extreme or change or parsed.verb in ("top", "trend",
                                                                                "vergelijk")):  # fmt: skip
            return Reading(Intent.DEFINITION, long=long, unit=unit)
    if parsed.verb == "trend" or (_has(text, TREND) and not extreme):
        return Reading(Intent.TREND, **common)
    bare_year = extreme and not places and re.search(r"\bjaar\b", text)
    if (_has(text, WHICH_YEAR) or bare_year) and (extreme or change):
        return Reading(Intent.EXTREME_YEAR, lowest=lowest, over_years=True, **common)
    categories = _has(text, WHICH_CATEGORY)
    # "de meeste banen na Leiden": the next one after that place in the ranking.
    after = next((m.id for m in places if f" na {m.typed} " in f" {text} "), None)
    if parsed.verb == "top" or (extreme and (categories or _has(text, WHICH_PLACE) or change)):
        return Reading(Intent.RANK, lowest=lowest or (down and not up), by_change=change,
                       decline=down and not up, over_categories=categories, after=after,
                       **common)  # fmt: skip
    if extreme and (not places or after):
        return Reading(Intent.RANK, lowest=lowest, over_categories=categories, after=after,
                       **common)  # fmt: skip
    several = len({m.id for m in places}) > 1
    # "welk deel van de banen in 071 zit in Leiden": a share of the area, not a comparison.
    share_of_area = share and any(m.id.startswith(REGION_071) for m in places)
    if parsed.verb == "vergelijk" or _has(text, COMPARE) or (several and not share_of_area):
        return Reading(Intent.COMPARE, **common)
    if change and (not has_when or parsed.year_range or len(set(parsed.years)) >= 2 or since):
        return Reading(Intent.CHANGE, decline=down and not up, **common)
    if any(m.kind == "dimension" for m in parsed.matches) or categories:
        return Reading(Intent.BREAKDOWN, **common)
    if unit == "procent":
        return Reading(Intent.SHARE, **common)
    if unit == "aantal":
        return Reading(Intent.COUNT, **common)
    return Reading(Intent.FIGURE, **common)
