"""The most specific indicator for the question's words.

The parse finds an indicator by a phrase of the catalog ("aandeel hoogopgeleiden"); the
question may hold more words that another indicator's name holds as well ("de landelijke
*ambitie* voor het aandeel hoogopgeleiden", "welk percentage van de werkenden werkt in de
*industrie*"). That indicator is the one meant when its name holds every question word the
first one's name holds, and more (and it has figures). Words are compared by their common
beginning, so 'arbeidsongeschikt' is 'arbeidsongeschikten' and 'werkzekerheid' 'werkzeker'.
"""

from __future__ import annotations

from functools import lru_cache

from econ071.answering.context import Context
from econ071.answering.parse import Parsed
from econ071.store.catalog import Indicator, normalise
from econ071.store.passages import STOP_WORDS

MIN_WORD = 4  # shorter words ('aan', 'per', shorthand such as 'wkl') are left out
MIN_PREFIX = 5


def _same(a: str, b: str) -> bool:
    if a == b:
        return True
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n >= max(MIN_PREFIX, min(len(a), len(b)) - 2)


@lru_cache(maxsize=512)
def _label_words(label: str) -> tuple[str, ...]:
    return tuple(w for w in normalise(label).replace("-", " ").split() if len(w) >= MIN_WORD)


@lru_cache(maxsize=1024)
def _label_keys(label: str) -> tuple[frozenset[str], frozenset[str]]:
    """The label's words and their beginnings (MIN_PREFIX letters): two words can only be
    the same (``_same``) when they are equal or begin alike, so most words are ruled out
    by one set look-up (a question of 30 words against a national catalog)."""
    own = _label_words(label)
    return frozenset(own), frozenset(w[:MIN_PREFIX] for w in own if len(w) >= MIN_PREFIX)


def _covered(label: str, words: tuple[str, ...]) -> frozenset[str]:
    own = _label_words(label)
    exact, beginnings = _label_keys(label)
    return frozenset(
        w for w in words
        if w in exact
        or (w[:MIN_PREFIX] in beginnings and any(_same(w, lw) for lw in own))
    )  # fmt: skip


def named_words(ctx: Context, ind: Indicator, p: Parsed) -> tuple[str, ...]:
    """The words that name the figure: the indicators' phrases as typed, the words not
    understood, and breakdowns that ``ind`` is not broken down by ("werkenden … industrie")."""
    cat = ctx.catalog
    typed = [m.typed for m in p.of_kind("indicator")]
    typed += [*p.unknown, *(u.typed for u in p.unclear)]
    placed = {m.typed for m in p.of_kind("place")}
    typed += [m.typed for m in p.of_kind("breakdown")
              if cat.breakdowns[m.id].dimension != ind.breakdown_dimension
              and m.typed not in placed]  # fmt: skip
    return tuple(
        dict.fromkeys(
            w for t in typed for w in normalise(t).split()
            if len(w) >= MIN_WORD and w not in STOP_WORDS and w not in _cue_words()
            and not w.isdigit()
        )
    )  # fmt: skip


@lru_cache(maxsize=1)
def _cue_words() -> frozenset[str]:
    """The words that say what is asked (trend, ranking, change, share …), not which figure."""
    from econ071.answering import interpret

    cues = (interpret.HIGH, interpret.LOW, interpret.QUANTITY, interpret.CHANGE_UP,
            interpret.CHANGE_DOWN, interpret.CHANGE, interpret.SHARE, interpret.COUNT,
            interpret.COMPARE, interpret.TREND, interpret.DEFINITION, interpret.PASSAGE,
            interpret.REASONING, interpret.NATIONAL_CUES)  # fmt: skip
    return frozenset(w for group in cues for phrase in group for w in phrase.split())


def more_specific(ctx: Context, ind: Indicator, p: Parsed) -> Indicator:
    """``ind``, or the indicator whose name holds all the question's naming words that
    ``ind``'s name holds and the most others (the shortest name on a tie), with figures."""
    asked = named_words(ctx, ind, p)
    if len(asked) < 2:
        return ind
    # The words typed for ``ind`` itself are its own, whatever its name ("hoog opgeleid").
    own = {w for m in p.of_kind("indicator") if m.id == ind.id for w in normalise(m.typed).split()}
    mine = _covered(ind.label, asked) | (own & set(asked))
    if not mine:  # not named by the words (a default or a resolved doubt): left alone
        return ind
    parsed = {m.id for m in p.of_kind("indicator")}  # weighed by resolve already
    best: list[tuple[int, int, Indicator]] = []
    for other in ctx.catalog.indicators.values():
        if other.id == ind.id or other.id in parsed:
            continue
        theirs = _covered(other.label, asked)
        if len(theirs) > len(mine) and theirs >= mine:
            best.append((-len(theirs), len(_label_words(other.label)), other))
    for _n, _length, other in sorted(best, key=lambda x: (x[0], x[1])):
        if ctx.has_data("indicator", other.id):
            return other
    return ind


def joint(ctx: Context, p: Parsed) -> Indicator | None:
    """The one indicator whose name holds words of every indicator the question named,
    when it named several ("aandeel arbeidsongeschikten kwetsbare populatie": the share of
    the disabled in the vulnerable population), instead of asking which of them."""
    named: dict[str, set[str]] = {}
    for m in p.of_kind("indicator"):
        named.setdefault(m.id, set()).update(
            w for w in normalise(m.typed).split() if len(w) >= MIN_WORD and w not in STOP_WORDS
        )
    groups = list({frozenset(ws) for ws in named.values() if ws})
    if len(groups) < 2:  # one word with several meanings ('uitkeringen') is asked back
        return None
    asked = tuple(sorted(set().union(*groups)))
    best: list[tuple[int, int, Indicator]] = []
    for other in ctx.catalog.indicators.values():
        if other.id in named:
            continue
        theirs = _covered(other.label, asked)
        if all(theirs & g for g in groups):
            best.append((-len(theirs), len(_label_words(other.label)), other))
    for _n, _length, other in sorted(best, key=lambda x: (x[0], x[1])):
        if ctx.has_data("indicator", other.id):
            return other
    return None
