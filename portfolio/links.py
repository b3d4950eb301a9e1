"""Links for long lists: one ``url_for`` per page, not one per row.

``url_for`` walks the URL map on every call; a table of a thousand rows with a link each
spends much of its time there. :func:`row_url` builds the address once with a marker where
the row's id goes and returns a :class:`RowUrl` that only joins strings per row::

    trainee_url = row_url("main.trainee", "user_id")
    trainee_url(42)  # "/trainees/42", the same as url_for("main.trainee", user_id=42)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import url_for

_MARKER = 987654321987  # an integer (the converters of id routes accept nothing else)


@dataclass(frozen=True)
class RowUrl:
    """The address of a row's page, built from a prefix and a suffix around its id."""

    prefix: str
    suffix: str

    def __call__(self, row_id: int) -> str:
        """The address for the row with ``row_id``."""
        return f"{self.prefix}{int(row_id)}{self.suffix}"


def row_url(endpoint: str, key: str, **values: Any) -> RowUrl:
    """The addresses of ``endpoint`` for every value of the integer argument ``key``."""
    values[key] = _MARKER
    url = url_for(endpoint, **values)
    prefix, found, suffix = url.rpartition(str(_MARKER))
    if not found:
        raise ValueError(f"{endpoint} does not put {key} in its path")
    return RowUrl(prefix, suffix)
