"""Benchmark hostile and random questions on a national store (not a test; issue 14).

Builds the national store of bench_scale.py (every current municipality × synthetic
indicators × years, straight into SQLite as an import leaves them; 1,36 million figures by
default, ``--quick`` for a tenth) and, as the baseline, the seed store built from data/
alone. Then asks both, alternately round by round, a fuzz corpus made with a fixed seed:

- hostile: the questions that once hung or degraded (issue 14 item 1: ``uitleg
  bevolking``, ``wat is bevolking Leiden``, ``wat is 42 jaar …``, ``DEFINITIE … WAT IS``,
  ``top top top …``), on the seed's and the synthetic indicators;
- long: very long or repeated input (100.000 characters, a word 3.000 times, NULs, Slack
  markup and control characters);
- catalog: 1–40 random words from the store's own indicator labels, synonyms, places and
  the partners' vocabulary;
- dutch: 1–40 random words from the documents' passages (data/passages.csv);
- typos: catalog questions with letters swapped, dropped, doubled or replaced.

Each question is timed as a user gets it: ``Engine.ask`` plus rendering to mrkdwn. Reports
p50/p99/max per store and per kind, the p99 ratio national/seed, and the slowest questions.
Target: worst case (max) <= 50 ms on the national store.

    python bench/bench_fuzz.py [--quick] [--questions 600] [--rounds 2]
"""

from __future__ import annotations

import argparse
import csv
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import ROOT, build_store  # noqa: E402

SEED = 1414
MARKUP = ["<!channel>", "<@U0123ABC>", "<https://x.nl|klik>", "\x1b[31m", "\u202e", "\u200d",
          "ÿ", "'", '"', ";", "--", ")", "(", "%", "*", "_", "~", "`", "&amp;", "\x00"]  # fmt: skip


def hostile(indicator_words: list[str]) -> list[str]:
    """The questions of issue 14 item 1, on the seed's and the synthetic indicators."""
    out = []
    for name in ("bevolking", "banen", "werkloosheid", *indicator_words):
        out += [f"uitleg {name}", f"wat is {name} Leiden", f"wat is 42 jaar {name}",
                f"DEFINITIE {name} WAT IS", f"top {name} " * 3, f"{name} per leeftijd Leiden",
                f"vergelijk {name} Leiden Katwijk Leiderdorp Oegstgeest Voorschoten Zoeterwoude"]  # fmt: skip
    out += ["wat is 42 jaar", "DEFINITIE WAT IS " * 40, "uitleg", "wat is", "inwoners",
            "top", "lijst", "help", "bronnen"]  # fmt: skip
    out += ["top " * n for n in (3, 10, 50, 200, 2000)]
    return out


def long_inputs() -> list[str]:
    return ["x" * 100_000, "é" * 5000, "\x00" * 100, "2019 " * 3000,
            "uitleg " + "bevolking " * 500, "banen Leiden " * 400, "wat is " * 1000,
            " ".join(MARKUP) * 50, "<!channel> " * 500 + "banen Leiden 2016",
            "Leiden " * 300 + "banen", "a" * 299 + " banen", "1" * 5000]  # fmt: skip


def catalog_words(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    words: set[str] = set()
    for label, synonyms in conn.execute("SELECT label, synonyms FROM indicators"):
        words.update((label or "").split())
        words.update(w for s in (synonyms or "").split("|") for w in s.split())
    words.update(w for (name,) in conn.execute("SELECT name FROM places") for w in name.split())
    conn.close()
    with open(ROOT / "data" / "vocabulary.csv", encoding="utf-8") as f:
        words.update(row["typed"] for row in csv.DictReader(f))
    words.update(("wat", "is", "uitleg", "top", "trend", "vergelijk", "meeste", "hoeveel",
                  "welke", "gemeente", "per", "sector", "sinds", "vs", "aandeel", "2016", "1995",
                  "2030", "42", "jaar", "%"))  # fmt: skip
    return sorted(w for w in words if w)


def dutch_words() -> list[str]:
    with open(ROOT / "data" / "passages.csv", encoding="utf-8") as f:
        return sorted({w for row in csv.DictReader(f) for w in row["text"].split()})


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 3:
        return word
    i = rng.randrange(len(word) - 1)
    how = rng.choice(("swap", "drop", "double", "replace"))
    if how == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if how == "drop":
        return word[:i] + word[i + 1 :]
    if how == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("abcdefghijklmnopqrstuvwxyz") + word[i + 1 :]


def corpus(n: int, db: Path, indicator_words: list[str]) -> list[tuple[str, str]]:
    rng = random.Random(SEED)
    cat, dutch = catalog_words(db), dutch_words()
    out = [("hostile", q) for q in hostile(indicator_words)]
    out += [("long", q) for q in long_inputs()]
    kinds = ("catalog", "catalog", "dutch", "typos", "markup")
    while len(out) < n:
        kind = rng.choice(kinds)
        k = rng.choice((1, 2, 3, 3, 4, 5, 8, 15, 40))
        if kind == "dutch":
            q = " ".join(rng.choice(dutch) for _ in range(k))
        elif kind == "typos":
            q = " ".join(typo(rng.choice(cat), rng) for _ in range(min(k, 5)))
        elif kind == "markup":
            q = " ".join(rng.choice(cat + MARKUP) for _ in range(k))
        else:
            q = " ".join(rng.choice(cat) for _ in range(k))
        out.append((kind, q))
    return out


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(engine, qs: list[tuple[str, str]]) -> list[tuple[float, str, str, str]]:
    from econ071.rendering import render

    out = []
    for kind, q in qs:
        t = time.perf_counter()
        answer = engine.ask(q)
        render.render(answer)
        out.append(((time.perf_counter() - t) * 1000, kind, str(answer.kind), q))
    return out


def line(name: str, ms: list[float]) -> str:
    return (f"| {name} | {len(ms)} | {statistics.median(ms):.2f} ms | {percentile(ms, 0.99):.2f} ms"
            f" | {max(ms):.2f} ms |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="20 indicators instead of 200 (136.000 figures)")  # fmt: skip
    parser.add_argument("--indicators", type=int, default=200)
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--questions", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    n_indicators = 20 if args.quick else args.indicators
    years = range(2025 - args.years, 2025)
    from econ071.answering.engine import Engine
    from econ071.store.build import build

    with tempfile.TemporaryDirectory(prefix="econ071-fuzz-") as tmp:
        national, seed = Path(tmp) / "national.sqlite", Path(tmp) / "seed.sqlite"
        t = time.perf_counter()
        towns = build_store(national, n_indicators, years)
        built = time.perf_counter() - t
        build(seed, ROOT / "data")
        count = sqlite3.connect(national).execute("SELECT count(*) FROM figures").fetchone()[0]
        qs = corpus(args.questions, national, ["kengetal 7", f"kengetal {n_indicators - 1}"])
        engines = {"national": Engine(national), "seed": Engine(seed)}
        for engine in engines.values():  # warm the catalogs, templates and page cache
            run(engine, qs[:40])
        results: dict[str, list[tuple[float, str, str, str]]] = {k: [] for k in engines}
        for _ in range(args.rounds):
            for name, engine in engines.items():
                results[name] += run(engine, qs)
        print(f"National store: {len(towns)} municipalities × {n_indicators} indicators × "
              f"{args.years} years = {count:,} figures (built in {built:.0f} s); baseline: the "
              f"seed store. {len(qs)} fuzz questions (seed {SEED}) × {args.rounds} rounds, "
              "alternately; Engine.ask + render to mrkdwn.\n")  # fmt: skip
        print("| store | n | p50 | p99 | max |\n| --- | ---: | ---: | ---: | ---: |")
        for name, rows in results.items():
            print(line(name, [r[0] for r in rows]))
        p99 = {k: percentile([r[0] for r in v], 0.99) for k, v in results.items()}
        print(f"\np99 national / seed = {p99['national'] / p99['seed']:.2f}×\n")
        print("| kind (national) | n | p50 | p99 | max |\n| --- | ---: | ---: | ---: | ---: |")
        for kind in sorted({r[1] for r in results["national"]}):
            print(line(kind, [r[0] for r in results["national"] if r[1] == kind]))
        print("\nSlowest on the national store:")
        for ms, kind, answered, q in sorted(results["national"], reverse=True)[:8]:
            print(f"  {ms:7.2f} ms  {kind:8} → {answered:10} {ascii(q[:70])}")
        worst = max(r[0] for r in results["national"])
        print(f"\nTarget: max <= 50 ms on the national store: {'met' if worst <= 50 else 'NOT met'}"
              f" ({worst:.2f} ms).")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
