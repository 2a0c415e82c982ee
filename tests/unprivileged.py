"""Run the real ``econ071`` as a process that file permissions apply to, and with a cap
on the size of files it writes.

As root (CI containers, this machine), chmod 444 stops nobody: ``drop`` (a preexec_fn)
removes CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the child's capability bounding set
before it execs, so the child is root without the power to ignore permissions. As any
other user it does nothing. ``python unprivileged.py --fsize N cmd …`` runs ``cmd`` with
RLIMIT_FSIZE = N bytes: a write past it fails as on a disk that fills up.
"""

from __future__ import annotations

import ctypes
import functools
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2


def drop() -> None:
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@functools.cache
def works() -> bool:
    """Whether a child started with ``drop`` is really refused a read-only file."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "read-only"
        path.write_text("x")
        path.chmod(0o444)
        try:
            out = subprocess.run([sys.executable, "-c", f"open({str(path)!r}, 'a')"],
                                 capture_output=True, preexec_fn=drop, timeout=30)  # fmt: skip
        except (OSError, subprocess.SubprocessError):
            return False
        return out.returncode != 0 and b"PermissionError" in out.stderr


if __name__ == "__main__":
    if sys.argv[1] == "--fsize":
        limit = int(sys.argv[2])
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        os.execv(sys.argv[3], sys.argv[3:])
