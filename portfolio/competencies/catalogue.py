"""The database copy of the framework as plain data, read once per process and load.

The copy changes only when ``flask framework load`` (:func:`~portfolio.competencies.sync.
sync_framework`) runs, and every load stamps the version it brought the copy in line with
(``FrameworkVersion.loaded_at``). A page learns the stamp of the copy inside a statement it
runs anyway (:func:`stamp_columns`, two scalar subqueries on a table of a few rows) and asks
:func:`catalogue` for the copy with that stamp: the first request after a load reads the
competencies, elements and indicators again (three statements), every other one reads memory.
Another process loading the framework is seen on the next request, without a restart.

Retired items stay in the catalogue (flagged), since work that rated them shows them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote

from sqlalchemy import ScalarSelect, select

from portfolio.competencies.models import (
    BehaviouralElement,
    Competency,
    FrameworkVersion,
    Indicator,
    LocalizedText,
)
from portfolio.competencies.texts import localized
from portfolio.extensions import db

#: The latest load: the version's id and when it was loaded (both None before any load).
Stamp = tuple[int | None, datetime | None]


def stamp_columns() -> tuple[ScalarSelect[int], ScalarSelect[datetime]]:
    """The stamp of the current copy, as two columns to add to another statement."""
    latest = select(FrameworkVersion).order_by(
        FrameworkVersion.loaded_at.desc(), FrameworkVersion.id.desc()
    )
    return (
        latest.with_only_columns(FrameworkVersion.id).limit(1).scalar_subquery(),
        latest.with_only_columns(FrameworkVersion.loaded_at).limit(1).scalar_subquery(),
    )


@dataclass(frozen=True)
class CompetencyEntry:
    """A current competency, in framework order."""

    id: int
    key: str
    number: int
    name: LocalizedText
    #: Its current indicators (what a round asks to rate).
    total: int


@dataclass(frozen=True)
class IndicatorEntry:
    """A ratable item of the copy, current or retired, with its element's title."""

    id: int
    key: str
    competency_id: int
    element_id: int
    element_title: LocalizedText
    text: LocalizedText
    points: tuple[LocalizedText, ...]
    rated_as_whole: bool
    is_retired: bool


@dataclass(frozen=True)
class IndicatorText:
    """An indicator as a page in one language shows it: every text put into words."""

    id: int
    key: str
    element_id: int
    element_title: str
    text: str
    points: tuple[str, ...]
    rated_as_whole: bool
    is_retired: bool
    #: The key as a query-string value (``?indicator=…``).
    key_quoted: str


@dataclass(frozen=True)
class Catalogue:
    """The copy with one stamp: current competencies and every indicator, by competency."""

    stamp: Stamp
    competencies: tuple[CompetencyEntry, ...]
    #: Per competency id, its indicators (current and retired) in framework order.
    indicators: dict[int, tuple[IndicatorEntry, ...]]
    #: Indicator id → the competency it belongs to.
    competency_of: dict[int, int]
    #: Ids of the current indicators.
    current: frozenset[int]
    _texts: dict[tuple[int, str], tuple[IndicatorText, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def texts(self, competency_id: int, language: str) -> tuple[IndicatorText, ...]:
        """The competency's indicators in ``language`` (made once per language)."""
        key = (competency_id, language)
        found = self._texts.get(key)
        if found is None:
            found = tuple(
                IndicatorText(
                    id=i.id,
                    key=i.key,
                    element_id=i.element_id,
                    element_title=localized(i.element_title, language),
                    text=localized(i.text, language),
                    points=tuple(localized(p, language) for p in i.points),
                    rated_as_whole=i.rated_as_whole,
                    is_retired=i.is_retired,
                    key_quoted=quote(i.key, safe="/"),
                )
                for i in self.indicators.get(competency_id, ())
            )
            self._texts[key] = found
        return found


_lock = threading.Lock()
_cached: Catalogue | None = None


def catalogue(stamp: Stamp) -> Catalogue:
    """The copy of the framework with ``stamp`` (read from the database once per stamp)."""
    global _cached
    found = _cached
    if found is not None and found.stamp == stamp:
        return found
    fresh = _read(stamp)
    with _lock:
        _cached = fresh
    return fresh


def clear() -> None:
    """Forget the copy (tests that change framework rows by hand)."""
    global _cached
    with _lock:
        _cached = None


def _read(stamp: Stamp) -> Catalogue:
    competencies = db.session.execute(
        select(Competency.id, Competency.key, Competency.number, Competency.name)
        .where(Competency.retired_at.is_(None))
        .order_by(Competency.number)
    ).all()
    titles = dict(
        (eid, title)
        for eid, title in db.session.execute(
            select(BehaviouralElement.id, BehaviouralElement.title)
        )
    )
    rows = db.session.execute(
        select(
            Indicator.id,
            Indicator.key,
            Indicator.competency_id,
            Indicator.element_id,
            Indicator.text,
            Indicator.points,
            Indicator.rated_as_whole,
            Indicator.retired_at,
        ).order_by(Indicator.position)
    ).all()
    indicators: dict[int, list[IndicatorEntry]] = {}
    for iid, key, cid, eid, text, points, whole, retired_at in rows:
        indicators.setdefault(cid, []).append(
            IndicatorEntry(
                id=iid,
                key=key,
                competency_id=cid,
                element_id=eid,
                element_title=titles.get(eid) or {},
                text=text,
                points=tuple(points or ()),
                rated_as_whole=bool(whole),
                is_retired=retired_at is not None,
            )
        )
    current = frozenset(i.id for group in indicators.values() for i in group if not i.is_retired)
    return Catalogue(
        stamp=stamp,
        competencies=tuple(
            CompetencyEntry(
                cid,
                key,
                number,
                name,
                sum(1 for i in indicators.get(cid, ()) if not i.is_retired),
            )
            for cid, key, number, name in competencies
        ),
        indicators={cid: tuple(group) for cid, group in indicators.items()},
        competency_of={i.id: cid for cid, group in indicators.items() for i in group},
        current=current,
    )
