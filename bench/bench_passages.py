"""Benchmark passage search (not a test).

In-process latency of `econ071.store.passages.search` (stem the question, FTS5 MATCH with bm25,
read the passages) over varied questions: the passage questions of the natural-question
corpus plus shorthand, long and garbage input. Target: p99 <= 10 ms. Beside it, as a
baseline measured in the same run, a plain SELECT of one passage by its id.

    python bench/bench_passages.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import csv
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EXTRA = [
    "wat zegt de quick scan over zzp'ers", "waarom is de arbeidsongeschiktheid in Zoeterwoude hoog",
    "wat bedoelen de dia's met werkzekerheid", "starters", "Randstad vs periferie",
    "zzp", "robots", "sociale werkplaats", "Technolab", "xyzzy qwrtp", "", "?!",
    "wat zegt de quick scan over de arbeidsmarkt in Leiden, Katwijk, Leiderdorp, Oegstgeest, "
    "Voorschoten en Zoeterwoude tussen 2010 en 2016, en waarom groeit de zorg niet maar de horeca wel",
    'zzp" OR "', "NEAR(zorg onderwijs)",
]  # fmt: skip


def questions() -> list[str]:
    with (ROOT / "tests" / "questions" / "natural.csv").open(encoding="utf-8") as f:
        corpus = [
            r["question"] for r in csv.DictReader(f) if r["intent"] in ("passage", "definition")
        ]
    return corpus + EXTRA


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()

    from econ071.store import passages
    from econ071.store.build import build

    qs = questions()
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "econ071.sqlite"
        build(store, ROOT / "data")
        conn = sqlite3.connect(store)
        ids = [r[0] for r in conn.execute("SELECT id FROM passages")]
        for q in qs:  # warm up: page cache, stemmer, statement cache
            passages.search(conn, q)
        search_ms: list[float] = []
        base_ms: list[float] = []
        for _ in range(args.rounds):
            for i, q in enumerate(qs):
                t0 = time.perf_counter()
                passages.search(conn, q)
                t1 = time.perf_counter()
                conn.execute("SELECT * FROM passages WHERE id = ?", (ids[i % len(ids)],)).fetchall()
                t2 = time.perf_counter()
                search_ms.append((t1 - t0) * 1000)
                base_ms.append((t2 - t1) * 1000)
        conn.close()

    def show(name: str, ms: list[float]) -> None:
        print(
            f"{name}: n={len(ms)} p50 {statistics.median(ms):.3f} ms · "
            f"p99 {percentile(ms, 99):.3f} ms · max {max(ms):.3f} ms"
        )

    print(f"{len(qs)} questions × {args.rounds} rounds")
    show("passages.search", search_ms)
    show("baseline SELECT by id", base_ms)
    p99 = percentile(search_ms, 99)
    print(f"p99 {p99:.2f} ms against a target of 10 ms: {'ok' if p99 <= 10 else 'TOO SLOW'}")


if __name__ == "__main__":
    main()
