"""A store with one large imported table (issue 14): the seed store from data/ plus CBS's
population by age for every municipality over 30 years — about a million figures of one
indicator, written straight into the compact figures table the way an import leaves it."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AGES = 99  # breakdown categories besides the total
YEARS = range(1995, 2025)


def build_big_store(path: Path, towns: int = 340, ages: int = AGES) -> int:
    """Build the store at ``path``; returns the number of imported figures."""
    from econ071.store.build import build
    from econ071.store.regions import reference

    build(path, ROOT / "data")
    regions = reference(ROOT / "data" / "mappings")
    places = sorted((r for r in regions.values() if r.kind == "gemeente" and not r.end),
                    key=lambda r: r.code)[:towns]  # fmt: skip
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    conn.execute(
        "INSERT OR IGNORE INTO sources (id, organisation, publication, method, licence, origin)"
        " VALUES ('cbs_03759ned', 'CBS', 'Bevolking op 1 januari; leeftijd en regio (03759ned)',"
        " 'register', 'CC BY 4.0', 'import')"
    )
    conn.executemany(
        "INSERT OR IGNORE INTO places (code, name, kind, synonyms, note, origin)"
        " VALUES (?, ?, 'gemeente', '', NULL, 'import')",
        [(r.code, r.name) for r in places],
    )
    conn.execute(
        "INSERT OR IGNORE INTO indicators (id, label, theme, unit, definition, synonyms, level,"
        " additive, sources, breakdown_dimension, sort, origin) VALUES ('bevolking',"
        " 'Bevolking op 1 januari', 'bevolking', 'aantal', 'Inwoners op 1 januari (CBS).',"
        " 'bevolking|inwoners|aantal inwoners', 'gemeente', 1, 'cbs_03759ned', 'leeftijd', 900,"
        " 'import')"
    )
    ages = [f"leeftijd:{a}" for a in range(ages)]
    conn.executemany(
        "INSERT OR IGNORE INTO breakdowns (id, dimension, label, synonyms, sort)"
        " VALUES (?, 'leeftijd', ?, '', ?)",
        [(a, f"{i} jaar", i) for i, a in enumerate(ages)],
    )
    codes = ["bevolking", "cbs_03759ned", *(r.code for r in places), *ages,
             *(str(y) for y in YEARS)]  # fmt: skip
    conn.executemany("INSERT OR IGNORE INTO codes (code) VALUES (?)", [(c,) for c in codes])
    ids = dict(conn.execute("SELECT code, id FROM codes WHERE code IS NOT NULL"))
    cur = conn.execute(
        "INSERT INTO imports (file, sha256, format, table_id, title, imported_at, rows_added)"
        " VALUES ('03759ned.json', 'x', 'cbs-odata', '03759ned', 'Bevolking; leeftijd', "
        "'2026-06-23T10:00:00', ?)",
        (len(places) * len(YEARS) * (len(ages) + 1),),
    )
    import_id = cur.lastrowid
    rng = random.Random(14)
    ind, src = ids["bevolking"], ids["cbs_03759ned"]
    breakdowns = [0, *(ids[a] for a in ages)]
    rows = (
        (ind, ids[r.code], ids[str(y)], b, src, float(rng.randint(10, 5000)), import_id)
        for r in places for b in breakdowns for y in YEARS
    )  # fmt: skip
    conn.executemany(
        "INSERT OR REPLACE INTO figure_values (indicator, place, period, breakdown, source,"
        " chapter, value, import_id) VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
        rows,
    )
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('imported_at', '2026-06-23T10:00:00')"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
    )
    conn.execute("COMMIT")
    n = conn.execute("SELECT count(*) FROM figure_values WHERE import_id = ?", (import_id,))
    total = n.fetchone()[0]
    conn.close()
    return total
