"""Kept for imports of the former module: parsing lives in indicators.answering.parse."""

from indicators.answering.parse import (  # noqa: F401
    ACCEPT,
    ASK,
    STOPWORDS,
    VERBS,
    Match,
    Parsed,
    Unclear,
    parse,
)
