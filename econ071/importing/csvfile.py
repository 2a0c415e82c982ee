"""Reading a CSV file in chunks with pandas, for the StatLine and tidy CSV readers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from econ071.importing.errors import refuse
from econ071.importing.sanity import CHUNK_BYTES, CHUNK_BYTES_MAX, guarded_csv

FIRST_ROWS = 1000  # the first chunk, to learn how long the file's rows are


def chunks(path: Path, shown: str, rows: int, **options) -> Iterator[pd.DataFrame]:
    """``pd.read_csv(path, **options)`` in chunks of at most ``rows``, each indexed by the
    line numbers of its rows (the header is line 1; blank lines are counted, then left
    out). A file that cannot be read is refused, naming the line where that is known; so
    is a line too long to be a CSV row, before it is read whole (sanity.LineGuard).
    Memory is bounded by bytes, not rows: a chunk holds about CHUNK_BYTES of text (fewer
    rows when they are long), and never more than CHUNK_BYTES_MAX."""
    handle, guard = guarded_csv(path, shown)
    reader = pd.read_csv(handle, iterator=True, encoding="utf-8-sig", engine="c",
                         skip_blank_lines=False, **options)  # fmt: skip
    line = 2
    size = min(rows, FIRST_ROWS)
    try:
        while True:
            start = guard.budget_start = guard.read
            guard.budget, guard.budget_line = start + CHUNK_BYTES_MAX, line
            try:
                chunk = reader.get_chunk(size)
            except StopIteration:
                break
            per_row = (guard.read - start) / max(1, len(chunk))
            size = int(min(rows, max(100, CHUNK_BYTES // max(1.0, per_row))))
            chunk.index = pd.RangeIndex(line, line + len(chunk))
            line += len(chunk)
            first = chunk.iloc[:, 0]
            maybe = first.isna() | (first == "")  # only these can be blank lines
            if maybe.any():
                candidates = chunk[maybe.to_numpy()]
                blank = (candidates.isna() | (candidates == "")).all(axis=1)
                chunk = chunk.drop(index=blank.index[blank.to_numpy()])
            if len(chunk):
                yield chunk
    except pd.errors.ParserError as exc:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if m:
            raise refuse(shown, int(m.group(2)), None,
                         f"has {m.group(3)} fields; expected {m.group(1)} like the header") from None  # fmt: skip
        raise refuse(shown, None, None, f"cannot be read as CSV ({exc})") from None
    except UnicodeDecodeError as exc:
        raise refuse(shown, None, None, f"is not UTF-8 ({exc.reason})") from None
    finally:
        reader.close()
        handle.close()
