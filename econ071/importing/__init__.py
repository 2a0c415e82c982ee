"""Importing figures from CBS exports (OData v4 JSON, StatLine CSV) and the project's own
tidy CSV into the store, beside the seed figures.

    from econ071.importing import import_file
    result = import_file(db_path, Path("downloads/03759ned"))

This subpackage may use pandas (for chunked CSV reading); the question path never imports
it. Importing ``econ071.importing`` itself is cheap: the readers load lazily.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from econ071.importing.errors import ImportRefused

if TYPE_CHECKING:
    from econ071.importing.load import ImportResult

__all__ = ["ImportRefused", "ImportResult", "import_file"]


def import_file(*args, **kwargs) -> ImportResult:
    """See :func:`econ071.importing.load.import_file`."""
    from econ071.importing.load import import_file as _import_file

    return _import_file(*args, **kwargs)
