"""Benchmark (not a test): do slow clients starve HTTP mode?

Starts ``econ071 serve --http`` (uvicorn, 2 workers × 8 threads) with Slack's Web API as
the tests' local stand-in, and sends signed ``/071`` commands one after another (each
answered in its ack), alternately with no slow clients and with 50 slow clients connected
(tests/slow_clients.py: one byte a second, half of them still in their headers, half in
their body). Prints the ack latencies side by side.

    python bench/bench_slowclients.py [--requests 300] [--rounds 3] [--slow 50]
    python bench/bench_slowclients.py --server gunicorn   # the former gthread deployment

Target: the p99 with 50 slow clients within 2× the p99 without, no errors.
Only 127.0.0.1 is contacted; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

import requests  # noqa: E402
from bench_http import (  # noqa: E402
    QUESTIONS,
    command_body,  # noqa: E402
    free_port,
    wait_ready,
)
from slack_harness import BOT_TOKEN, SIGNING_SECRET, signed_headers  # noqa: E402
from slack_standin import SlackStandIn  # noqa: E402
from slow_clients import SlowClients  # noqa: E402

TIMEOUT = 5.0  # a command not acked by then counts as an error (Slack gives up at 3 s)


def start(server: str, port: int, env: dict) -> subprocess.Popen:
    if server == "gunicorn":
        args = [sys.executable, "-m", "gunicorn", "--workers", "2", "--worker-class", "gthread",
                "--threads", "8", "--bind", f"127.0.0.1:{port}", "--no-control-socket",
                "econ071.slackapp.wsgi:app"]  # fmt: skip
    else:
        args = [sys.executable, "-m", "econ071.cli.main", "serve", "--http", "--host", "127.0.0.1",
                "--port", str(port), "--workers", "2", "--threads", "8"]  # fmt: skip
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip


def commands(port: int, total: int, response_url: str) -> dict:
    url = f"http://127.0.0.1:{port}/slack/events"
    latencies, errors = [], 0
    for n in range(total):
        body = command_body(QUESTIONS[n % len(QUESTIONS)], response_url, n)
        headers = signed_headers(body, "application/x-www-form-urlencoded")
        started = time.perf_counter()
        try:
            response = requests.post(url, data=body, headers=headers, timeout=TIMEOUT)
            ok = response.status_code == 200
        except requests.RequestException:
            ok = False
        elapsed = (time.perf_counter() - started) * 1000
        latencies.append(elapsed if ok else TIMEOUT * 1000)
        errors += not ok
    ordered = sorted(latencies)
    return {"n": len(ordered), "errors": errors, "p50": statistics.median(ordered),
            "p99": ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="commands per run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs of each")
    parser.add_argument("--slow", type=int, default=50, help="slow clients connected")
    parser.add_argument("--server", choices=["uvicorn", "gunicorn"], default="uvicorn")
    args = parser.parse_args()

    from econ071.store.build import build

    runs: dict[str, list[dict]] = {"none": [], "slow": []}
    with tempfile.TemporaryDirectory() as tmp, SlackStandIn() as slack:
        db = Path(tmp) / "econ071.sqlite"
        build(db, ROOT / "data")
        env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
               "SLACK_API_URL": slack.url, "ECON071_DB": str(db)}  # fmt: skip
        port = free_port()
        proc = start(args.server, port, env)
        try:
            wait_ready(port, proc)
            commands(port, 100, slack.response_url())  # warm up both workers
            for _ in range(args.rounds):
                runs["none"].append(commands(port, args.requests, slack.response_url()))
                with SlowClients("127.0.0.1", port, args.slow):
                    time.sleep(1.0)
                    runs["slow"].append(commands(port, args.requests, slack.response_url()))
                slack.clear()
        finally:
            proc.terminate()
            proc.wait(timeout=30)

    def combined(rs: list[dict]) -> dict:
        return {"n": sum(r["n"] for r in rs), "errors": sum(r["errors"] for r in rs),
                "p50": statistics.median(r["p50"] for r in rs), "p99": max(r["p99"] for r in rs)}  # fmt: skip

    none, slow = combined(runs["none"]), combined(runs["slow"])
    what = ("econ071 serve --http (uvicorn 2 workers × 8 threads)" if args.server == "uvicorn"
            else "gunicorn 2 workers × 8 gthreads, econ071.slackapp.wsgi:app")  # fmt: skip
    print(f"{what}; signed /071 commands one at a time, {args.rounds} rounds alternating\n")
    print("| slow clients connected | commands | p50 ack (ms) | p99 ack (ms) | errors |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for label, r in (("0", none), (str(args.slow), slow)):
        print(f"| {label} | {r['n']} | {r['p50']:.1f} | {r['p99']:.1f} | {r['errors']} |")
    print(f"| ratio | | {slow['p50'] / none['p50']:.2f}× | {slow['p99'] / none['p99']:.2f}× | |")
    verdict = "meets" if slow["p99"] <= 2 * none["p99"] and not slow["errors"] else "MISSES"
    print(f"\nTarget p99 with {args.slow} slow clients <= 2× p99 without, no errors: {verdict}.")


if __name__ == "__main__":
    main()
