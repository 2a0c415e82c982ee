"""Where the data files, the templates and the SQLite store live."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


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


def ops_db_path(store: Path | None = None) -> Path:
    """The operational database (question log, Slack deliveries, weekly-summary ledger):
    ECON071_OPS_DB, else ``<store stem>-ops.sqlite`` beside the store."""
    explicit = os.environ.get("ECON071_OPS_DB")
    if explicit:
        return Path(explicit).expanduser()
    store = store or db_path()
    return store.with_name(f"{store.stem}-ops.sqlite")


def log_key_path() -> Path:
    """The key file of the question log's pseudonyms: ECON071_LOG_KEY_FILE, else
    ``log.key`` in the user's config directory (never beside the store)."""
    explicit = os.environ.get("ECON071_LOG_KEY_FILE")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "econ071" / "log.key"
