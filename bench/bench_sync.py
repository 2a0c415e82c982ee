"""Benchmark the CBS sync (not a test).

Generates a CBS OData v4 table of 1,000,000 observations (the ten regions the sync asks
for × 25 years × 2 measures × 2,000 categories of a third dimension) as a folder of entity
sets with the observations in pages of 10,000, and times, side by side and alternating
(``--rounds``, median of each), each as a process of its own on a fresh copy of the store:

- ``econ071 sync 99999NED`` against a local stand-in of CBS's API serving that folder
  (Properties, metadata, 100 pages through ``@odata.nextLink``), then the import;
- ``econ071 import`` of the same folder from disk (the baseline);

and reports the ratio of the medians (target <= 2x) and the peak RSS of both.

    python bench/bench_sync.py [--observations 1000000] [--rounds 3]
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
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
TABLE = "99999NED"
REGIONS = ["GM0537", "GM0546", "GM0547", "GM0579", "GM0626", "GM0638", "NL01", "PV28", "CR25",
           "AM19"]  # fmt: skip
PAGE = 10_000

IMPORT = """
import json, resource, sys, time
from pathlib import Path
from econ071.importing import import_file
t = time.perf_counter()
r = import_file(Path(sys.argv[1]), Path(sys.argv[2]))
print(json.dumps({"seconds": time.perf_counter() - t, "added": r.added,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
SYNC = """
import json, resource, sys, time
from pathlib import Path
from econ071.sync.client import Settings
from econ071.sync.run import sync
t = time.perf_counter()
[o] = sync(Path(sys.argv[1]), [sys.argv[3]], settings=Settings(base_url=sys.argv[2]))
assert o.ok, o.message
print(json.dumps({"seconds": time.perf_counter() - t, "added": o.added,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def context(entity: str) -> str:
    return f"https://datasets.cbs.nl/odata/v1/CBS/{TABLE}/$metadata#{entity}"


def generate(folder: Path, observations: int) -> tuple[dict[str, bytes], list[bytes]]:
    """The table's entity sets (name -> JSON bytes) and its observation pages."""
    years = [f"{y}JJ00" for y in range(2000, 2025)]
    measures = ["M000001", "M000002"]
    per = -(-observations // (len(REGIONS) * len(years) * len(measures)))
    categories = [f"C{i:05d}" for i in range(per)]
    docs = {
        "Properties": {"@odata.context": context("Properties"), "Identifier": TABLE,
                       "Title": "Gegenereerde tabel voor de benchmark", "Version": "202601010000",
                       "ObservationsModified": "2026-01-01T00:00:00+01:00",
                       "ReleaseDate": "2026-01-01T00:00:00+01:00", "Status": "Regulier",
                       "License": "https://creativecommons.org/licenses/by/4.0/"},
        "Dimensions": {"@odata.context": context("Dimensions"), "value": [
            {"Identifier": "Categorie", "Title": "Categorie", "Kind": "Dimension"},
            {"Identifier": "RegioS", "Title": "Regio's", "Kind": "GeoDimension"},
            {"Identifier": "Perioden", "Title": "Perioden", "Kind": "TimeDimension"}]},
        "MeasureCodes": {"@odata.context": context("MeasureCodes"), "value": [
            {"Identifier": m, "Index": i, "Title": f"Maat {i}", "Unit": "aantal",
             "Description": "", "PresentationType": "Absolute"}
            for i, m in enumerate(measures, 1)]},
        "CategorieCodes": {"@odata.context": context("CategorieCodes"), "value": [
            {"Identifier": c, "Index": i, "Title": "Totaal" if i == 1 else f"Categorie {i}"}
            for i, c in enumerate(categories, 1)]},
        "RegioSCodes": {"@odata.context": context("RegioSCodes"), "value": [
            {"Identifier": r, "Index": i, "Title": r, "Description": ""}
            for i, r in enumerate(REGIONS, 1)]},
        "PeriodenCodes": {"@odata.context": context("PeriodenCodes"), "value": [
            {"Identifier": y, "Index": i, "Title": y[:4], "Status": "Definitief"}
            for i, y in enumerate(years, 1)]},
    }  # fmt: skip
    entities = {name: json.dumps(doc).encode() for name, doc in docs.items()}
    for name, body in entities.items():
        (folder / f"{name}.json").write_bytes(body)
    pages, page, n = [], [], 0
    for c in categories:
        for r in REGIONS:
            for m in measures:
                for y in years:
                    if n == observations:
                        break
                    page.append({"Id": n, "Measure": m, "ValueAttribute": "None",
                                 "Value": (n * 7919) % 100_000, "StringValue": None,
                                 "Categorie": c, "RegioS": r, "Perioden": y})  # fmt: skip
                    n += 1
                    if len(page) == PAGE:
                        pages.append(page)
                        page = []
    if page:
        pages.append(page)
    bodies = []
    for i, values in enumerate(pages):
        doc = {"@odata.context": context("Observations"), "value": values}
        if i + 1 < len(pages):
            doc["@odata.nextLink"] = f"NEXT?$skip={(i + 1) * PAGE}"
        body = json.dumps(doc).encode()
        (folder / f"Observations-{i:05d}.json").write_bytes(body)
        bodies.append(body)
    return entities, bodies


def serve(entities: dict[str, bytes], pages: list[bytes]) -> tuple[ThreadingHTTPServer, str]:
    """CBS's API for the generated table: metadata and the pages, nextLink by $skip."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            split = urlsplit(self.path)
            entity = split.path.rstrip("/").rsplit("/", 1)[-1]
            if entity == "Observations":
                skip = int(parse_qs(split.query).get("$skip", ["0"])[0])
                body = pages[skip // PAGE].replace(b"NEXT?", f"{base}/Observations?".encode())
            elif entity in entities:
                body = entities[entity]
            else:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}/odata/v1/CBS/{TABLE}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/odata/v1"


def child(code: str, *args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         env=env, check=True).stdout  # fmt: skip
    result = json.loads(out.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - started
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--observations", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from econ071.store.build import build

    with tempfile.TemporaryDirectory(prefix="econ071-bench-sync-") as tmp:
        tmp = Path(tmp)
        folder = tmp / TABLE
        folder.mkdir()
        entities, pages = generate(folder, args.observations)
        seed = tmp / "seed.sqlite"
        build(seed, ROOT / "data")
        server, url = serve(entities, pages)
        synced, imported = [], []
        try:
            for r in range(args.rounds):
                for name, runs, code, extra in (("sync", synced, SYNC, (url, TABLE)),
                                                ("import", imported, IMPORT, (str(folder),))):  # fmt: skip
                    db = tmp / f"{name}-{r}.sqlite"
                    shutil.copyfile(seed, db)
                    result = child(code, str(db), *extra)
                    assert result["added"] >= args.observations, result
                    runs.append(result)
                    db.unlink()
                    print(
                        f"round {r + 1} {name}: {result['wall']:.2f} s,"
                        f" peak RSS {result['peak_rss_mb']:.0f} MiB",
                        flush=True,
                    )
        finally:
            server.shutdown()
        s = statistics.median(x["wall"] for x in synced)
        i = statistics.median(x["wall"] for x in imported)
        print(f"\n{args.observations:,} observations, {len(pages)} pages, medians of {args.rounds}:"
              f" sync {s:.2f} s vs import from disk {i:.2f} s = {s / i:.2f}×;"
              f" peak RSS sync {max(x['peak_rss_mb'] for x in synced):.0f} MiB,"
              f" import {max(x['peak_rss_mb'] for x in imported):.0f} MiB")  # fmt: skip


if __name__ == "__main__":
    main()
