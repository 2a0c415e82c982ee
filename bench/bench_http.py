"""Benchmark HTTP mode (not a test): ack latency and throughput of signed /071 commands
and of button clicks (block_actions).

The app runs as docs/slack.md tells an admin to run it: ``econ071 serve --http`` (uvicorn,
ASGI, the listeners on a thread pool), Slack's Web API is the local stand-in of the
tests. Next to it, on the same machine and the same uvicorn settings, a baseline: a
trivial ASGI app that reads the request and answers a fixed JSON body. Both are loaded alternately with signed slash
commands at a fixed concurrency (default 8); each command's answer is in its ack, so the
latency is the whole question path (verify signature → Bolt → engine → Block Kit → ack).
Clicks (follow-ups, clarifying options, 👍/👎, "Deel in kanaal", each on its own message,
so none is a duplicate) are acked at once and answered from the background pool, whose
work (answering, posting to the stand-in, the durable click claim) loads the same
server while the acks are measured.

    python bench/bench_http.py [--requests 1500] [--rounds 2] [--concurrency 8]

Prints a Markdown table. Target: p99 <= 100 ms for the app at concurrency 8.
Only 127.0.0.1 is contacted; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from slack_harness import BOT_TOKEN, SIGNING_SECRET, signed_headers  # noqa: E402
from slack_standin import SlackStandIn  # noqa: E402

from econ071.cli.slack_commands import DEFAULT_THREADS, DEFAULT_WORKERS  # noqa: E402

QUESTIONS = [
    "banen Leiden 2016", "werkloosheid", "banen Katwijk 2010", "trend werkloosheid",
    "top banen 2016", "bijstand Leiden", "vergelijk bijstand Leiden Katwijk", "help",
    "banen zorg 2016", "uitleg werkloosheid", "xyzzy", "hoogopgeleiden Oegstgeest",
]  # fmt: skip
CLICKS = [  # (action_id, block_id, value)
    ("econ071_ask_0", "econ071_follow", "trend banen Leiden"),
    ("econ071_ask_1", "econ071_clarify", "ao totaal"),
    ("econ071_feedback_up", "econ071_tools", "banen Leiden 2016"),
    ("econ071_ask_2", "econ071_follow", "vergelijk banen"),
    ("econ071_feedback_down", "econ071_tools", "werkloosheid"),
    ("econ071_share", "econ071_tools", "banen zorg 2016"),
    ("econ071_ask_4", "econ071_follow", "uitleg banen Leiden 2016"),
]
MAX_SECONDS_PER_RUN = 120


async def baseline(scope, receive, send):
    """The baseline ASGI app: read the body, answer a fixed ephemeral message."""
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    body = b'{"response_type": "ephemeral", "text": "ok"}'
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})  # fmt: skip
    await send({"type": "http.response.body", "body": body})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port: int, proc: subprocess.Popen, path: str = "/healthz") -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", path)
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("server did not start")


def command_body(question: str, response_url: str, n: int) -> bytes:
    return urlencode({
        "token": "legacy", "team_id": "T0STANDIN", "team_domain": "econ071",
        "channel_id": "C0GENERAL", "channel_name": "general", "user_id": f"U0BENCH{n % 50}",
        "user_name": "bench", "command": "/071", "text": question, "api_app_id": "A0STANDIN",
        "response_url": response_url, "trigger_id": f"{n}.1.bench",
    }).encode()  # fmt: skip


def click_body(response_url: str, n: int) -> bytes:
    """A signed block_actions payload as Slack sends it: a button under a private answer."""
    action_id, block_id, value = CLICKS[n % len(CLICKS)]
    payload = {
        "type": "block_actions",
        "api_app_id": "A0STANDIN",
        "token": "legacy",
        "user": {"id": f"U0BENCH{n % 50}", "username": "bench", "team_id": "T0STANDIN"},
        "team": {"id": "T0STANDIN", "domain": "econ071"},
        "container": {
            "type": "message",
            "message_ts": f"1700000000.{n:06d}",
            "channel_id": "C0GENERAL",
            "is_ephemeral": True,
        },
        "channel": {"id": "C0GENERAL", "name": "general"},
        "trigger_id": f"{n}.1.bench",
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": block_id,
                "value": value,
                "text": {"type": "plain_text", "text": value},
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def load(port: int, total: int, concurrency: int, response_url: str, check: bool,
         clicks: bool = False) -> dict:  # fmt: skip
    """Send ``total`` signed commands (or ``clicks``) from ``concurrency`` threads
    (keep-alive connections)."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    counter = iter(range(total))
    deadline = time.monotonic() + MAX_SECONDS_PER_RUN

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine: list[float] = []
        while time.monotonic() < deadline:
            with lock:
                n = next(counter, None)
            if n is None:
                break
            body = (click_body(response_url, n) if clicks
                    else command_body(QUESTIONS[n % len(QUESTIONS)], response_url, n))  # fmt: skip
            headers = signed_headers(body, "application/x-www-form-urlencoded")
            started = time.perf_counter()
            try:
                conn.request("POST", "/slack/events", body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                with lock:
                    errors.append(repr(exc))
                continue
            mine.append((time.perf_counter() - started) * 1000)
            if response.status != 200 or (check and not clicks and b'"blocks"' not in data
                                          and data):  # fmt: skip
                with lock:
                    errors.append(f"{response.status} {data[:80]!r}")
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    ordered = sorted(latencies)

    def pct(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    return {"n": len(ordered), "p50": pct(0.50), "p99": pct(0.99), "mean": statistics.fmean(ordered),
            "rps": len(ordered) / wall, "errors": len(errors), "first_error": errors[:1]}  # fmt: skip


def wait_idle(slack: SlackStandIn, quiet: float = 0.5, limit: float = 60) -> None:
    """Until the stand-in has had no call for ``quiet`` seconds: the clicks' answers are out."""
    deadline = time.monotonic() + limit
    seen = -1
    while time.monotonic() < deadline:
        count = len(slack.calls)
        if count == seen:
            return
        seen = count
        time.sleep(quiet)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (the supervisor and its workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            pids += [int(c) for c in (task / "children").read_text().split()]
    except OSError:
        return float("nan")
    total = 0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def start_app(port: int, env: dict, workers: int, threads: int) -> subprocess.Popen:
    # As docs/slack.md: econ071 serve --http (uvicorn workers).
    return subprocess.Popen(
        [sys.executable, "-m", "econ071.cli.main", "serve", "--http", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(workers), "--threads", str(threads)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def start_baseline(port: int, env: dict, workers: int, threads: int) -> subprocess.Popen:
    # The same uvicorn set-up as econ071 serve --http (econ071.cli.slack_commands.run_uvicorn).
    code = ("from econ071.cli.slack_commands import run_uvicorn; "
            f"run_uvicorn('bench_http:baseline', '127.0.0.1', {port}, {workers})")  # fmt: skip
    args = [sys.executable, "-c", code]
    env = {**env, "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), str(ROOT)])}
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1500, help="commands per run")
    parser.add_argument("--rounds", type=int, default=2, help="alternating runs of each")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--json", action="store_true", help="also print the raw numbers")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS, help="uvicorn workers")
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS, help="threads per worker")
    args = parser.parse_args()

    from econ071.store.build import build

    with tempfile.TemporaryDirectory() as tmp, SlackStandIn() as slack:
        db = Path(tmp) / "econ071.sqlite"
        build(db, ROOT / "data")
        env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
               "SLACK_API_URL": slack.url, "ECON071_DB": str(db)}  # fmt: skip
        app_port, base_port = free_port(), free_port()
        servers = {"app": start_app(app_port, env, args.workers, args.threads),
                   "baseline": start_baseline(base_port, env, args.workers, args.threads)}  # fmt: skip
        try:
            wait_ready(app_port, servers["app"])
            wait_ready(base_port, servers["baseline"], path="/")
            ports = {"app": app_port, "baseline": base_port}
            for port in ports.values():  # warm up: imports, catalog, templates, threads
                load(port, 200, args.concurrency, slack.response_url(), check=False)
            load(app_port, 100, args.concurrency, slack.response_url(), check=False, clicks=True)
            runs: dict[str, list[dict]] = {"app": [], "baseline": [], "clicks": []}
            for _ in range(args.rounds):
                for name in ("baseline", "app", "clicks"):
                    server = "baseline" if name == "baseline" else "app"
                    cpu = cpu_seconds(servers[server].pid)
                    run = load(ports[server], args.requests, args.concurrency,
                               slack.response_url(), check=name != "baseline",
                               clicks=name == "clicks")  # fmt: skip
                    if name == "clicks":  # the background work of these clicks, too
                        wait_idle(slack)
                    run["cpu_ms"] = (cpu_seconds(servers[server].pid) - cpu) * 1000 / max(
                        run["n"], 1)  # fmt: skip
                    runs[name].append(run)
        finally:
            for proc in servers.values():
                proc.terminate()
            for proc in servers.values():
                proc.wait(timeout=30)

    def combined(name: str) -> dict:
        rs = runs[name]
        return {"n": sum(r["n"] for r in rs), "p50": statistics.median(r["p50"] for r in rs),
                "p99": max(r["p99"] for r in rs), "rps": statistics.fmean(r["rps"] for r in rs),
                "errors": sum(r["errors"] for r in rs),
                "cpu_ms": statistics.fmean(r["cpu_ms"] for r in rs)}  # fmt: skip

    app, base, clicks = combined("app"), combined("baseline"), combined("clicks")
    cores = os.cpu_count()
    print(f"HTTP mode, signed /071 commands, concurrency {args.concurrency}, "
          f"uvicorn {args.workers} workers × {args.threads} listener threads, {cores} cores "
          f"(client and servers on the same machine)\n")  # fmt: skip
    print("| server | requests | p50 ack (ms) | p99 ack (ms) | throughput (req/s) "
          "| server CPU per request (ms) | errors |")  # fmt: skip
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, r in (("econ071 serve --http (Bolt + engine, answer in the ack)", app),
                     ("econ071 serve --http, button clicks (ack, then answered in the"
                      " background)", clicks),
                     ("baseline: trivial ASGI app, same uvicorn settings", base)):  # fmt: skip
        print(f"| {label} | {r['n']} | {r['p50']:.1f} | {r['p99']:.1f} | {r['rps']:.0f} | "
              f"{r['cpu_ms']:.2f} | {r['errors']} |")  # fmt: skip
    print(f"| ratio app / baseline | | {app['p50'] / base['p50']:.1f}× | "
          f"{app['p99'] / base['p99']:.1f}× | {app['rps'] / base['rps']:.2f}× | "
          f"{app['cpu_ms'] / base['cpu_ms']:.1f}× | |")  # fmt: skip
    print(f"| ratio clicks / baseline | | {clicks['p50'] / base['p50']:.1f}× | "
          f"{clicks['p99'] / base['p99']:.1f}× | {clicks['rps'] / base['rps']:.2f}× | "
          f"{clicks['cpu_ms'] / base['cpu_ms']:.1f}× | |")  # fmt: skip
    for what, r in (("commands", app), ("clicks", clicks)):
        verdict = "meets" if r["p99"] <= 100 and not r["errors"] else "MISSES"
        print(f"\nTarget p99 <= 100 ms for {what}: {verdict} ({r['p99']:.1f} ms).")
    if args.json:
        print(json.dumps(runs, indent=2))


if __name__ == "__main__":
    main()
