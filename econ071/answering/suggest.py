"""Suggestions for a word that names nothing: the indicator phrases that resemble it."""

from __future__ import annotations

from rapidfuzz import fuzz, process

SUGGESTION_MEMO = 2048  # typed words remembered per catalog (typos recur)


def resembling(cat, word: str) -> list[str]:
    """The indicator phrases that resemble a typed word, best first; memoised per catalog
    (WRatio over a national store's phrases is the slowest step of a miss)."""
    memo = getattr(cat, "_resembling", None)
    if memo is None:
        memo = cat._resembling = {}
    found = memo.get(word)
    if found is None:
        found = [phrase for phrase, _score, _ in process.extract(
            word, _indicator_phrases(cat), scorer=fuzz.WRatio, limit=6, score_cutoff=60)]  # fmt: skip
        if len(memo) >= SUGGESTION_MEMO:
            memo.clear()
        memo[word] = found
    return found


def _indicator_phrases(cat) -> list[str]:
    """The phrases that name an indicator, once per catalog (the rest are mostly places)."""
    cached = getattr(cat, "_indicator_phrases", None)
    if cached is None:
        cached = [ph for ph, entries in cat.vocabulary.items()
                  if any(e.kind == "indicator" for e in entries)]  # fmt: skip
        cat._indicator_phrases = cached
    return cached
