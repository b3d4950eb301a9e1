"""One page of a long list, as plain data, read in one statement.

Lists that grow with a cohort (its people, a round's progress, an organisation's
candidates, the People page) show a page at a time. The total comes with the rows, from a
window function (``COUNT(*) OVER ()``), so a page costs one statement; only a page past the
end costs a second (it shows the last page instead, as every list here does).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Row, Select, func, select

from portfolio.extensions import db

T = TypeVar("T")
#: A select of any number of columns.
AnySelect = Select[*tuple[Any, ...]]

#: Rows per page of every long list.
PER_PAGE = 50


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its items, where it is, and how many there are in all."""

    items: tuple[T, ...]
    page: int
    per_page: int
    total: int

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def pages(self) -> int:
        """How many pages there are (0 when there is nothing to show)."""
        return math.ceil(self.total / self.per_page) if self.total else 0

    @property
    def has_prev(self) -> bool:
        """There is a page before this one."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """There is a page after this one."""
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        """The number of the page before, if any."""
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        """The number of the page after, if any."""
        return self.page + 1 if self.has_next else None

    @property
    def first(self) -> int:
        """The position of the first item on this page (1-based; 0 when empty)."""
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last(self) -> int:
        """The position of the last item on this page (0 when empty)."""
        return self.first + len(self.items) - 1 if self.items else 0


def read_page(
    query: AnySelect,
    page: int,
    make: Callable[[Sequence[Any]], T],
    *,
    per_page: int = PER_PAGE,
    extra: int = 0,
) -> tuple[Page[T], list[Row[Any]]]:
    """Page ``page`` of ``query`` (which must be ordered), built into items by ``make``.

    ``make`` receives each row without the columns this function adds. ``extra`` names how
    many further window columns the caller added at the end of ``query`` (totals over the
    whole list, such as how many have handed in); the raw rows are returned beside the page
    so the caller can read them.
    """
    page = max(page, 1)
    counted = query.add_columns(func.count().over().label("page_total"))
    rows = _rows(counted, page, per_page)
    if not rows and page > 1:
        total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        page = max(math.ceil((total or 0) / per_page), 1)
        rows = _rows(counted, page, per_page)
    width = len(rows[0]) - 1 - extra if rows else 0
    items = tuple(make(row[:width]) for row in rows)
    total = int(rows[0][-1]) if rows else 0
    return Page(items=items, page=page, per_page=per_page, total=total), rows


def _rows(query: AnySelect, page: int, per_page: int) -> list[Row[Any]]:
    return list(db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all())
