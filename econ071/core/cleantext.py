"""Clean text out: what a user typed never reaches a terminal or Slack as control codes.

``clean`` is the one function every echo goes through (Slack answers through
``render.slack_escape``, the terminal through ``render``'s plain mode, the question log's
terminal, JSON and CSV output in ``econ071 vragen``):

- control characters (C0, DEL, C1; Unicode category Cc) are made visible: ESC becomes
  ``␛`` (the Control Pictures of U+2400–U+2421), a C1 control ``�``; so ``\\x1b[2J`` is
  shown as ``␛[2J`` and executes nothing;
- format characters (Cf: bidirectional overrides, embeddings and isolates, zero-width
  spaces and joiners, the BOM, invisible operators, tag characters) are removed: they
  only reorder or hide text;
- lone surrogates (Cs) become ``�``; line and paragraph separators (U+2028, U+2029) a
  line break;
- ``\\n`` and ``\\t`` stay (``newlines=True``, the default) or become ``␤`` and a space.

Text without any of these (``str.isprintable``, in C) is returned as it is, so the
common case costs next to nothing.
"""

from __future__ import annotations

import unicodedata

_PICTURES = {c: chr(0x2400 + c) for c in range(0x20)} | {0x7F: "\u2421"}
REPLACEMENT = "\ufffd"
# Harmless characters str.isprintable() still calls unprintable: the spaces of category
# Zs (no-break, thin, …), and in multi-line text the line break and tab. Deleting them
# with str.translate (in C) before the check keeps ordinary text on the fast path.
_SPACES = "\u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u202f\u205f\u3000"
_HARMLESS = {True: str.maketrans("", "", _SPACES + "\n\t"), False: str.maketrans("", "", _SPACES)}


def _char(ch: str, newlines: bool) -> str:
    if ch.isprintable() or ch == " ":
        return ch
    if ch == "\n" or ch in "\u2028\u2029\x85":
        return "\n" if newlines else "\u2424"
    if ch == "\t":
        return "\t" if newlines else " "
    category = unicodedata.category(ch)
    if category == "Cc":
        return _PICTURES.get(ord(ch), REPLACEMENT)
    if category == "Cf":
        return ""
    if category == "Cs":
        return REPLACEMENT
    return ch  # spaces (Zs), private use, unassigned: shown as they are


def clean(text: str, *, newlines: bool = True) -> str:
    """``text`` with control characters made visible and format characters removed."""
    if text.isprintable() or text.translate(_HARMLESS[newlines]).isprintable():
        return text
    return "".join([_char(ch, newlines) for ch in text])
