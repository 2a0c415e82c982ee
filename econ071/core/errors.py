"""The engine's named exceptions. Their Dutch wording for users lives in templates/;
the analyst-facing ones (DataError, ImportError_) say file, line and field in English."""

from __future__ import annotations

from enum import IntEnum


class Econ071Error(Exception):
    "Base class of the engine's errors"


class DataError(Econ071Error):
    "A data or import file is malformed; names file, line (or observation) and field"

    def __init__(self, file: str, line: int | str | None, field: str | None, problem: str):
        self.file, self.line, self.field, self.problem = file, line, field, problem
        where = file
        if line is not None:
            where += f", line {line}" if isinstance(line, int) else f", {line}"
        if field:
            where += f", field '{field}'"
        super().__init__(f"{where}: {problem}")


class StoreError(Econ071Error):
    "The store cannot be opened or built"


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


class SettingsError(Exception):
    "A setting is missing or malformed; the message names the variable, never its value"
