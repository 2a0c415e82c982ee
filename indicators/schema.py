"""The store's tables: the seed catalog built from data/, and the runtime tables
(imports, question log, posted summaries) that a rebuild never touches."""

from __future__ import annotations

# Columns of each data/ file, in order. The build refuses a file whose header differs.
SEED_FILES: dict[str, tuple[str, ...]] = {
    "sources": (
        "id", "organisation", "publication", "via", "method", "reliability", "licence", "url",
    ),
    "places": ("code", "name", "kind", "synonyms", "note"),
    "place_members": ("place", "member"),
    "breakdowns": ("id", "dimension", "label", "synonyms", "sort"),
    "indicators": (
        "id", "label", "theme", "unit", "definition", "synonyms", "level", "additive",
        "sources", "breakdown_dimension", "availability", "sort",
    ),
    "figures": (
        "indicator", "place", "period", "breakdown", "value", "low", "high", "qualifier",
        "value_text", "source", "chapter", "ref_date", "note",
    ),
    "caveats": (
        "id", "kind", "text", "chapter", "source", "indicator", "place", "place_kind",
        "breakdown", "period",
    ),
    "interpretations": ("id", "indicator", "place", "breakdown", "period", "text", "chapter"),
}  # fmt: skip

QUALIFIERS = ("exact", "approx", "almost", "over", "more_than", "up_to", "range")
UNITS = ("aantal", "procent", "procentpunt", "jaar", "per_100", "aantal_per_jaar", "euro")
PLACE_KINDS = (
    "gemeente", "regio", "corop", "provincie", "landsdeel", "land", "landengroep",
    "arbeidsmarktregio", "groep",
)  # fmt: skip
SOURCE_METHODS = ("register", "survey", "business_register", "estimate", "vote", "other")

# Seed tables are created by the build (sqlite-utils); these are created once and kept.
RUNTIME_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS imports (
    id INTEGER PRIMARY KEY,
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    format TEXT NOT NULL,
    table_id TEXT,
    title TEXT,
    imported_at TEXT NOT NULL,
    rows_added INTEGER NOT NULL DEFAULT 0,
    rows_changed INTEGER NOT NULL DEFAULT 0,
    rows_unchanged INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY,
    asked_at TEXT NOT NULL,
    user_hash TEXT,
    surface TEXT,
    text TEXT NOT NULL,
    understood TEXT,
    status TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS questions_asked_at ON questions (asked_at);
CREATE TABLE IF NOT EXISTS summaries (
    channel TEXT NOT NULL,
    iso_week TEXT NOT NULL,
    posted_at TEXT NOT NULL,
    message_ts TEXT,
    spotlight TEXT,
    PRIMARY KEY (channel, iso_week)
);
-- A weekly summary being posted: claimed before the post, replaced by its summaries row
-- after it, deleted when the post fails (so the next run tries again). See summary_ledger.
CREATE TABLE IF NOT EXISTS summary_claims (
    channel TEXT NOT NULL,
    iso_week TEXT NOT NULL,
    claimed_at TEXT NOT NULL,
    token TEXT NOT NULL,
    PRIMARY KEY (channel, iso_week)
);
"""
