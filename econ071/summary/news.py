"""What CBS published since the last summary, for the weekly summary's "Nieuw" section:
the releases the sync brought in (table, title, release date, provisional or not) and the
most telling change for the 071 area among their figures.

"Most telling": for every indicator the new releases touched, the newest period against
the one before it (same kind of period, same source, no breakdown), for the 071 area if
the figures sum to it, else for its municipalities; the largest relative change wins.
Standard library only (sqlite3), like the rest of the summary's data.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from econ071.rendering import formatting
from econ071.store.schema import is_forecast

_PERIOD_KIND = {4: "year", 6: "quarter", 7: "month"}  # 2019, 2019Q1, 2019M01


@dataclass(frozen=True)
class Release:
    table_id: str
    title: str
    release_date: str | None  # ISO date
    provisional: bool  # the release holds figures CBS calls voorlopig


@dataclass(frozen=True)
class Change:
    indicator: str  # label
    place: str  # name
    period: str
    previous_period: str
    value: str  # as the answers show it: "4,1%", "125.102"
    previous: str
    rising: bool
    percent: float  # the relative change, in %
    unit: str
    provisional: bool
    table_id: str


def releases(conn: sqlite3.Connection, import_ids: list[int]) -> list[Release]:
    """The CBS releases among these imports (those made by the sync)."""
    if not import_ids:
        return []
    marks = ", ".join("?" * len(import_ids))
    try:
        rows = conn.execute(
            f"SELECT t.table_id, t.title, t.release_date, t.import_id FROM cbs_tables t"  # noqa: S608
            f" WHERE t.import_id IN ({marks}) ORDER BY t.release_date DESC, t.table_id",
            import_ids,
        ).fetchall()
    except sqlite3.OperationalError:  # never synced
        return []
    return [Release(t, title or t, day, _provisional(conn, import_id))
            for t, title, day, import_id in rows]  # fmt: skip


def _provisional(conn: sqlite3.Connection, import_id: int) -> bool:
    return conn.execute(
        "SELECT 1 FROM figure_values WHERE import_id = ? AND status IN"
        " (SELECT id FROM codes WHERE code IN ('voorlopig', 'nader voorlopig')) LIMIT 1",
        (import_id,),
    ).fetchone() is not None  # fmt: skip


def telling_change(conn: sqlite3.Connection, catalog, import_ids: list[int]) -> Change | None:
    """The largest relative change between the two newest periods, for the 071 area
    (else a municipality), among the figures these imports added or changed."""
    if not import_ids:
        return None
    local = [catalog.region_code, *catalog.six]
    best: tuple[tuple, Change] | None = None
    marks = ", ".join("?" * len(import_ids))
    touched = conn.execute(
        "SELECT DISTINCT ci.code, cs.code, f.import_id FROM figure_values f"  # noqa: S608
        " JOIN codes ci ON ci.id = f.indicator JOIN codes cs ON cs.id = f.source"
        f" WHERE f.import_id IN ({marks}) AND f.breakdown = 0",
        import_ids,
    ).fetchall()
    for indicator, source, _ in touched:
        ind = catalog.indicators.get(indicator)
        if ind is None:
            continue
        for rank, place in enumerate(local):
            series = conn.execute(
                "SELECT period, value, status FROM figures WHERE indicator = ? AND place = ?"
                " AND source = ? AND breakdown IS NULL AND value IS NOT NULL AND period IS NOT NULL",
                (indicator, place, source),
            ).fetchall()
            change = _newest_change(series)
            if change is None:
                continue
            (new_p, new_v, status), (old_p, old_v, _) = change
            if not old_v:
                continue
            percent = (new_v - old_v) / abs(old_v) * 100
            key = (rank > 0, -abs(percent))  # the 071 area first, then the largest change
            made = Change(
                ind.label, catalog.place_name(place), new_p, old_p,
                formatting.value(new_v, ind.unit), formatting.value(old_v, ind.unit),
                new_v > old_v, abs(percent), ind.unit,
                (status or "").lower() in ("voorlopig", "nader voorlopig"),
                source.removeprefix("cbs_"),
            )  # fmt: skip
            if best is None or key < best[0]:
                best = (key, made)
    return best[1] if best else None


def _newest_change(series: list[tuple]) -> tuple[tuple, tuple] | None:
    """The newest period and the one before it, of the finest kind of period present."""
    by_kind: dict[int, list[tuple]] = {}
    # A forecast is no news of what happened: the newest measured periods only.
    for row in [r for r in series if not is_forecast(r[2])]:
        by_kind.setdefault(len(row[0]), []).append(row)
    for length in (7, 6, 4):  # months, quarters, years: the most recent news first
        rows = sorted(by_kind.get(length, []))
        if len(rows) >= 2 and length in _PERIOD_KIND:
            return rows[-1], rows[-2]
    return None
