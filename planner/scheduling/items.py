"""Items to place and what becomes of them: the item, where it went, why it fits nowhere, how a search ended."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from planner.plan.changes import raised_sequence
from planner.plan.model import Event
from planner.scheduling.requests import Request

if TYPE_CHECKING:
    from planner.scheduling.start_domains import Frame


@dataclass
class Item:
    """Something to place: a request, or (repair) an event that may move."""

    id: str
    title: str
    kind: str
    duration: int  # minutes
    venues: tuple[str, ...]
    windows: tuple[tuple[datetime, datetime], ...]
    delegations: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    one_of: tuple[tuple[str, ...], ...] = ()
    after: tuple[tuple[str, int], ...] = ()  # (plan event or item id, minimum gap in minutes)
    priority: int = 0
    required: bool = True
    attendance: int | None = None
    original: datetime | None = None  # repair: where the event is now
    event: Event | None = None  # repair: the event itself


@dataclass
class Placement:
    """Where and when an item went, and with whom (its people plus the one chosen of each group)."""

    item: Item
    start: datetime
    end: datetime
    venue: str
    people: tuple[str, ...]


@dataclass
class Blocker:
    """Why an item has no start at one venue (or at any): a layer that leaves nothing free."""

    what: str  # window, stay, closed, quiet, venue, golden_book, party, one_of, after, ...
    venue: str | None = None
    party: str | None = None  # a delegation or person id, or a one-of group's first member
    group: tuple[str, ...] = ()
    events: tuple[Event, ...] = ()
    detail: dict = field(default_factory=dict)


@dataclass
class Outcome:
    """How a search ended: the placements, or why there are none."""

    placements: list[Placement]
    unplaced: list[Item]  # optional items left out
    status: str  # optimal, feasible, infeasible, unknown
    objective: float | None = None
    bound: float | None = None
    seconds: float = 0.0
    stuck: dict[str, list[Blocker]] = field(default_factory=dict)  # item id -> why it fits nowhere alone
    timed_out: bool = False  # the wall-clock limit, not the work limit, ended it
    core: list[str] = field(default_factory=list)  # required items that cannot all be placed together
    frame: Frame | None = None


def to_event(placement: Placement, request: Request | None = None) -> Event:
    """The plan event of a placement: a new tentative event for a request; for a moved event
    the same event at its new time, its calendar sequence raised so that calendars update."""
    item = placement.item
    if item.event is not None:
        event = item.event
        if event.start == placement.start:
            return event
        return replace(
            event, start=placement.start, end=placement.start + (event.end - event.start), sequence=raised_sequence(event)
        )
    return Event(
        item.id,
        item.title,
        item.kind,
        placement.start,
        placement.end,
        placement.venue,
        item.delegations,
        placement.people,
        status="tentative",
        public=request.public if request else False,
        attendance=item.attendance,
        notes=request.notes if request else "",
    )


def item_of(request: Request) -> Item:
    """The item to place for a request (durations and gaps in whole minutes)."""
    return Item(
        request.id,
        request.title,
        request.kind,
        int(request.duration.total_seconds() // 60),
        request.venues,
        request.windows,
        request.delegations,
        request.people,
        request.one_of,
        tuple((a.id, int(a.gap.total_seconds() // 60)) for a in request.after),
        request.priority,
        request.required,
        request.attendance,
    )
