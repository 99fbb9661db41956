"""The thirteen conflict rules of SPEC §3, each one small function, and the check that runs them.

Every rule works on events already sorted by (start, end, id) and grouped per venue,
delegation and person, so the whole check is one sort plus linear sweeps: O(n log n + k)
for n events and k conflicts, never a comparison of every pair.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from operator import attrgetter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from .clock import ONE_DAY, WallClock, zone_named
from .gcpause import gc_paused
from .model import INTERPRETED_KINDS, RULES, SIGNATORY_ROLES, Event, Plan, Venue, Window
from .travel import TravelTimes

MINUTE = timedelta(minutes=1)


@dataclass(slots=True)
class Conflict:
    """One conflict: which rule, how bad, which events (by start, then id), which resource.

    `facts` holds what the message needs beyond the events (minutes, limits, periods);
    `messages.describe` turns a conflict into a sentence in German or English.
    """

    rule: str
    severity: str
    events: tuple[str, ...]
    resource: str | None
    facts: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


# A rule yields (events in any order, resource, facts); `check` orders and labels them.
Finding = tuple[Iterable[Event], "str | None", dict]


class Schedule:
    """The plan's live events, sorted once and indexed by venue, delegation and person."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.clock = WallClock(zone_named(plan.timezone, "timezone"))
        self.travel = TravelTimes(plan)
        live = [event for event in plan.events if event.status != "cancelled"]
        live.sort(key=attrgetter("start", "end", "id"))
        self.events = live
        by_venue: dict[str, list[Event]] = defaultdict(list)
        by_delegation: dict[str, list[Event]] = defaultdict(list)
        by_person: dict[str, list[Event]] = defaultdict(list)
        for event in live:
            venue = event.venue
            if venue is not None:
                by_venue[venue].append(event)
            if event.delegations:
                for delegation in event.delegations:
                    by_delegation[delegation].append(event)
            if event.people:
                for person in event.people:
                    by_person[person].append(event)
        self.by_venue = by_venue
        self.by_delegation = by_delegation
        self.by_person = by_person
        self.golden_book = [event for event in live if event.kind == "golden_book"]
        self.interpreted = [event for event in live if event.delegations and event.kind in INTERPRETED_KINDS]
        self._windows: dict[tuple[str, date], list[tuple[datetime, datetime]]] = {}
        self._nights: dict[date, tuple[datetime, datetime]] = {}
        self._dates: dict[datetime, date] = {}

    def local_date(self, instant: datetime) -> date:
        """The local date of an instant; memoised, since many events share their instants."""
        found = self._dates.get(instant)
        if found is None:
            found = self._dates[instant] = self.clock.local_date(instant)
        return found

    def parties(self) -> Iterator[tuple[str, list[Event]]]:
        """Each delegation's and each person's events, in order."""
        yield from self.by_delegation.items()
        yield from self.by_person.items()

    def daily(self, day: date, window: Window) -> tuple[datetime, datetime]:
        """The instants a daily window opens and closes when it opens on `day`."""
        clock = self.clock
        opens = clock.at(day, window.open)
        if window.past_midnight:
            return opens, clock.at(day + ONE_DAY, window.close)
        return opens, clock.at(day, window.close)

    def open_windows(self, venue: Venue, day: date) -> list[tuple[datetime, datetime]]:
        """Opening windows that may hold an event starting on local date `day`: that day's,
        and those of the day before that run past midnight."""
        key = (venue.id, day)
        found = self._windows.get(key)
        if found is None:
            hours = venue.opening_hours or ()
            found = [self.daily(day, window) for window in hours]
            found += [self.daily(day - ONE_DAY, window) for window in hours if window.past_midnight]
            self._windows[key] = found
        return found

    def quiet_night(self, day: date) -> tuple[datetime, datetime]:
        """The quiet hours that begin on local date `day`."""
        found = self._nights.get(day)
        if found is None:
            found = self._nights[day] = self.daily(day, self.plan.quiet_hours)
        return found


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


def consecutive(events: list[Event]) -> Iterator[tuple[Event, Event]]:
    """Each event with the one that directly follows it."""
    return zip(events, events[1:])


# ---------------------------------------------------------------------------------------------
# The rules. Each yields findings for one rule id (its function name).


def venue_overlap(s: Schedule) -> Iterator[Finding]:
    for venue_id, events in s.by_venue.items():
        limit = s.plan.venues[venue_id].max_parallel
        if limit == 1:
            for a, b in overlapping_pairs(events):
                yield (a, b), venue_id, {}
        else:
            for start, end, members in crowded_periods(events, limit):
                yield members, venue_id, {"start": start, "end": end, "limit": limit}


def delegation_overlap(s: Schedule) -> Iterator[Finding]:
    for delegation_id, events in s.by_delegation.items():
        for a, b in overlapping_pairs(events):
            yield (a, b), delegation_id, {}


def person_overlap(s: Schedule) -> Iterator[Finding]:
    for person_id, events in s.by_person.items():
        for a, b in overlapping_pairs(events):
            yield (a, b), person_id, {}


def travel_time(s: Schedule) -> Iterator[Finding]:
    minutes = s.travel.minutes
    for party, events in s.parties():
        for a, b in consecutive(events):
            if a.venue != b.venue and a.end <= b.start and a.venue is not None and b.venue is not None:
                gap = (b.start - a.end) / MINUTE
                needed = minutes(a.venue, b.venue)
                if gap < needed:
                    yield (a, b), party, {"gap": gap, "needed": needed}


def outside_stay(s: Schedule) -> Iterator[Finding]:
    for delegation_id, events in s.by_delegation.items():
        delegation = s.plan.delegations[delegation_id]
        arrival, departure = delegation.arrival, delegation.departure
        for event in events:
            early = arrival is not None and event.start < arrival
            late = departure is not None and event.end > departure
            if early or late:
                yield (event,), delegation_id, {"early": early, "late": late}


def venue_closed(s: Schedule) -> Iterator[Finding]:
    local_date = s.local_date
    for venue_id, events in s.by_venue.items():
        venue = s.plan.venues[venue_id]
        if venue.opening_hours is None:
            continue
        for event in events:
            start, end = event.start, event.end
            for opens, closes in s.open_windows(venue, local_date(start)):
                if opens <= start and end <= closes:
                    break
            else:
                yield (event,), venue_id, {}


def capacity(s: Schedule) -> Iterator[Finding]:
    delegations = s.plan.delegations
    for venue_id, events in s.by_venue.items():
        limit = s.plan.venues[venue_id].capacity
        if limit is None:
            continue
        for event in events:
            attendance = event.attendance
            if attendance is None:
                attendance = len(event.people)
                for delegation in event.delegations:
                    attendance += delegations[delegation].size
            if attendance > limit:
                yield (event,), venue_id, {"attendance": attendance, "capacity": limit}


def interpreter_missing(s: Schedule) -> Iterator[Finding]:
    plan = s.plan
    for event in s.interpreted:
        needing = [d for d in event.delegations if "de" not in plan.delegations[d].languages]
        if not needing:
            continue
        spoken = {code for person in event.people for code in plan.people[person].languages}
        for delegation_id in needing:
            languages = plan.delegations[delegation_id].languages
            if spoken.isdisjoint(languages):
                yield (event,), delegation_id, {"languages": languages}


def golden_book_venue(s: Schedule) -> Iterator[Finding]:
    for event in s.golden_book:
        if event.venue is not None and not s.plan.venues[event.venue].golden_book:
            yield (event,), event.venue, {}


def golden_book_signatory(s: Schedule) -> Iterator[Finding]:
    people = s.plan.people
    for event in s.golden_book:
        if not any(people[p].role in SIGNATORY_ROLES for p in event.people):
            yield (event,), None, {}


def golden_book_duplicate(s: Schedule) -> Iterator[Finding]:
    signings: dict[str, list[Event]] = defaultdict(list)
    for event in s.golden_book:
        for delegation_id in event.delegations:
            signings[delegation_id].append(event)
    for delegation_id, events in signings.items():
        if len(events) > 1:
            yield events, delegation_id, {}


def changeover(s: Schedule) -> Iterator[Finding]:
    for venue_id, events in s.by_venue.items():
        needed = s.plan.venues[venue_id].changeover_min
        if needed <= 0:
            continue
        for a, b in consecutive(events):
            if a.end <= b.start:
                gap = (b.start - a.end) / MINUTE
                if gap < needed:
                    yield (a, b), venue_id, {"gap": gap, "needed": needed}


def quiet_hours(s: Schedule) -> Iterator[Finding]:
    local_date = s.local_date
    for venue_id, events in s.by_venue.items():
        if not s.plan.venues[venue_id].amplified:
            continue
        for event in events:
            # Quiet hours last at most a day, so only nights that begin between the day
            # before the start and the day of the end can touch the event.
            day, last = local_date(event.start) - ONE_DAY, local_date(event.end)
            while day <= last:
                begins, ends = s.quiet_night(day)
                if begins < event.end and event.start < ends:
                    yield (event,), venue_id, {"quiet_start": begins, "quiet_end": ends}
                    break
                day += ONE_DAY


#: Rule id -> the function that finds its conflicts, in the order of SPEC §3.
RULE_FUNCTIONS: dict[str, Callable[[Schedule], Iterator[Finding]]] = {
    name: globals()[name] for name in RULES
}


_START_ID = attrgetter("start", "id")


def _by_start(events: tuple[Event, ...] | list[Event]) -> list[Event]:
    if len(events) == 2:
        a, b = events
        return [a, b] if (a.start, a.id) <= (b.start, b.id) else [b, a]
    if len(events) == 1:
        return list(events)
    return sorted(events, key=_START_ID)


def check(plan: Plan) -> list[Conflict]:
    """All conflicts of the plan under its rule settings, ordered by their first event's start,
    then rule, then events."""
    with gc_paused():
        return _check(plan)


def _check(plan: Plan) -> list[Conflict]:
    schedule = Schedule(plan)
    rules = plan.rules
    found: list[tuple[tuple, Conflict]] = []
    for order, (rule, find) in enumerate(RULE_FUNCTIONS.items()):
        if rule in rules.disabled:
            continue
        severity = rules.severity_of(rule)
        for events, resource, facts in find(schedule):
            ordered = _by_start(events)
            ids = tuple(event.id for event in ordered)
            facts["_events"] = ordered
            conflict = Conflict(rule, severity, ids, resource, facts)
            found.append(((ordered[0].start, order, ids, resource or ""), conflict))
    found.sort(key=lambda pair: pair[0])
    return [conflict for _, conflict in found]


def summary(conflicts: Iterable[Conflict]) -> dict[str, int]:
    """How many conflicts are errors and how many warnings."""
    counts = {"errors": 0, "warnings": 0}
    for conflict in conflicts:
        counts["errors" if conflict.severity == "error" else "warnings"] += 1
    return counts
