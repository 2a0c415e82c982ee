"""The store's tables: the seed catalog built from data/, and the runtime tables
(imports) that a rebuild never touches. The question log, Slack deliveries and the
weekly-summary ledger live in the operational database (econ071/store/opsdb.py)."""

from __future__ import annotations

import re
import sqlite3

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
    "passages": ("id", "document", "reference", "title", "text"),
}  # fmt: skip

# A figure's period and reference date, in data/figures and in imported tidy CSV alike.
PERIOD = re.compile(r"^\d{4}(?:-\d{4}|Q[1-4]|M(?:0[1-9]|1[0-2]))?$")
PERIOD_EXPECTED = "expected a year (2016), a span (2012-2016), 2019Q1 or 2019M01"
ISO_DATE = re.compile(r"^\d{4}-\d\d-\d\d$")
ISO_DATE_EXPECTED = "expected an ISO date like 2016-12-31"

# The status of a forecast's figures (periods after the table's release; see
# econ071/importing/sanity.py): never to be presented as the latest measured figure.
FORECAST_STATUS = "prognose"


def is_forecast(status: str | None) -> bool:
    """Whether a figure's status marks it as a forecast (not a measurement)."""
    return (status or "").strip().lower() == FORECAST_STATUS


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
"""

# Figures are stored compactly: the key columns (and status, missing reason) as ids into
# one dictionary of strings (``codes``; id 0 is "none"), the rest as they are. The view
# ``figures`` gives them back with their strings, in the columns of data/figures plus
# status, missing_reason, origin, updated_at, computed and import_id (and the ids of
# indicator, place and breakdown, for look-ups that use the key's index): everything reads
# figures through it. A million imported figures take ~30 MB this way instead of ~250 MB,
# which is what makes a large import fast (see bench/bench_import.py).
FIGURES_VERSION = "2"  # meta figures_version; an older store is migrated (build.py)
FIGURES_SCHEMA = """
CREATE TABLE IF NOT EXISTS codes (id INTEGER PRIMARY KEY, code TEXT UNIQUE);
INSERT OR IGNORE INTO codes (id, code) VALUES (0, NULL);
CREATE TABLE IF NOT EXISTS figure_values (
    indicator INTEGER NOT NULL,
    place INTEGER NOT NULL,
    period INTEGER NOT NULL DEFAULT 0,
    breakdown INTEGER NOT NULL DEFAULT 0,
    source INTEGER NOT NULL,
    chapter INTEGER NOT NULL DEFAULT 0,
    value REAL,
    low REAL,
    high REAL,
    qualifier TEXT,  -- NULL: exact
    value_text TEXT,
    ref_date TEXT,
    note TEXT,
    status INTEGER NOT NULL DEFAULT 0,
    missing_reason INTEGER NOT NULL DEFAULT 0,
    computed INTEGER NOT NULL DEFAULT 0,  -- 1: summed from member places at import
    import_id INTEGER,  -- NULL: a seed figure from data/
    -- The figure's key. Period last but for source and chapter: a CBS file (dimensions,
    -- then regions, then periods) adds to it in long runs, place by place.
    PRIMARY KEY (indicator, place, breakdown, period, source, chapter)
) WITHOUT ROWID;
CREATE VIEW IF NOT EXISTS figures AS
SELECT ci.code AS indicator, cp.code AS place, cd.code AS period, cb.code AS breakdown,
       f.value, f.low, f.high, coalesce(f.qualifier, 'exact') AS qualifier, f.value_text,
       cs.code AS source, cc.code AS chapter, f.ref_date, f.note, cst.code AS status,
       cm.code AS missing_reason,
       CASE WHEN f.import_id IS NULL THEN 'seed' ELSE 'import' END AS origin,
       (SELECT i.imported_at FROM imports i WHERE i.id = f.import_id) AS updated_at,
       f.computed, f.import_id,
       f.indicator AS indicator_id, f.place AS place_id, f.breakdown AS breakdown_id
FROM figure_values f
JOIN codes ci ON ci.id = f.indicator
JOIN codes cp ON cp.id = f.place
JOIN codes cd ON cd.id = f.period
JOIN codes cb ON cb.id = f.breakdown
JOIN codes cs ON cs.id = f.source
JOIN codes cc ON cc.id = f.chapter
JOIN codes cst ON cst.id = f.status
JOIN codes cm ON cm.id = f.missing_reason;
-- Writing through the view, one row at a time (data/'s few hundred figures, tests, a
-- migration); imports write figure_values in bulk (econ071.importing.merge).
CREATE TRIGGER IF NOT EXISTS figures_insert INSTEAD OF INSERT ON figures
BEGIN
    INSERT OR IGNORE INTO codes (code)
    SELECT c FROM (SELECT NEW.indicator AS c UNION ALL SELECT NEW.place
                   UNION ALL SELECT NEW.period UNION ALL SELECT NEW.breakdown
                   UNION ALL SELECT NEW.source UNION ALL SELECT NEW.chapter
                   UNION ALL SELECT NEW.status UNION ALL SELECT NEW.missing_reason)
    WHERE c IS NOT NULL AND c != '';
    INSERT INTO figure_values (indicator, place, period, breakdown, source, chapter, value,
        low, high, qualifier, value_text, ref_date, note, status, missing_reason, computed,
        import_id)
    VALUES (
        (SELECT id FROM codes WHERE code = NEW.indicator),
        (SELECT id FROM codes WHERE code = NEW.place),
        coalesce((SELECT id FROM codes WHERE code = NEW.period), 0),
        coalesce((SELECT id FROM codes WHERE code = NEW.breakdown), 0),
        (SELECT id FROM codes WHERE code = NEW.source),
        coalesce((SELECT id FROM codes WHERE code = NEW.chapter), 0),
        NEW.value, NEW.low, NEW.high, nullif(NEW.qualifier, 'exact'), NEW.value_text,
        NEW.ref_date, NEW.note,
        coalesce((SELECT id FROM codes WHERE code = NEW.status), 0),
        coalesce((SELECT id FROM codes WHERE code = NEW.missing_reason), 0),
        coalesce(NEW.computed, 0),
        CASE WHEN NEW.origin = 'import' THEN coalesce(NEW.import_id, 0) ELSE NEW.import_id END
    );
END;
"""


def apply(conn: sqlite3.Connection, script: str) -> None:
    """Run a script statement by statement, inside the caller's transaction (unlike
    executescript, which commits first)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip().strip(";").strip():
                conn.execute(pending)
            pending = ""
