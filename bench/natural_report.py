"""How far the engine understands the partners' natural questions (not a test).

Runs tests/questions/natural.csv through `Engine.ask` on a store built from data/ in a
temporary directory, and prints the pass rate overall, per category and per intent, the share
of answered lookups with the figure in the first two lines, the median reply length, and
(with --failures) what went wrong per question.

    python bench/natural_report.py [--category typo] [--intent rank_places] [--failures [N]]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from natural_corpus import failure_table, load, report, run, summarise  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--category", action="append", help="only this category (repeatable)")
    parser.add_argument("--intent", action="append", help="only this intent (repeatable)")
    parser.add_argument(
        "--failures", nargs="?", const=-1, type=int, default=0, metavar="N",
        help="list the failed questions (all, or the first N)",
    )  # fmt: skip
    args = parser.parse_args()

    rows = load()
    if args.category:
        rows = [r for r in rows if r.category in args.category]
    if args.intent:
        rows = [r for r in rows if r.intent in args.intent]
    if not rows:
        print("no questions match", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("ECON071_CACHE_DIR", str(Path(tmp) / "cache"))
        from econ071.answering.engine import Engine
        from econ071.store.build import build

        store = Path(tmp) / "econ071.sqlite"
        build(store, ROOT / "data")
        results = run(Engine(store), rows)

    print(report(summarise(results)))
    if args.failures:
        limit = None if args.failures < 0 else args.failures
        print("\nFailures:\n" + failure_table(results, limit))
    return 0


if __name__ == "__main__":
    sys.exit(main())
