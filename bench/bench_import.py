"""Benchmark the import (not a test).

Generates a StatLine-like CSV of 1,000,000 observations (340 municipalities × 25 years ×
~118 age groups, one measure) in a temporary directory and times, on this machine, side
by side and alternating (``--rounds``, median of each):

- the import of it into a store built from data/, as a process of its own (Python start,
  pandas, reading, validation, place and period resolution, writing the figures, the 071
  sums, the import record, the commit);
- ``sqlite3``'s own ``.import`` of the same file into a plain table (no checks, no indexes),
  also a process of its own;

and reports the ratio of the medians (target <= 3x) and the import's peak RSS for a
quarter of the rows and for all of them: memory is bounded by the chunk sizes, not by
the file.

    python bench/bench_import.py [--rows 1000000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEASURE = "Bevolking op 1 januari (aantal)"

CHILD = """
import json, resource, sys, time
from pathlib import Path
from econ071.importing import import_file
t = time.perf_counter()
r = import_file(Path(sys.argv[1]), Path(sys.argv[2]), table_id="99999ned")
print(json.dumps({"seconds": time.perf_counter() - t, "added": r.added, "phases": r.seconds,
                  "computed": r.computed,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def municipalities(n: int) -> list[str]:
    from econ071.store.regions import reference

    regions = reference(ROOT / "data" / "mappings")
    names = sorted(r.title for r in regions.values() if r.kind == "gemeente" and not r.end)
    return names[:n]


def generate(path: Path, rows: int) -> int:
    places = municipalities(340)
    years = [str(y) for y in range(2000, 2025)]
    per_place_year = -(-rows // (len(places) * len(years)))
    ages = ["Totaal"] + [f"{a} jaar" for a in range(per_place_year - 1)]
    written = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(f"Leeftijd;Regio's;Perioden;{MEASURE}\r\n")
        for age in ages:
            for place in places:
                lines = []
                for year in years:
                    if written >= rows:
                        break
                    lines.append(f"{age};{place};{year};{1000 + written % 50000}\r\n")
                    written += 1
                fh.writelines(lines)
    return written


def seed_store(directory: Path) -> Path:
    from econ071.store.build import build

    db = directory / "econ071.sqlite"
    build(db, ROOT / "data")
    return db


def econ071_import(db: Path, csv: Path) -> dict:
    env = {**os.environ, "ECON071_DB": str(db)}
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD, str(db), str(csv)], env=env,
                         check=True, capture_output=True, text=True)  # fmt: skip
    wall = time.perf_counter() - t
    return {**json.loads(out.stdout.strip().splitlines()[-1]), "wall": wall}


def sqlite_import(sqlite3: str, directory: Path, csv: Path) -> float:
    db = directory / "plain.sqlite"
    db.unlink(missing_ok=True)
    t = time.perf_counter()
    subprocess.run([sqlite3, str(db), ".mode csv", ".separator ;", f".import {csv} plain"],
                   check=True, capture_output=True)  # fmt: skip
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sqlite3 = shutil.which("sqlite3")
    if not sqlite3:
        sys.exit("bench_import: the sqlite3 command-line shell is not installed "
                 "(apt-get install -y sqlite3); skipped.")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="econ071-bench-") as tmp:
        directory = Path(tmp)
        seed = seed_store(directory)
        results = []
        for rows in (args.rows // 4, args.rows):
            csv = directory / f"bevolking-{rows}.csv"
            n = generate(csv, rows)
            plain, ours = [], []
            for _ in range(args.rounds):  # alternating: both see the same machine
                plain.append(sqlite_import(sqlite3, directory, csv))
                db = directory / "store.sqlite"
                shutil.copy(seed, db)
                ours.append(econ071_import(db, csv))
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{db}{suffix}").unlink(missing_ok=True)
            results.append((n, csv.stat().st_size, plain, ours))
        print(f"({args.rounds} rounds each, alternating; medians)")
        print()
        print("| rows | file | sqlite3 .import | econ071 import (read, check, write / catalog, "
              "071, commit) | ratio | peak RSS |")  # fmt: skip
        print("| ---: | ---: | ---: | ---: | ---: | ---: |")
        for n, size, plain, ours in results:
            p = statistics.median(plain)
            mid = sorted(ours, key=lambda o: o["wall"])[len(ours) // 2]
            read, load = mid["phases"]
            rss = max(o["peak_rss_mb"] for o in ours)
            print(f"| {n:,} | {size / 2**20:.0f} MiB | {p:.2f} s | {mid['wall']:.2f} s "
                  f"({read:.1f} / {load:.1f}) | {mid['wall'] / p:.2f}× | {rss:.0f} MiB |")  # fmt: skip
        print()
        last = results[-1][3][-1]
        print(
            f"(econ071: {last['added']:,} figures added, {last['computed']:,} 071 sums computed;"
            " both times are whole processes; target ratio <= 3×)"
        )


if __name__ == "__main__":
    main()
