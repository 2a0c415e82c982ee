"""Read the objects of a JSON document's top-level ``"value"`` array one at a time, so that
an Observations file of any size is read in bounded memory. Standard library only: the
C-accelerated ``json`` scanner parses each object.

A truncated or malformed file raises ImportRefused naming the line where reading stopped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from indicators.importing.errors import refuse

BLOCK = 1 << 20  # characters read at a time
_WS = re.compile(r"[ \t\n\r]*")
_VALUE_KEY = re.compile(r'"value"\s*:\s*\[')


def iter_value_array(path: Path, shown: str) -> Iterator[dict]:
    decoder = json.JSONDecoder()
    with path.open("r", encoding="utf-8-sig") as fh:
        buf = ""
        pos = 0
        lines_before = 0  # newlines in the text already dropped from buf
        eof = False

        def more() -> bool:
            nonlocal buf, pos, lines_before, eof
            if eof:
                return False
            if pos > BLOCK:
                lines_before += buf.count("\n", 0, pos)
                buf, pos = buf[pos:], 0
            try:
                block = fh.read(BLOCK)
            except UnicodeDecodeError as exc:
                raise refuse(shown, None, None, f"is not UTF-8 ({exc.reason})") from None
            if not block:
                eof = True
                return False
            buf += block
            return True

        def line_at(index: int) -> int:
            return lines_before + buf.count("\n", 0, index) + 1

        while not (m := _VALUE_KEY.search(buf)):
            if not more():
                raise refuse(shown, None, "value", "is missing; expected the list of observations")
        pos = m.end()
        while True:
            pos = _WS.match(buf, pos).end()
            while pos >= len(buf):
                if not more():
                    raise refuse(shown, line_at(len(buf)), None,
                                 "ends inside the list of observations; the file is truncated")  # fmt: skip
                pos = _WS.match(buf, pos).end()
            if buf[pos] == "]":
                pos += 1
                while more():
                    pass
                if not buf[pos:].strip().endswith("}"):
                    raise refuse(shown, line_at(len(buf)), None,
                                 "ends before its closing '}'; the file is truncated")  # fmt: skip
                return
            while True:
                try:
                    obj, end = decoder.raw_decode(buf, pos)
                    break
                except json.JSONDecodeError as exc:
                    if more():
                        continue
                    raise refuse(shown, line_at(exc.pos), None,
                                 f"is not valid JSON ({exc.msg}); the file may be truncated") from None  # fmt: skip
            if not isinstance(obj, dict):
                raise refuse(
                    shown, line_at(pos), None, f"holds {obj!r} in the list; expected objects"
                )
            yield obj
            pos = _WS.match(buf, end).end()
            while pos >= len(buf) and more():
                pos = _WS.match(buf, pos).end()
            if pos < len(buf) and buf[pos] == ",":
                pos += 1
            elif pos < len(buf) and buf[pos] == "]":
                continue
            else:
                raise refuse(shown, line_at(min(pos, len(buf))), None,
                             "has no ',' or ']' after an observation; the file is truncated or "
                             "malformed")  # fmt: skip
