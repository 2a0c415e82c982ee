"""Benchmark the question path (not a test).

1. In-process answer latency, p50/p99, over varied questions (parse -> resolve -> query ->
   answer -> render to mrkdwn and Block Kit, once). Target: p99 <= 2 ms.
2. Wall time of `econ071 ask "banen Leiden 2016"` next to `python -c "import sqlite3"`, run
   alternately on the same machine, as a ratio. Target: <= 10x the bare interpreter.

    python bench/bench_answers.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

QUESTIONS = [
    "banen Leiden 2016", "banen leidn", "Leiden werkgelegenheid", "banen zorg 2016",
    "banen Katwijk 2010", "werkloosheid", "werkloosheid 2013", "trend werkloosheid",
    "werkloos 2016", "vergelijk bijstand Leiden Katwijk", "bijstand Zoeterwoude",
    "top banen 2016", "top bijstand", "uitleg werkloosheid", "uitleg hoogopgeleiden",
    "aandeel industrie Groot-Amsterdam", "aandeel zorg", "hoogopgeleiden Oegstgeest",
    "65+ Voorschoten", "alleenwonenden Leiden", "werkregio Katwijk", "vervangingssnelheid 2012",
    "oekraine referendum", "banen per 100 Zoeterwoude", "arbeidsongeschiktheid Zoeterwoude",
    "wajong Leiden", "werklozen Leiden", "werkzoekenden 2016", "kwetsbare populatie",
    "technisch tekort", "technolab", "loopbaanpad starters", "banenontwikkeling Eindhoven",
    "lijst", "bronnen", "help", "", "xyzzy", "banen 2015", "werkloosheid Leiden",
    "banen Amsterdam", "<!channel> banen", "vergelijk banen Leiden Oegstgeest 2010",
    "trend banen Leiden", "banen onderwijs 2010", "horeca 2016", "zzp", "top 65+",
    "bijstand Leiden 2016", "wao Katwijk", "micro-ondernemers", "banen 2010-2016",
]  # fmt: skip


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def in_process(rounds: int) -> dict[str, float]:
    from econ071.answering.engine import Engine
    from econ071.rendering import render

    engine = Engine()
    for q in QUESTIONS:  # warm up: catalog, templates, locale data
        render.blocks(engine.ask(q))
    samples = []
    for _ in range(rounds):
        for q in QUESTIONS:
            t0 = time.perf_counter()
            render.slack(engine.ask(q))
            samples.append((time.perf_counter() - t0) * 1000)
    return {
        "questions": len(QUESTIONS),
        "samples": len(samples),
        "p50_ms": statistics.median(samples),
        "p99_ms": percentile(samples, 0.99),
    }


def wall(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    return (time.perf_counter() - t0) * 1000


def cold_start(rounds: int) -> dict[str, float]:
    econ071 = shutil.which("econ071", path=str(Path(sys.executable).parent)) or "econ071"
    env = dict(os.environ)
    ask = [econ071, "ask", "banen Leiden 2016"]
    bare = [sys.executable, "-c", "import sqlite3"]
    subprocess.run(ask, env=env, check=True, stdout=subprocess.DEVNULL)  # build the store once
    ask_ms, bare_ms = [], []
    for _ in range(rounds):  # alternate, so both see the same machine state
        ask_ms.append(wall(ask, env))
        bare_ms.append(wall(bare, env))
    a, b = statistics.median(ask_ms), statistics.median(bare_ms)
    return {"ask_ms": a, "bare_ms": b, "ratio": a / b}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["ECON071_DB"] = str(Path(tmp) / "bench.sqlite")
        ip = in_process(args.rounds)
        cs = cold_start(args.rounds)
    print("| measure | result | target |")
    print("| --- | --- | --- |")
    print(f"| in-process answer p50 ({ip['questions']} questions × {args.rounds}) "
          f"| {ip['p50_ms']:.2f} ms | |")  # fmt: skip
    print(f"| in-process answer p99 | {ip['p99_ms']:.2f} ms | ≤ 2 ms |")
    print(f"| `econ071 ask` wall time (median) | {cs['ask_ms']:.0f} ms | |")
    print(f"| `python -c 'import sqlite3'` (median) | {cs['bare_ms']:.0f} ms | |")
    print(f"| ratio ask / bare interpreter | {cs['ratio']:.1f}× | ≤ 10× |")


if __name__ == "__main__":
    main()
