"""The fingerprint of data/: a cheap stat signature and the real content hash."""

from __future__ import annotations

import hashlib
from pathlib import Path


def _data_files(data_dir: Path) -> list[Path]:
    return sorted(p for p in data_dir.rglob("*.csv") if p.is_file())


def stat_signature(data_dir: Path) -> str:
    """A cheap fingerprint of data/ (names, sizes, mtimes): one stat per file."""
    h = hashlib.sha256()
    for path in _data_files(data_dir):
        st = path.stat()
        h.update(f"{path.relative_to(data_dir)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def content_hash(data_dir: Path) -> str:
    """The real fingerprint of data/: a hash of every file's name and bytes."""
    h = hashlib.sha256()
    for path in _data_files(data_dir):
        h.update(str(path.relative_to(data_dir)).encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()
