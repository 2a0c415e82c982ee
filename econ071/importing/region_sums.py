"""The 071 region summed from its member municipalities, written by the import's
FigureWriter (marked computed)."""

from __future__ import annotations

from econ071.importing.merge import STATUS_ORDER, FigureWriter


def compute_region(
    writer: FigureWriter, region: str, indicators: list[str], sources: list[str]
) -> int:
    """Sum the region's member municipalities where every one of them has a published
    value (same indicator, period, breakdown, source); the sum is marked computed."""
    conn = writer.conn
    members = [r[0] for r in conn.execute(
        "SELECT c.id FROM place_members m JOIN codes c ON c.code = m.member"
        " WHERE m.place = ?", (region,))]  # fmt: skip
    n_members = conn.execute(
        "SELECT count(*) FROM place_members WHERE place = ?", (region,)
    ).fetchone()[0]
    if not members or len(members) != n_members or not indicators:
        return 0
    ind_ids = [writer.codes.ids[i] for i in indicators if i in writer.codes.ids]
    src_ids = [writer.codes.ids[s] for s in sources if s in writer.codes.ids]
    ranks = [writer.codes.ids.get(s, -1) for s in STATUS_ORDER]
    marks = lambda items: ", ".join("?" * len(items))  # noqa: E731
    word = {6: "zes"}.get(len(members), str(len(members)))
    writer._ensure_chunk_table()
    conn.execute("DELETE FROM temp.chunk")
    n = len(STATUS_ORDER)
    rank = f"CASE status {' '.join(f'WHEN ? THEN {i}' for i in range(1, n + 1))} ELSE {n + 1} END"
    conn.execute(
        "INSERT INTO temp.chunk (ref, indicator, place, period, breakdown, source, chapter,"  # noqa: S608
        " value, note, status, missing_reason, computed)"
        " SELECT 'berekend', indicator, ?, period, breakdown, source, chapter, sum(value), ?,"
        f" CASE min({rank}) {' '.join(f'WHEN {i} THEN ?' for i in range(1, n + 1))} ELSE 0 END, 0, 1"
        " FROM figure_values"
        f" WHERE indicator IN ({marks(ind_ids)}) AND place IN ({marks(members)})"
        f" AND source IN ({marks(src_ids)}) AND value IS NOT NULL AND computed = 0"
        " GROUP BY indicator, breakdown, period, source, chapter"
        " HAVING count(DISTINCT place) = ? AND count(*) = ?"
        " ORDER BY indicator, breakdown, period, source, chapter",  # the key's order
        (writer.codes.id(region), f"berekend: som van de {word} gemeenten", *ranks, *ranks,
         *ind_ids, *members, *src_ids, len(members), len(members)),
    )  # fmt: skip
    n = conn.execute("SELECT count(*) FROM temp.chunk").fetchone()[0]
    if n:
        writer.used["place"].add(writer.codes.ids[region])
        writer._merge(n)
    return n
