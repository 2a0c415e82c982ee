"""Resource problems of the store as messages: a full disk, a read-only file or directory,
a directory that cannot be created, a damaged (truncated, overwritten) store file.

``explain`` turns an sqlite3 or OS error into a ``StoreProblem`` (one line: what, where,
what to do); ``translated`` does that for a block of code. ``check`` looks at a store
file's header before SQLite opens it (cheap: 100 bytes and a stat), and ``damaged``
decides what to do with a damaged file: moved aside and rebuilt from data/ when nothing
imported or logged would be lost, else moved aside and the operator told.

Only the standard library here (this is on the question path).
"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from econ071.core import paths
from econ071.core.errors import Econ071Error, ExitStatus, SettingsError, StoreError

log = logging.getLogger(__name__)

FULL, READ_ONLY, NO_DIRECTORY, DAMAGED, BUSY, IO = (
    "full", "read_only", "no_directory", "damaged", "busy", "io",
)  # fmt: skip
SQLITE_HEADER = b"SQLite format 3\x00"
DAMAGED_SUFFIX = ".damaged-"  # econ071.sqlite.damaged-20261202T101500
# Tables whose rows exist nowhere else: a store holding any cannot simply be rebuilt.
_ONLY_HERE = ("imports", "questions", "summaries")


class StoreProblem(StoreError):
    """The store cannot be used as it is; ``kind`` says why (FULL, READ_ONLY, …)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


_SQLITE_KINDS = {
    13: FULL,  # SQLITE_FULL
    8: READ_ONLY,  # SQLITE_READONLY
    3: READ_ONLY,  # SQLITE_PERM
    11: DAMAGED,  # SQLITE_CORRUPT
    26: DAMAGED,  # SQLITE_NOTADB
    14: NO_DIRECTORY,  # SQLITE_CANTOPEN (refined below)
    10: IO,  # SQLITE_IOERR
    5: BUSY,  # SQLITE_BUSY
    6: BUSY,  # SQLITE_LOCKED
}
_OS_KINDS = {
    errno.ENOSPC: FULL,
    errno.EDQUOT: FULL,
    errno.EFBIG: FULL,
    errno.EACCES: READ_ONLY,
    errno.EPERM: READ_ONLY,
    errno.EROFS: READ_ONLY,
    errno.ENOENT: NO_DIRECTORY,
    errno.ENOTDIR: NO_DIRECTORY,
    errno.EIO: IO,
}


def limit_size(conn: sqlite3.Connection) -> None:
    """ECON071_STORE_MAX_MB caps the store's size (on a disk shared with other things):
    a write that would pass it fails as on a full disk, and is rolled back."""
    limit = os.environ.get("ECON071_STORE_MAX_MB")
    if not limit:
        return
    try:
        megabytes = float(limit)
    except ValueError:
        raise StoreError(f"ECON071_STORE_MAX_MB is {limit!r}; expected a number of "
                         "megabytes such as 500") from None  # fmt: skip
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {max(1, int(megabytes * 1e6 // page_size))}")


def sqlite_kind(exc: BaseException) -> str | None:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return None
    return _SQLITE_KINDS.get(code & 0xFF)


def explain(exc: BaseException, db_path: Path) -> StoreProblem | None:
    """The message for a resource error met while using the store at ``db_path``; None
    for anything else (a programming error stays what it is)."""
    if isinstance(exc, StoreProblem):
        return exc
    if isinstance(exc, sqlite3.Error):
        kind = sqlite_kind(exc)
        where, detail = db_path, str(exc)
        if kind == NO_DIRECTORY and db_path.parent.is_dir():
            kind = READ_ONLY  # CANTOPEN with the directory there: not allowed to open
    elif isinstance(exc, OSError):
        kind = _OS_KINDS.get(exc.errno)
        where = Path(exc.filename) if exc.filename else db_path
        detail = exc.strerror or str(exc)
    else:
        return None
    if kind is None:
        return None
    if kind == IO and _no_room(db_path):  # SQLite says "disk I/O error" where the disk is full
        kind = FULL
    return StoreProblem(kind, message(kind, where, detail, db_path))


def read_only_mount(db_path: Path) -> bool:
    """Whether the store's directory is on a file system mounted read-only."""
    try:
        return bool(os.statvfs(db_path.parent).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def open_uri(db_path: Path) -> tuple[str, bool]:
    """(database, uri) for sqlite3.connect: on a read-only mount the store is opened
    immutable (nobody can change it there, and SQLite could not make its -shm file)."""
    wal = Path(f"{db_path}-wal")
    pending = wal.exists() and wal.stat().st_size > 0  # immutable would not read it
    if read_only_mount(db_path) and db_path.exists() and not pending:
        return db_path.resolve().as_uri() + "?mode=ro&immutable=1", True
    return str(db_path), False


def _no_room(db_path: Path) -> bool:
    """Whether the disk holding the store has (next to) no room left."""
    folder = next((p for p in (db_path.parent, *db_path.parents) if p.is_dir()), None)
    try:
        st = os.statvfs(folder) if folder else None
    except OSError:
        return False
    return st is not None and st.f_bavail * st.f_frsize < (1 << 20)


def message(kind: str, where: Path, detail: str, db_path: Path) -> str:
    if kind == FULL:
        return (f"the disk holding {where} is full, or the store reached ECON071_STORE_MAX_MB "
                f"({detail}); nothing was written. Free some space (or raise the limit, or set "
                "ECON071_DB to a disk with room) and run the command again.")  # fmt: skip
    if kind == READ_ONLY and not _of_store(where, db_path):
        return (f"{where} cannot be read or written by this user ({detail}); check its "
                "permissions and run the command again.")  # fmt: skip
    if kind == READ_ONLY and read_only_mount(db_path):
        return (f"{where} is on a read-only file system ({detail}). Mount it read-write, or "
                "set ECON071_DB to a writable place.")  # fmt: skip
    if kind == READ_ONLY:
        return (f"{where} cannot be written by this user ({detail}). Make the store and its "
                "directory writable, or set ECON071_DB to a writable place.")  # fmt: skip
    if kind == NO_DIRECTORY and not _of_store(where, db_path):
        return f"{where} does not exist or cannot be reached ({detail}); check the path."
    if kind == NO_DIRECTORY:
        parent = where if where != db_path else db_path.parent
        return (f"the directory {parent} cannot be created ({detail}). "
                "Create it, or set ECON071_DB to a file in a writable directory.")  # fmt: skip
    if kind == BUSY:
        return (f"the store {db_path} is locked by another process ({detail}); run the "
                "command again when that one is done.")  # fmt: skip
    if kind == DAMAGED:
        return (f"the store {db_path} is damaged ({detail}). Restore it from a backup, or run "
                "'econ071 build' to move it aside (it is kept) and start a fresh store from "
                "data/, then import your files again.")  # fmt: skip
    return (f"the store {db_path} could not be read or written ({detail}); nothing was "
            "written. Check that its disk is not full or failing (df, dmesg) and run the "
            "command again.")  # fmt: skip


def _of_store(where: Path, db_path: Path) -> bool:
    """The store, its -wal/-shm/-journal files or a directory on its way."""
    return str(where).startswith(str(db_path)) or where in db_path.parents


@contextmanager
def translated(db_path: Path) -> Iterator[None]:
    """Resource errors inside the block become StoreProblem; everything else passes."""
    try:
        yield
    except (sqlite3.Error, OSError) as exc:
        problem = explain(exc, db_path)
        if problem is None:
            raise
        raise problem from exc


def make_directory(db_path: Path) -> None:
    """The store's directory, made when missing; StoreProblem when it cannot be."""
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        kind = FULL if exc.errno in (errno.ENOSPC, errno.EDQUOT) else NO_DIRECTORY
        where = Path(exc.filename) if exc.filename else db_path.parent
        raise StoreProblem(kind, message(kind, where, exc.strerror or str(exc), db_path)) from exc


# -- damaged store files ---------------------------------------------------------------


def check(db_path: Path) -> str | None:
    """Why the file at ``db_path`` cannot be a good store (not SQLite, truncated), or None.
    An empty file is a store never built: fine."""
    with translated(db_path):
        size = db_path.stat().st_size
        if size == 0:
            return None
        with db_path.open("rb") as fh:
            head = fh.read(100)
    if len(head) < 100 or not head.startswith(SQLITE_HEADER):
        return "it is not an SQLite database: its first bytes are not SQLite's header"
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    # The page count in the header is valid when the change counter matches. While a
    # checkpoint (WAL) or a commit (rollback journal) is under way, the file may briefly be
    # shorter than its header says: then SQLite itself decides.
    busy = any(_non_empty(Path(f"{db_path}{tail}")) for tail in ("-wal", "-journal"))
    if pages and head[24:28] == head[92:96] and size < pages * page_size and not busy:
        return f"it is truncated: {size} bytes, where its header says {pages * page_size}"
    return None


def _non_empty(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def held(db_path: Path) -> dict[str, int] | None:
    """How many rows of the tables that exist only in the store a damaged file holds, as
    far as it can still be read; None when that cannot be known."""
    counts = {}
    try:
        with closing(sqlite3.connect(f"file:{db_path}?mode=ro&immutable=1", uri=True)) as conn:
            conn.execute("PRAGMA writable_schema = ON")  # reads a truncated file as far as it goes
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            for table in _ONLY_HERE:
                if table in names:
                    counts[table] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
    except sqlite3.Error:
        return None
    return counts


def damaged_copies(db_path: Path) -> list[Path]:
    return sorted(p for p in db_path.parent.glob(f"{db_path.name}{DAMAGED_SUFFIX}*")
                  if not p.name.endswith(("-wal", "-journal")))  # fmt: skip


def move_aside(db_path: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    aside = db_path.with_name(f"{db_path.name}{DAMAGED_SUFFIX}{stamp}")
    with translated(db_path):
        db_path.rename(aside)
        for tail in ("-wal", "-journal"):
            extra = Path(f"{db_path}{tail}")
            if extra.exists():
                extra.rename(Path(f"{aside}{tail}"))
        Path(f"{db_path}-shm").unlink(missing_ok=True)
    return aside


def damaged(db_path: Path, reason: str, *, rebuild_anyway: bool = False) -> Path:
    """Deal with a damaged store file: move it aside. Return the new name when the store
    may be rebuilt from data/ (it held nothing that exists only there, or the operator
    asked for a build); raise StoreProblem telling the operator otherwise."""
    counts = held(db_path)
    aside = move_aside(db_path)
    lost = counts is None or any(counts.values())
    if not lost or rebuild_anyway:
        log.warning("the store %s was damaged (%s); %s. It is rebuilt from data/; the damaged "
                    "file is kept as %s.", db_path, reason,
                    "it held no imports and no logged questions" if not lost else
                    "a fresh store is built as asked", aside)  # fmt: skip
        return aside
    what = ("it may have held imported figures and logged questions, which cannot be read "
            "from it" if counts is None else
            ", ".join(f"{n} {t}" for t, n in counts.items() if n) + " would be lost")  # fmt: skip
    raise StoreProblem(
        DAMAGED,
        f"the store {db_path} is damaged ({reason}); {what}. It was moved aside to {aside}. "
        f"Restore the store from a backup (or try: sqlite3 {aside} .recover), or run "
        "'econ071 build' for a fresh store from data/ and import your files again.",
    )


def diagnose(db_path: Path) -> StoreProblem | None:
    """SQLite's quick_check of the store, for when reading it failed after it opened: a
    StoreProblem naming the first damage found, or None. Reads the whole file: only on
    an error path."""
    try:
        with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
            found = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        if sqlite_kind(exc) != DAMAGED:
            return None
        found = str(exc)
    if found == "ok":
        return None
    found = " ".join(found.replace("*** in database main ***", "").split())
    return StoreProblem(DAMAGED, message(DAMAGED, db_path, f"quick_check: {found}", db_path))


def missing_after_damage(db_path: Path) -> StoreProblem | None:
    """No store, but a damaged one was moved aside: a fresh store is not built silently
    (its imports would be gone unnoticed); the operator runs 'econ071 build'."""
    copies = damaged_copies(db_path)
    if not copies:
        return None
    return StoreProblem(
        DAMAGED,
        f"there is no store at {db_path}: a damaged one was moved aside to {copies[-1]}. "
        "Restore the store from a backup, or run 'econ071 build' for a fresh store from data/ "
        "and import your files again.",
    )


_BY_KIND = {  # econ071.store.health's kinds of StoreProblem
    "damaged": ExitStatus.DAMAGED,
    "full": ExitStatus.FULL,
    "read_only": ExitStatus.READ_ONLY,
    "no_directory": ExitStatus.NO_DIRECTORY,
    "busy": ExitStatus.BUSY,
    "io": ExitStatus.IO_ERROR,
}


def describe(exc: BaseException) -> tuple[str, ExitStatus]:
    """One line for what went wrong (what, where, what to do) and the exit status, for
    every front end's error boundary (the command line, the HTTP server's start-up)."""
    if isinstance(exc, sqlite3.Error | OSError):
        exc = explain(exc, paths.db_path()) or exc
    if isinstance(exc, StoreProblem):
        return (str(exc), _BY_KIND.get(exc.kind, ExitStatus.FAILED))
    if isinstance(exc, Econ071Error | SettingsError):
        # An error class may say its own status: ``exit_status = ExitStatus.UNAVAILABLE``.
        return (str(exc), ExitStatus(getattr(exc, "exit_status", ExitStatus.FAILED)))
    if isinstance(exc, sqlite3.Error):
        return (f"the store {paths.db_path()} could not be used ({exc}); run "
                       "'econ071 build' and try again", ExitStatus.IO_ERROR)  # fmt: skip
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return (f"{where}{exc.strerror or exc}", ExitStatus.IO_ERROR)
    if isinstance(exc, MemoryError):
        return ("ran out of memory; close other programs or use a machine with more "
                       "memory, and run the command again", ExitStatus.OUT_OF_MEMORY)  # fmt: skip
    text = str(exc).splitlines()[0][:200] if str(exc) else ""
    return (f"internal error ({type(exc).__name__}{': ' + text if text else ''}); "
                   "please report it (ECON071_DEBUG=1 shows where it happened)",
                   ExitStatus.INTERNAL)  # fmt: skip
