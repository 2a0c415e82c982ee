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

from econ071.importing.errors import refuse
from econ071.importing.sanity import MAX_JSON_OBJECT, nesting_refusal

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
            if len(buf) > MAX_JSON_OBJECT:
                raise refuse(shown, None, "value",
                             f"is not in the first {MAX_JSON_OBJECT:,} characters; expected the "
                             "list of observations near the start")  # fmt: skip
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
                # The rest may hold only the closing '}' (and links): read it in blocks,
                # keeping the end, not all of it.
                tail, lines = buf[pos + 1 :], lines_before + buf.count("\n", 0, pos + 1)
                while block := fh.read(BLOCK):
                    lines += tail.count("\n")
                    tail = (tail + block)[-4096:]
                    lines -= tail.count("\n")
                if not tail.strip().endswith("}"):
                    raise refuse(shown, lines + tail.count("\n") + 1, None,
                                 "ends before its closing '}'; the file is truncated")  # fmt: skip
                return
            while True:
                try:
                    obj, end = decoder.raw_decode(buf, pos)
                    break
                except RecursionError:
                    raise nesting_refusal(shown, line_at(pos)) from None
                except json.JSONDecodeError as exc:
                    # Cut off by the end of what was read (or a string that runs on): read
                    # more, up to a bound; anything else is an error where it is.
                    cut = exc.pos >= len(buf) - 1 or exc.msg.startswith("Unterminated string")
                    if cut and len(buf) - pos <= MAX_JSON_OBJECT and more():
                        continue
                    if cut and not eof:
                        raise refuse(shown, line_at(pos), None,
                                     f"holds an observation longer than {MAX_JSON_OBJECT:,} "
                                     "characters, or one that never ends; expected observations "
                                     "of a few fields") from None  # fmt: skip
                    raise refuse(shown, line_at(exc.pos), None,
                                 f"is not valid JSON ({exc.msg}); the file may be truncated") from None  # fmt: skip
                except ValueError as exc:  # a number of thousands of digits
                    raise refuse(shown, line_at(pos), None,
                                 f"holds a number too long to be a figure ({exc})") from None  # fmt: skip
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
