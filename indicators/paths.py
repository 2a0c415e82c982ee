"""Where the data files, the templates and the SQLite store live."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """The tidy figure files and the catalog (ECON071_DATA_DIR overrides)."""
    return Path(os.environ.get("ECON071_DATA_DIR") or PROJECT_ROOT / "data")


def templates_dir() -> Path:
    """The Jinja2 templates of the Dutch replies."""
    return Path(os.environ.get("ECON071_TEMPLATES_DIR") or PROJECT_ROOT / "templates")


def db_path() -> Path:
    """The SQLite store: ECON071_DB, else a file in the user's data directory.

    The default lies outside the source tree so that a checkout stays clean and
    several checkouts of the same user share imported figures.
    """
    explicit = os.environ.get("ECON071_DB")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "econ071" / "econ071.sqlite"


def cache_dir() -> Path:
    """Compiled templates and other throw-away speed-ups (ECON071_CACHE_DIR overrides)."""
    explicit = os.environ.get("ECON071_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "econ071"
