"""Reading a CSV file in chunks with pandas, for the StatLine and tidy CSV readers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from indicators.importing.errors import refuse
from indicators.importing.sanity import guarded_csv


def chunks(path: Path, shown: str, rows: int, **options) -> Iterator[pd.DataFrame]:
    """``pd.read_csv(path, **options)`` in chunks of ``rows``, each indexed by the line
    numbers of its rows (the header is line 1; blank lines are counted, then left out).
    A file that cannot be read is refused, naming the line where that is known; so is a
    line too long to be a CSV row, before it is read whole (sanity.LineGuard)."""
    handle = guarded_csv(path, shown)
    reader = pd.read_csv(handle, chunksize=rows, encoding="utf-8-sig", engine="c",
                         skip_blank_lines=False, **options)  # fmt: skip
    line = 2
    try:
        for chunk in reader:
            chunk.index = pd.RangeIndex(line, line + len(chunk))
            line += len(chunk)
            first = chunk.iloc[:, 0]
            maybe = first.isna() | (first == "")  # only these can be blank lines
            if maybe.any():
                rows = chunk[maybe.to_numpy()]
                blank = (rows.isna() | (rows == "")).all(axis=1)
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
        handle.close()
