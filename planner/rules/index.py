"""The conflict engine's index of a plan: its live events sorted once by (start, end, id) and
grouped by venue, delegation and person, with times as integer microseconds, so that every
rule is a linear sweep and never a comparison of every pair."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, timedelta
from itertools import chain
from operator import attrgetter, methodcaller
from typing import Any

import numpy as np

from planner.plan.clock import WallClock, micros, zone_named
from planner.plan.model import EVENT_KINDS, INTERPRETED_KINDS, Event, Plan, Venue, Window
from planner.plan.travel import TravelTimes

MICROS_PER_MINUTE = 60_000_000


def _order_ties_by_id(events: list[Event], start: np.ndarray, end: np.ndarray) -> None:
    """Within runs of equal (start, end), put events in id order (times stay as they are)."""
    if len(events) < 2:
        return
    tie = np.flatnonzero((start[1:] == start[:-1]) & (end[1:] == end[:-1]))
    if not len(tie):
        return
    # Runs of consecutive tie positions: [first, last] pairs of event positions.
    breaks = np.flatnonzero(np.diff(tie) != 1)
    firsts = np.concatenate(([tie[0]], tie[breaks + 1]))
    lasts = np.concatenate((tie[breaks], [tie[-1]])) + 1
    by_id = attrgetter("id")
    for first, last in zip(firsts.tolist(), lasts.tolist()):
        events[first : last + 1] = sorted(events[first : last + 1], key=by_id)


class Groups:
    """Positions of events in time order, grouped by a key (a venue, delegation or person).

    `positions` holds every group's positions back to back, `group` the group number of each,
    and `bounds[k]:bounds[k + 1]` is group k's slice.
    """

    def __init__(self, keys: list[str], member_key: np.ndarray, member_position: np.ndarray):
        order = np.argsort(member_key, kind="stable")  # stable: positions stay in time order
        self.group = member_key[order]
        self.positions = member_position[order]
        self.bounds = np.searchsorted(self.group, np.arange(len(keys) + 1))
        self.keys = keys

    def members(self, index: int) -> np.ndarray:
        return self.positions[self.bounds[index] : self.bounds[index + 1]]

    def consecutive(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(group, a, b) for each event a that is directly followed by b in its group."""
        same = self.group[1:] == self.group[:-1]
        return self.group[1:][same], self.positions[:-1][same], self.positions[1:][same]


def micros_or(instant: datetime | None, default: int) -> int:
    """Microseconds since 1970 of an instant, or `default` for none."""
    return default if instant is None else micros(instant)


class EventIndex:
    """The plan's live events, sorted once by (start, end, id) and grouped by venue,
    delegation and person, with their times as integer microseconds for vectorised sweeps."""

    def __init__(self, plan: Plan, *, pile_up: int | None = None):
        self.plan = plan
        #: With a number: a period of overlap with more pairs than this is one conflict.
        self.pile_up = pile_up
        self.clock = WallClock(zone_named(plan.timezone, "timezone"))
        self.travel = TravelTimes(plan)
        live = [event for event in plan.events if event.status != "cancelled"]
        micros = self._micros_of(live)
        start = micros[0::2]
        end = micros[1::2]
        order = np.lexsort((end, start))
        events = [live[i] for i in order]
        start, end = start[order], end[order]
        _order_ties_by_id(events, start, end)
        self.events = events
        self.start, self.end = start, end

        venue_ids = list(plan.venues)
        venue_number: dict[str | None, int] = {venue: number for number, venue in enumerate(venue_ids)}
        venue_number[None] = -1
        self.venue_of = np.fromiter(map(venue_number.__getitem__, map(attrgetter("venue"), events)), np.int64, len(events))
        with_venue = np.flatnonzero(self.venue_of >= 0)
        self.venues = Groups(venue_ids, self.venue_of[with_venue], with_venue)
        self.delegations = self._membership(events, list(plan.delegations), "delegations")
        self.people = self._membership(events, list(plan.people), "people")
        kind_number = {kind: number for number, kind in enumerate(sorted(EVENT_KINDS))}
        kinds = np.fromiter(map(kind_number.__getitem__, map(attrgetter("kind"), events)), np.int64, len(events))
        self.interpreted = np.isin(kinds, [kind_number[kind] for kind in INTERPRETED_KINDS])
        self.golden_book = self.events_at(np.flatnonzero(kinds == kind_number["golden_book"]))
        self._daily: dict[tuple[date, int, int], tuple[datetime, datetime]] = {}

    @staticmethod
    def _micros_of(events: list[Event]) -> np.ndarray:
        """Start and end of each event, interleaved, as exact microseconds since 1970."""
        values = np.empty(2 * len(events), np.int64)
        stamp = methodcaller("timestamp")
        seconds = np.empty(2 * len(events), np.float64)
        seconds[0::2] = np.fromiter(map(stamp, map(attrgetter("start"), events)), np.float64, len(events))
        seconds[1::2] = np.fromiter(map(stamp, map(attrgetter("end"), events)), np.float64, len(events))
        # A float timestamp is within a quarter microsecond of the truth while microseconds
        # fit in 53 bits (years 1685 to 2255), so rounding gives the exact value.
        if not len(seconds) or np.abs(seconds).max() < 8e9:
            np.rint(seconds * 1e6, out=seconds)
            values[:] = seconds
            return values
        exact = [micros(instant) for e in events for instant in (e.start, e.end)]
        values[:] = exact
        return values

    @staticmethod
    def _membership(events: list[Event], keys: list[str], attribute: str) -> Groups:
        """Groups of event positions by each key the events list under `attribute`."""
        number = {key: index for index, key in enumerate(keys)}
        lists = list(map(attrgetter(attribute), events))
        counts = np.fromiter(map(len, lists), np.int64, len(lists))
        members = np.fromiter(map(number.__getitem__, chain.from_iterable(lists)), np.int64, int(counts.sum()))
        return Groups(keys, members, np.repeat(np.arange(len(lists), dtype=np.int64), counts))

    def events_at(self, positions: np.ndarray) -> list[Event]:
        events = self.events
        return [events[i] for i in positions.tolist()]

    def crowded_groups(self, groups: Groups, limits: np.ndarray | int = 1) -> list[int]:
        """Numbers of the groups in which more than `limits` (per group) events run at once.

        Vectorised: at each start, the events running are those of the group started so far
        minus those ended by then. Times are replaced by their ranks so that all groups can be
        laid end to end on one axis without overflow.
        """
        positions, group = groups.positions, groups.group
        if len(positions) < 2:
            return []
        starts, ends = self.start[positions], self.end[positions]
        ranks = np.unique(np.concatenate((starts, ends)), return_inverse=True)[1]
        offset = group * (2 * len(positions) + 1)
        start_key = ranks[: len(positions)] + offset
        end_key = np.sort(ranks[len(positions) :] + offset)
        started = np.searchsorted(start_key, start_key, "right")
        ended = np.searchsorted(end_key, start_key, "right")
        limit = limits[group] if isinstance(limits, np.ndarray) else limits
        return np.unique(group[started - ended > limit]).tolist()

    def attendance(self) -> np.ndarray:
        """Each event's attendance: as given, else its delegations' sizes plus its people."""
        given = np.array([-1 if e.attendance is None else e.attendance for e in self.events], np.int64)
        sizes = np.array([self.plan.delegations[key].size for key in self.delegations.keys], np.int64)
        counted = np.bincount(
            self.delegations.positions, weights=sizes[self.delegations.group], minlength=len(self.events)
        ).astype(np.int64)
        counted += np.fromiter(map(len, map(attrgetter("people"), self.events)), np.int64, len(self.events))
        return np.where(given >= 0, given, counted)

    def at_venues(self, wanted: Callable[[Venue], Any]) -> dict[Any, np.ndarray]:
        """Positions of the events at venues for which `wanted` gives a true answer, by that answer."""
        venues = self.plan.venues
        found: dict[Any, list[np.ndarray]] = {}
        for number, venue_id in enumerate(self.venues.keys):
            answer = wanted(venues[venue_id])
            if answer:
                found.setdefault(answer, []).append(self.venues.members(number))
        return {answer: np.sort(np.concatenate(parts)) for answer, parts in found.items()}

    def daily_micros(self, days: Iterable[int], windows: Iterable[Window]) -> tuple[np.ndarray, np.ndarray]:
        """Opening and closing microseconds of each window on each local day (days since 1970),
        ordered by opening."""
        pairs = [self.daily(EPOCH_DATE + timedelta(days=day), window) for day in days for window in windows]
        pairs.sort()
        opens = np.array([micros_or(o, 0) for o, _ in pairs], np.int64)
        closes = np.array([micros_or(c, 0) for _, c in pairs], np.int64)
        return opens, closes

    def daily(self, day: date, window: Window) -> tuple[datetime, datetime]:
        """The instants a daily window opens and closes when it opens on `day` (memoised:
        venues share their hours, and a year has only 365 days)."""
        key = (day, window.open, window.close)
        found = self._daily.get(key)
        if found is None:
            found = self._daily[key] = self.clock.window_on(day, window)
        return found


EPOCH_DATE = date(1970, 1, 1)
MICROS_PER_DAY = 86_400_000_000


def days_around(start: np.ndarray, end: np.ndarray) -> list[int]:
    """Local days (since 1970) whose daily windows might touch events with these times.

    An event can only fit into a window of its local start date, or one of the day before
    that runs past midnight (SPEC §3), and a window of any other day cannot hold it anyway: a
    later day's opens after the event starts, an earlier day's has closed. A local date is
    within a day of the UTC date, so the windows of every day from two before the UTC start
    date to one after the UTC end date include every window that matters, and the answer to
    "does one of them hold (or touch) the event" is the same as the spec's.
    """
    first = start // MICROS_PER_DAY - 2
    last = (end - 1) // MICROS_PER_DAY + 1
    spans = np.unique(np.stack((first, last), axis=1), axis=0)
    days: set[int] = set()
    for low, high in spans.tolist():
        days.update(range(low, high + 1))
    return sorted(days)


def overlapping_pairs(events: list[Event]) -> Iterator[tuple[Event, Event]]:
    """Every overlapping pair in a list sorted by start: a sweep whose cost is the pairs found."""
    running: list[Event] = []
    latest_end = None
    for event in events:
        start = event.start
        if latest_end is not None and start < latest_end:
            running = [other for other in running if other.end > start]
            for other in running:
                yield other, event
            running.append(event)
        else:
            # Everything before has ended: the usual case in a programme.
            running = [event]
        if latest_end is None or event.end > latest_end:
            latest_end = event.end


def crowded_periods(events: list[Event], limit: int) -> Iterator[tuple[datetime, datetime, list[Event]]]:
    """Maximal periods in which more than `limit` events run at once, with every event that
    runs in the period. Instants are half-open: an event ending at t is gone at t."""
    ends: list[tuple[datetime, int]] = []
    running: dict[int, Event] = {}
    members: dict[int, Event] | None = None
    period_start: datetime | None = None
    index, count = 0, len(events)
    while index < count or ends:
        now = events[index].start if index < count else ends[0][0]
        if ends and ends[0][0] < now:
            now = ends[0][0]
        while ends and ends[0][0] == now:
            running.pop(heapq.heappop(ends)[1])
        starters = {}
        while index < count and events[index].start == now:
            event = events[index]
            starters[index] = event
            heapq.heappush(ends, (event.end, index))
            index += 1
        running.update(starters)
        if members is None:
            if len(running) > limit:
                members, period_start = dict(running), now
        elif len(running) > limit:
            members.update(starters)
        else:
            yield period_start, now, list(members.values())  # type: ignore[misc]
            members = None
