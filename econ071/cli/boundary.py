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
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from econ071.core.errors import ExitStatus
from econ071.store import health

log = logging.getLogger(__name__)


class Failure(click.ClickException):
    """A command's end as click prints it: ``Error: <message>``, then exit ``status``."""

    def __init__(self, message: str, status: ExitStatus) -> None:
        super().__init__(message)
        self.exit_code = int(status)


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


def failure(exc: BaseException) -> Failure | None:
    """The message and exit status for an exception; None for click's own (usage errors,
    --help, Ctrl-C), which click prints itself, and for unexpected errors under
    ECON071_DEBUG (the traceback, for whoever debugs)."""
    if isinstance(exc, click.exceptions.ClickException | click.exceptions.Exit
                  | click.exceptions.Abort | KeyboardInterrupt | SystemExit):  # fmt: skip
        return None
    message, status = health.describe(exc)
    if status == ExitStatus.INTERNAL and os.environ.get("ECON071_DEBUG"):
        return None
    return Failure(message, status)
