"""The import's named exception: every problem found in a file, each naming file, line
(or observation), field and what was expected. Nothing was written when it is raised."""

from __future__ import annotations

from econ071.core.errors import DataError, Econ071Error

MAX_PROBLEMS = 20  # stop reading a broken file after this many problems


class ImportRefused(Econ071Error):
    "A file failed validation; the store was left as it was"

    def __init__(self, problems: list[DataError], more: bool = False):
        self.problems = tuple(problems)
        lines = [_short(str(p)) for p in problems]
        if more:
            lines.append(f"(stopped after {len(problems)} problems)")
        super().__init__("\n".join(lines))


def _short(line: str, limit: int = 400) -> str:
    """A message line that echoes a huge cell, shortened in the middle: the place and what
    was expected stay readable, and a terminal is not flooded."""
    if len(line) <= limit:
        return line
    return f"{line[:250]}… ({len(line) - 400:,} characters left out) …{line[-150:]}"


class Problems:
    """Collects problems while a file is read; gives up after MAX_PROBLEMS."""

    def __init__(self) -> None:
        self.items: list[DataError] = []

    def add(self, problem: DataError) -> None:
        self.items.append(problem)
        if len(self.items) >= MAX_PROBLEMS:
            raise ImportRefused(self.items, more=True)

    def raise_if_any(self) -> None:
        if self.items:
            raise ImportRefused(self.items)


def refuse(file: str, line: int | str | None, field: str | None, problem: str) -> ImportRefused:
    """One problem that stops the import at once (the file cannot be read further)."""
    return ImportRefused([DataError(file, line, field, problem)])
