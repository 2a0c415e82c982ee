"""The engine's named exceptions. Their Dutch wording for users lives in templates/;
the analyst-facing ones (DataError, ImportError_) say file, line and field in English."""

from __future__ import annotations


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
