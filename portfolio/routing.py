"""URL converters shared by every blueprint."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

#: Ids are INTEGER columns: 32 bits, signed, on PostgreSQL.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:...>`` that refuses numbers no row can have, so the route answers 404.

    A larger number reached the database and failed there ("integer out of range" on
    PostgreSQL, OverflowError on SQLite): a 500 for a typo in the address bar.
    """

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Install the converters; call before any blueprint is registered."""
    app.url_map.converters["int"] = IdConverter
