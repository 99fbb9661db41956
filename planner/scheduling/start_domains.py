"""Where an item may start, venue by venue: the fixed plan on a minute axis and each start domain, layer by layer.

* Time is whole minutes from an origin; a start lies on a grid of `step` minutes (5 by
  default, the times people write down).
* Everything that does not depend on other placed items is folded into each item's *start
  domain*, per candidate venue: its windows, its delegations' stay, the venue's opening hours
  and quiet hours, the fixed events at the venue (with the changeover), other Golden Book
  signings (one book), `after` on plan events, and for every party (delegation or person) the
  fixed events of that party with the travel time from the one directly before and to the one
  directly after, exactly as `check` orders them. A person of a "one of" group adds their
  domain only when chosen (`planner.scheduling.sat_model` does that).
* What rules out a venue whatever the time (no Golden Book, too small, never open) is found
  before any domain is built.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from planner.plan.clock import ONE_DAY, WallClock, from_micros, micros, zone_named
from planner.plan.model import RULES, Event, Plan, Venue
from planner.plan.travel import TravelTimes
from planner.scheduling.items import Blocker, Item

STEP = 5
MICROS_PER_MINUTE = 60_000_000


# ---------------------------------------------------------------------------------------------
# Sets of whole minutes, as sorted disjoint closed intervals (OR-Tools domains).

if TYPE_CHECKING:
    # OR-Tools ships stubs for `ortools.util.python.sorted_interval_list` but no py.typed there,
    # so mypy sees `cp_model.Domain` as Any. This is the part of those stubs used here.
    class Domain:
        def __init__(self, arg0: int, arg1: int) -> None: ...
        @staticmethod
        def from_intervals(intervals: list[list[int]]) -> Domain: ...
        def complement(self) -> Domain: ...
        def contains(self, value: int) -> bool: ...
        def flattened_intervals(self) -> list[int]: ...
        def intersection_with(self, domain: Domain) -> Domain: ...
        def union_with(self, domain: Domain) -> Domain: ...
        def is_empty(self) -> bool: ...
        def is_included_in(self, domain: Domain) -> bool: ...
else:
    Domain = cp_model.Domain

EVERYTHING = Domain(-(2**40), 2**40)
NOTHING = Domain.from_intervals([])


def _open(low: float, high: float) -> list[int] | None:
    """The whole numbers strictly between `low` and `high`."""
    a, b = math.floor(low) + 1, math.ceil(high) - 1
    return [a, b] if a <= b else None


def _closed(low: float, high: float) -> list[int] | None:
    """The whole numbers from `low` to `high`, both included."""
    a, b = math.ceil(low), math.floor(high)
    return [a, b] if a <= b else None


def _span(low: int, high: int) -> list[int] | None:
    return [low, high] if low <= high else None


def _allowed(pairs: Iterable[list[int] | None]) -> Domain:
    return Domain.from_intervals([p for p in pairs if p is not None])


def _without(domain: Domain, forbidden: Iterable[list[int] | None]) -> Domain:
    parts = [p for p in forbidden if p is not None]
    if not parts:
        return domain
    return domain.intersection_with(Domain.from_intervals(parts).complement())


# ---------------------------------------------------------------------------------------------


@dataclass
class _Fixed:
    start: float
    end: float
    venue: str | None
    event: Event


class Frame:
    """The fixed part of the plan on a minute axis, indexed by party, venue and Golden Book."""

    def __init__(self, plan: Plan, fixed: list[Event], origin: datetime, *, step: int = STEP):
        self.plan = plan
        self.step = step
        self.clock = WallClock(zone_named(plan.timezone, "timezone"))
        self.travel = TravelTimes(plan)
        self.origin = micros(origin)
        rules = plan.rules
        self.on = {rule: rule not in rules.disabled for rule in RULES}
        # Rules that are warnings by default but that placement holds anyway (the issue asks for
        # travel and changeover); the others only when the plan makes them errors.
        self.hard = {
            rule: on and (rule in ("travel_time", "changeover") or rules.severity_of(rule) == "error")
            for rule, on in self.on.items()
        }
        #: Rules placement holds although the plan calls them warnings: an event that repair
        #: leaves where it is need not gain what it lacked under them.
        self.soft = {rule: self.hard[rule] and rules.severity_of(rule) != "error" for rule in ("travel_time", "changeover")}
        by_party: dict[str, list[_Fixed]] = defaultdict(list)
        by_venue: dict[str, list[_Fixed]] = defaultdict(list)
        golden: list[_Fixed] = []
        ordered = sorted((e for e in fixed if e.status != "cancelled"), key=lambda e: (e.start, e.end, e.id))
        for event in ordered:
            entry = _Fixed(self.minute(event.start), self.minute(event.end), event.venue, event)
            for party in (*event.delegations, *event.people):
                by_party[party].append(entry)
            if event.venue:
                by_venue[event.venue].append(entry)
            if event.kind == "golden_book":
                golden.append(entry)
        self.by_party = {k: (v, [f.start for f in v]) for k, v in by_party.items()}
        self.by_venue = {k: (v, [f.start for f in v]) for k, v in by_venue.items()}
        self.golden = (golden, [f.start for f in golden])
        self.events = {e.id: e for e in fixed}
        self._minutes: dict[tuple[str, str], int] = {}

    def minute(self, instant: datetime) -> float:
        return (micros(instant) - self.origin) / MICROS_PER_MINUTE

    def instant(self, minute: int) -> datetime:
        return from_micros(self.origin + minute * MICROS_PER_MINUTE)

    def trip(self, source: str | None, target: str | None) -> int:
        """Whole minutes of travel (rounded up: a gap equal to the travel time is enough)."""
        if not source or not target or source == target or not self.hard["travel_time"]:
            return 0
        key = (source, target)
        found = self._minutes.get(key)
        if found is None:
            found = self._minutes[key] = math.ceil(self.travel.minutes(source, target) - 1e-9)
        return found

    def near(self, index: tuple[list[_Fixed], list[float]], low: float, high: float, pad: float) -> list[_Fixed]:
        """Fixed entries that start before `high + pad`, from the last one starting before
        `low - pad` on (so the one directly before is included)."""
        entries, starts = index
        first = max(0, bisect.bisect_left(starts, low - pad) - 1)
        last = bisect.bisect_right(starts, high + pad) + 1
        return entries[first:last]

    def span(self, item: Item) -> tuple[float, float]:
        """The first minute of the item's earliest window and the last of its latest."""
        return min(self.minute(a) for a, _ in item.windows), max(self.minute(b) for _, b in item.windows)

    def days(self, low: float, high: float) -> Iterator[date]:
        """Local dates from a day before `low` to a day after `high`."""
        first = self.clock.local_date(self.instant(math.floor(low))) - ONE_DAY
        last = self.clock.local_date(self.instant(math.ceil(high))) + ONE_DAY
        day = first
        while day <= last:
            yield day
            day += ONE_DAY


class Layers:
    """The start domain of one item at one venue, built layer by layer (each layer is kept, so
    an explanation can say which one leaves nothing free)."""

    def __init__(self, frame: Frame, item: Item, venue_id: str, *, lenient: bool = False):
        self.frame, self.item, self.venue_id = frame, item, venue_id
        self.lenient = lenient  # repair: staying put does not need travel or changeover time
        d = item.duration
        self.windows = _allowed(_closed(frame.minute(a), frame.minute(b) - d) for a, b in item.windows)
        self.low, self.high = frame.span(item)
        self.layers: list[tuple[Blocker, Domain]] = []
        self._build()

    def _build(self) -> None:
        frame, item, plan = self.frame, self.item, self.frame.plan
        venue = plan.venues[self.venue_id]
        d, on = item.duration, frame.on
        add = self.layers.append
        if on["outside_stay"]:
            for delegation_id in item.delegations:
                stay = plan.delegations[delegation_id]
                low = frame.minute(stay.arrival) if stay.arrival else -(2**40)
                high = frame.minute(stay.departure) - d if stay.departure else 2**40
                add((Blocker("stay", party=delegation_id), _allowed([_closed(low, high)])))
        if on["venue_closed"] and venue.opening_hours is not None:
            spans = []
            for day in frame.days(self.low, self.high):
                for window in venue.opening_hours:
                    opens, closes = frame.clock.window_on(day, window)
                    spans.append(_closed(frame.minute(opens), frame.minute(closes) - d))
            add((Blocker("closed", venue=self.venue_id), _allowed(spans)))
        if on["quiet_hours"] and venue.amplified:
            quiet = plan.quiet_hours
            nights = []
            for day in frame.days(self.low, self.high):
                begins, ends = frame.clock.window_on(day, quiet)
                nights.append(_open(frame.minute(begins) - d, frame.minute(ends)))
            add((Blocker("quiet", venue=self.venue_id), _without(EVERYTHING, nights)))
        self._venue_layer(venue, d)
        if item.kind == "golden_book":  # there is one book: one signing at a time
            near = frame.near(frame.golden, self.low, self.high, d)
            busy = [_open(f.start - d, f.end) for f in near]
            add(
                (
                    Blocker("golden_book", events=tuple(f.event for f in near if _open(f.start - d, f.end))),
                    _without(EVERYTHING, busy),
                )
            )
        for target, gap in item.after:
            event = frame.events.get(target)
            if event is not None:
                add(
                    (
                        Blocker("after", events=(event,), detail={"gap": gap}),
                        _allowed([_closed(frame.minute(event.end) + gap, 2**40)]),
                    )
                )
        for party in (*item.delegations, *item.people):
            add((Blocker("party", party=party), self.party(party)))

    def _venue_layer(self, venue: Venue, d: int) -> None:
        frame = self.frame
        index = frame.by_venue.get(venue.id)
        if not index:
            return
        change = venue.changeover_min if frame.hard["changeover"] and not (self.lenient and frame.soft["changeover"]) else 0
        near = frame.near(index, self.low, self.high, d + change)
        forbidden = []
        for f in near:
            if venue.max_parallel <= 1 and frame.on["venue_overlap"]:
                forbidden.append(_open(f.start - d - change, f.end + change))
            elif change:
                # Not right after it ([end, end + changeover)) nor ending right before it.
                forbidden.append(_span(math.ceil(f.end), math.ceil(f.end + change) - 1))
                forbidden.append(_span(math.floor(f.start - change - d) + 1, math.floor(f.start - d)))
        self.layers.append(
            (Blocker("venue", venue=venue.id, events=tuple(f.event for f in near)), _without(EVERYTHING, forbidden))
        )

    def party(self, party: str) -> Domain:
        """Starts at which `party` is free at this venue, with travel from the event directly
        before and to the one directly after (ordered by start, end, id as `check` does)."""
        frame, d, v = self.frame, self.item.duration, self.venue_id
        index = frame.by_party.get(party)
        if not index:
            return EVERYTHING
        overlap = frame.on["person_overlap" if party in frame.plan.people else "delegation_overlap"]
        near = frame.near(index, self.low, self.high, d + 24 * 60)
        forbidden = []
        previous_start = None
        for k, f in enumerate(near):
            following = near[k + 1].start if k + 1 < len(near) else 2.0**40
            if overlap:
                forbidden.append(_open(f.start - d, f.end))
            if not (self.lenient and frame.soft["travel_time"]):
                there = frame.trip(f.venue, v)
                if there:
                    forbidden.append(_open(f.start, min(f.end + there, following)))
                back = frame.trip(v, f.venue)
                if back:
                    low = f.start - d - back if previous_start is None else max(f.start - d - back, previous_start)
                    forbidden.append(_open(low, f.start))
            previous_start = f.start
        return _without(EVERYTHING, forbidden)

    def free(self) -> Domain:
        domain = self.windows
        for _, layer in self.layers:
            domain = domain.intersection_with(layer)
        return domain


# ---------------------------------------------------------------------------------------------


def _attendance(plan: Plan, item: Item) -> int:
    """Attendance as `check` counts it, with one person per "one of" group not already there."""
    if item.attendance is not None:
        return item.attendance
    extra = sum(1 for group in item.one_of if not set(group) & set(item.people))
    return sum(plan.delegations[d].size for d in item.delegations) + len(set(item.people)) + extra


def static_blockers(frame: Frame, item: Item, venue_id: str) -> list[Blocker]:
    """What rules out a venue whatever the time."""
    plan, venue = frame.plan, frame.plan.venues[venue_id]
    found = []
    if item.kind == "golden_book" and frame.on["golden_book_venue"] and not venue.golden_book:
        found.append(Blocker("no_book", venue=venue_id))
    if frame.hard["capacity"] and venue.capacity is not None and _attendance(plan, item) > venue.capacity:
        found.append(
            Blocker("capacity", venue=venue_id, detail={"attendance": _attendance(plan, item), "capacity": venue.capacity})
        )
    if frame.on["venue_closed"] and venue.opening_hours == ():
        found.append(Blocker("closed", venue=venue_id))
    return found
