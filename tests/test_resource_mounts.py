"""A nearly full disk and a read-only mount, as real file systems: a tmpfs and a read-only
bind mount, in a mount namespace of their own (unshare -m), so nothing outside the test
sees them and they go when it ends. Skipped where mount namespaces are not allowed (the
same cases with SQLite's own limits run everywhere: tests/test_resource_errors.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner
from test_resource_errors import BIN, OBSERVATIONS, big_csv, checkpointed, one_line

from econ071.cli.boundary import ExitStatus
from econ071.cli.main import main


@pytest.fixture
def imported(fresh_store):
    """A store holding an import, checkpointed, every connection closed."""
    assert CliRunner().invoke(main, ["import", str(OBSERVATIONS)]).exit_code == 0
    return checkpointed(fresh_store)


MOUNTED = r"""
import hashlib, json, os, shutil, subprocess, sys
store, csv, fixture, where, econ071 = sys.argv[1:6]
os.makedirs(where + "/full", exist_ok=True)
os.makedirs(where + "/ro", exist_ok=True)
def sh(*args):
    subprocess.run(args, check=True)
def run(db, *args):
    env = {**os.environ, "ECON071_DB": db, "ECON071_CACHE_DIR": where + "/cache"}
    out = subprocess.run([econ071, *args], capture_output=True, text=True, env=env)
    return {"code": out.returncode, "out": out.stdout, "err": out.stderr}
def digest(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()
got = {}
sh("mount", "-t", "tmpfs", "-o", "size=%dk" % (os.path.getsize(store) // 1024 + 1024), "tmpfs", where + "/full")
db = where + "/full/econ071.sqlite"
shutil.copyfile(store, db)
with open(where + "/full/filler", "wb") as fh:  # leave about 120 KB
    free = os.statvfs(where + "/full").f_bavail * os.statvfs(where + "/full").f_frsize
    fh.write(b"\0" * max(0, free - 120 * 1024))
before = digest(db)
got["full_ask"] = run(db, "ask", "banen Leiden 2016")
got["full_import"] = run(db, "import", csv)
got["full_same"] = digest(db) == before
sh("mount", "--bind", os.path.dirname(store), where + "/ro")
sh("mount", "-o", "remount,ro,bind", where + "/ro")
db = where + "/ro/" + os.path.basename(store)
before = digest(db)
got["ro_ask"] = run(db, "ask", "banen Leiden 2016")
got["ro_import"] = run(db, "import", fixture)
got["ro_build"] = run(db, "build")
got["ro_same"] = digest(db) == before
print(json.dumps(got))
"""


def test_a_nearly_full_disk_and_a_read_only_mount(imported, tmp_path):
    if not shutil.which("unshare"):
        pytest.skip("no unshare")
    probe = subprocess.run(["unshare", "-m", "--propagation", "private", "true"],
                           capture_output=True)  # fmt: skip
    if probe.returncode != 0:
        pytest.skip("mount namespaces are not allowed here")
    csv = big_csv(tmp_path / "bevolking-99999ned.csv", 5_000)
    out = subprocess.run(
        ["unshare", "-m", "--propagation", "private", sys.executable, "-c", MOUNTED,
         str(imported), str(csv), str(OBSERVATIONS), str(tmp_path / "mnt"), str(BIN)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["full_ask"]["code"] == 0 and "67.537" in got["full_ask"]["out"]
    one_line(got["full_import"]["err"], ExitStatus.FULL, got["full_import"]["code"],
             "was not imported", "is full", "Free some space")  # fmt: skip
    assert got["full_same"]
    assert got["ro_ask"]["code"] == 0 and "67.537" in got["ro_ask"]["out"]
    for key in ("ro_import", "ro_build"):
        one_line(got[key]["err"], ExitStatus.READ_ONLY, got[key]["code"],
                 "is on a read-only file system", "ECON071_DB")  # fmt: skip
    assert got["ro_same"]
