"""The command line's one error boundary: every exception that ends a command becomes one
line on stderr (what, where, what to do) and an exit status, never a traceback.

``Guarded`` is the click group of ``econ071``: every command added to it is guarded
(``main.add_command(sync)`` is all a new command needs). ``guarded`` does the same for a
command used on its own. An Econ071Error subclass chooses its status with a class
attribute ``exit_status`` (default FAILED). Set ECON071_DEBUG=1 to get the traceback of an
unexpected error.
"""

from __future__ import annotations

import functools
import logging
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import IntEnum

import click

log = logging.getLogger(__name__)


class ExitStatus(IntEnum):
    """What ``econ071``'s exit status means (README, "Troubleshooting")."""

    OK = 0
    FAILED = 1  # refused input, a wrong setting, a post that failed: the message says which
    USAGE = 2  # a wrong option or argument (click)
    DAMAGED = 3  # the store file is damaged
    FULL = 4  # the disk (or the store's size limit) is full
    READ_ONLY = 5  # the store or its directory cannot be written
    NO_DIRECTORY = 6  # a directory that does not exist and cannot be created
    BUSY = 7  # the store is locked by another process: try again
    IO_ERROR = 8  # the disk could not be read or written
    OUT_OF_MEMORY = 9
    UNAVAILABLE = 10  # a service the command needs (CBS, Slack) cannot be reached
    INTERNAL = 70  # a bug: please report it


_BY_KIND = {  # indicators.health's kinds of StoreProblem
    "damaged": ExitStatus.DAMAGED,
    "full": ExitStatus.FULL,
    "read_only": ExitStatus.READ_ONLY,
    "no_directory": ExitStatus.NO_DIRECTORY,
    "busy": ExitStatus.BUSY,
    "io": ExitStatus.IO_ERROR,
}


class Failure(click.ClickException):
    """A command's end as click prints it: ``Error: <message>``, then exit ``status``."""

    def __init__(self, message: str, status: ExitStatus) -> None:
        super().__init__(message)
        self.exit_code = int(status)


def failure(exc: BaseException) -> Failure | None:
    """The message and exit status for an exception; None for click's own (usage errors,
    --help, Ctrl-C), which click prints itself."""
    if isinstance(exc, click.exceptions.ClickException | click.exceptions.Exit
                  | click.exceptions.Abort | KeyboardInterrupt | SystemExit):  # fmt: skip
        return None
    # Imported here, not at start-up: ``econ071 ask`` should not wait for them.
    from bot.settings import SettingsError
    from indicators import health, paths
    from indicators.errors import Econ071Error

    if isinstance(exc, sqlite3.Error | OSError):
        exc = health.explain(exc, paths.db_path()) or exc
    if isinstance(exc, health.StoreProblem):
        return Failure(str(exc), _BY_KIND.get(exc.kind, ExitStatus.FAILED))
    if isinstance(exc, Econ071Error | SettingsError):
        # An error class may say its own status: ``exit_status = ExitStatus.UNAVAILABLE``.
        return Failure(str(exc), ExitStatus(getattr(exc, "exit_status", ExitStatus.FAILED)))
    if isinstance(exc, sqlite3.Error):
        return Failure(f"the store {paths.db_path()} could not be used ({exc}); run "
                       "'econ071 build' and try again", ExitStatus.IO_ERROR)  # fmt: skip
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return Failure(f"{where}{exc.strerror or exc}", ExitStatus.IO_ERROR)
    if isinstance(exc, MemoryError):
        return Failure("ran out of memory; close other programs or use a machine with more "
                       "memory, and run the command again", ExitStatus.OUT_OF_MEMORY)  # fmt: skip
    if os.environ.get("ECON071_DEBUG"):
        return None  # the traceback, for whoever debugs
    text = str(exc).splitlines()[0][:200] if str(exc) else ""
    return Failure(f"internal error ({type(exc).__name__}{': ' + text if text else ''}); "
                   "please report it (ECON071_DEBUG=1 shows where it happened)",
                   ExitStatus.INTERNAL)  # fmt: skip


@contextmanager
def boundary() -> Iterator[None]:
    try:
        yield
    except BaseException as exc:
        mapped = failure(exc)
        if mapped is None:
            raise
        log.debug("command failed", exc_info=True)
        raise mapped from None


def guarded(command):
    """Decorator: run a click callback inside the boundary."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        with boundary():
            return command(*args, **kwargs)

    return run


class _OneLine(logging.Formatter):
    """Warnings and errors of a command, when nothing else configured logging: one line
    each, without the traceback (ECON071_DEBUG=1 keeps it)."""

    def format(self, record: logging.LogRecord) -> str:
        if os.environ.get("ECON071_DEBUG"):
            return super().format(record)
        return f"econ071: {record.getMessage()}"


class _Stderr(logging.StreamHandler):
    """sys.stderr as it is when a record is written (click's test runner swaps it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


_last_resort = _Stderr()
_last_resort.setLevel(logging.WARNING)
_last_resort.setFormatter(_OneLine("econ071: %(message)s"))


class Guarded(click.Group):
    """A click group whose commands all run inside the boundary."""

    def invoke(self, ctx: click.Context):
        # Used only while no logging is configured (``serve`` configures its own).
        logging.lastResort = _last_resort
        with boundary():
            return super().invoke(ctx)
