"""Figures per source, recorded in the store's ``meta`` with every build and import.

A count of a national store's figures per source scans every figure (half a second for
1,4 million); the build and the imports pay it inside their own transaction, so that an
answer (``bronnen``) reads one row. Standard library only.
"""

from __future__ import annotations

import json
import sqlite3

SOURCE_COUNTS = "source_counts"  # meta key: figures per source, written with the figures


def count_by_source(conn: sqlite3.Connection) -> dict[str, int]:
    return dict(conn.execute(
        "SELECT c.code, s.n FROM (SELECT source, count(*) AS n FROM figure_values"
        " GROUP BY source) s JOIN codes c ON c.id = s.source"
    ))  # fmt: skip


def record_counts_by_source(conn: sqlite3.Connection) -> None:
    """Count the figures per source (a scan of every figure) and keep the counts in ``meta``:
    done by the build and by every import inside their transaction, so that an answer
    (``bronnen``) reads a few rows instead of scanning a national store."""
    counts = json.dumps(count_by_source(conn), sort_keys=True)
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (SOURCE_COUNTS, counts),
    )
