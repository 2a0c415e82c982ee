"""Benchmark the question path on a store the size of 'every municipality' (not a test).

Builds a store from data/, adds ~340 current municipalities × 200 synthetic indicators ×
20 years (about 1.36 million figures, straight into SQLite the way an import leaves
them), then times ``Engine.ask`` over varied questions (one place, a comparison, a trend,
a top list, the 071 default, seed questions) and reports p50/p99. Target: p99 <= 5 ms.

    python bench/bench_scale.py [--indicators 200] [--years 20] [--questions 400]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_QUESTIONS = ["banen Leiden 2016", "werkloosheid", "trend werkloosheid", "bijstand Leiden",
                  "top banen 2016", "uitleg werkloosheid", "lijst", "bronnen"]  # fmt: skip


def build_store(db: Path, n_indicators: int, years: range) -> list[tuple[str, str]]:
    from econ071.store.build import build
    from econ071.store.regions import reference

    build(db, ROOT / "data")
    regions = reference(ROOT / "data" / "mappings")
    towns = sorted((r for r in regions.values() if r.kind == "gemeente" and not r.end),
                   key=lambda r: r.code)[:340]  # fmt: skip
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA cache_size = -65536")
    conn.execute("BEGIN")
    conn.execute(
        "INSERT OR IGNORE INTO sources (id, organisation, publication, method, licence, origin)"
        " VALUES ('cbs_syn', 'CBS', 'Synthetische tabel (bench)', 'register', 'CC BY 4.0', 'import')"
    )
    conn.executemany(
        "INSERT OR IGNORE INTO places (code, name, kind, synonyms, note, origin)"
        " VALUES (?, ?, 'gemeente', '', NULL, 'import')",
        [(r.code, r.name) for r in towns],
    )
    conn.executemany(
        "INSERT INTO indicators (id, label, theme, unit, definition, synonyms, level, additive,"
        " sources, sort, origin) VALUES (?, ?, 'bench', 'aantal', 'Synthetisch.', '',"
        " 'gemeente', 1, 'cbs_syn', 2000, 'import')",
        [(f"syn_{i:03d}", f"kengetal {i}") for i in range(n_indicators)],
    )
    rng = random.Random(71)
    rows = (
        (f"syn_{i:03d}", r.code, str(y), float(rng.randint(100, 100_000)))
        for i in range(n_indicators) for r in towns for y in years
    )  # fmt: skip
    conn.executemany(
        "INSERT INTO figures (indicator, place, period, value, qualifier, source, computed,"
        " origin, updated_at) VALUES (?, ?, ?, ?, 'exact', 'cbs_syn', 0, 'import', 'bench')",
        rows,
    )
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('imported_at', 'bench')"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
    )
    conn.execute("COMMIT")
    conn.execute("PRAGMA optimize")
    conn.close()
    return [(r.code, r.name) for r in towns]


def questions(n: int, towns: list[tuple[str, str]], n_indicators: int, years: range) -> list[str]:
    rng = random.Random(6)
    out = list(SEED_QUESTIONS)
    kinds = ("one", "one", "one", "compare", "trend", "top", "region", "typo")
    while len(out) < n:
        i = rng.randrange(n_indicators)
        a, b = rng.sample(towns, 2)
        year = rng.choice(list(years))
        kind = rng.choice(kinds)
        out.append({
            "one": f"kengetal {i} {a[1]} {year}",
            "compare": f"vergelijk kengetal {i} {a[1]} {b[1]} {year}",
            "trend": f"trend kengetal {i} {a[1]}",
            "top": f"top kengetal {i} {year}",
            "region": f"kengetal {i}",
            "typo": f"kengetl {i} {a[1]}",
        }[kind])  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indicators", type=int, default=200)
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--questions", type=int, default=400)
    args = parser.parse_args()
    years = range(2025 - args.years, 2025)
    with tempfile.TemporaryDirectory(prefix="econ071-scale-") as tmp:
        db = Path(tmp) / "econ071.sqlite"
        t = time.perf_counter()
        towns = build_store(db, args.indicators, years)
        built = time.perf_counter() - t
        count = sqlite3.connect(db).execute("SELECT count(*) FROM figures").fetchone()[0]
        from econ071.answering.engine import Engine

        engine = Engine(db)
        qs = questions(args.questions, towns, args.indicators, years)
        for q in qs[:20]:  # warm the catalog and the page cache
            engine.ask(q)
        times, kinds = [], {}
        for q in qs:
            t = time.perf_counter()
            answer = engine.ask(q)
            ms = (time.perf_counter() - t) * 1000
            times.append(ms)
            kinds.setdefault(answer.kind, []).append(ms)
        times.sort()
        p = lambda q: times[min(len(times) - 1, int(q * len(times)))]  # noqa: E731
        print(f"Store: {len(towns)} municipalities × {args.indicators} indicators × {args.years}"
              f" years = {count:,} figures (built in {built:.0f} s).\n")  # fmt: skip
        print("| questions | p50 | p90 | p99 | max |")
        print("| ---: | ---: | ---: | ---: | ---: |")
        print(f"| {len(times)} | {statistics.median(times):.2f} ms | {p(0.9):.2f} ms "
              f"| {p(0.99):.2f} ms | {times[-1]:.2f} ms |")  # fmt: skip
        print("\n| answer kind | n | p50 | max |\n| --- | ---: | ---: | ---: |")
        for kind, ms in sorted(kinds.items()):
            ms.sort()
            print(f"| {kind} | {len(ms)} | {statistics.median(ms):.2f} ms | {ms[-1]:.2f} ms |")
        print(
            "\n(Engine.ask in-process: parse, resolve, query, answer; not rendering. Target p99 <= 5 ms.)"
        )


if __name__ == "__main__":
    sys.exit(main())
