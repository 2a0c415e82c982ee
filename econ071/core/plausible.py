"""Which values can be true: the rules the seed build (data/) and every import share.

Standard library only: the store's build uses them without loading the importers.
"""

from __future__ import annotations

import re

# Counts that may be below zero: balances, changes, growth, corrections.
_SIGNED = re.compile(
    r"saldo|groei|mutatie|verander|toename|afname|verschil|overschot|ontwikkeling|netto|"
    r"balans|correctie|migratie|wijziging|stijging|daling|aanwas",
    re.IGNORECASE,
)


def never_negative(unit: str, title: str) -> bool:
    """A count of people, jobs or businesses (unit 'aantal') cannot be below zero; a
    balance or change ('Vestigingsoverschot', 'Bevolkingsgroei') can."""
    return unit == "aantal" and not _SIGNED.search(title or "")


def non_finite_message(text) -> str:
    """For a cell as written ('1e400') or as read (inf, nan)."""
    if isinstance(text, str):
        shown = repr(text)
    else:
        value = float(text)
        shown = "NaN" if value != value else f"{'-' if value < 0 else ''}infinite (beyond ±1.8e308)"
    return (f"is {shown}, which is not a finite number; expected a figure such as 124899 or "
            "8,5 (or '.' or an empty cell when it is not published)")  # fmt: skip
