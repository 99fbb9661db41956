"""The thirteen conflict rules of SPEC §3, each one small function, and the check that runs them.

Every rule works on events already sorted by (start, end, id) and grouped per venue,
delegation and person, so the whole check is one sort plus linear sweeps: O(n log n + k)
for n events and k conflicts, never a comparison of every pair.
"""

from __future__ import annotations

import heapq
from itertools import chain
from operator import attrgetter, methodcaller
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from planner.plan.clock import WallClock, from_micros, micros, zone_named
from planner.errors import PlanError
from planner.gcpause import gc_paused
from planner.plan.model import EVENT_KINDS, INTERPRETED_KINDS, RULES, SIGNATORY_ROLES, Event, Plan, Venue, Window
from planner.plan.travel import TravelTimes



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
        events[first:last + 1] = sorted(events[first:last + 1], key=by_id)


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
        return self.positions[self.bounds[index]:self.bounds[index + 1]]

    def consecutive(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(group, a, b) for each event a that is directly followed by b in its group."""
        same = self.group[1:] == self.group[:-1]
        return self.group[1:][same], self.positions[:-1][same], self.positions[1:][same]


class Schedule:
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
        self.venue_of = np.fromiter(map(venue_number.__getitem__, map(attrgetter("venue"), events)),
                                    np.int64, len(events))
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
        end_key = np.sort(ranks[len(positions):] + offset)
        started = np.searchsorted(start_key, start_key, "right")
        ended = np.searchsorted(end_key, start_key, "right")
        limit = limits[group] if isinstance(limits, np.ndarray) else limits
        return np.unique(group[started - ended > limit]).tolist()

    def attendance(self) -> np.ndarray:
        """Each event's attendance: as given, else its delegations' sizes plus its people."""
        given = np.array([-1 if e.attendance is None else e.attendance for e in self.events], np.int64)
        sizes = np.array([self.plan.delegations[key].size for key in self.delegations.keys], np.int64)
        counted = np.bincount(self.delegations.positions, weights=sizes[self.delegations.group],
                              minlength=len(self.events)).astype(np.int64)
        counted += np.fromiter(map(len, map(attrgetter("people"), self.events)), np.int64, len(self.events))
        return np.where(given >= 0, given, counted)

    def at_venues(self, wanted: Callable[[Venue], bool]) -> dict[Any, np.ndarray]:
        """Positions of the events at venues that `wanted` picks, by `wanted`'s answer."""
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
        opens = np.array([_micros(o, 0) for o, _ in pairs], np.int64)
        closes = np.array([_micros(c, 0) for _, c in pairs], np.int64)
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


def _days_around(start: np.ndarray, end: np.ndarray) -> list[int]:
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


# ---------------------------------------------------------------------------------------------
# The rules. Each yields findings for one rule id (its function name).


def overlap_count(events: list[Event]) -> int:
    """How many overlapping pairs a list sorted by start holds, without listing them: each
    event overlaps every earlier one that has not ended when it starts (O(n log n))."""
    if len(events) < 2:
        return 0
    starts = np.fromiter((e.start.timestamp() for e in events), np.float64, len(events))
    ends = np.sort(np.fromiter((e.end.timestamp() for e in events), np.float64, len(events)))
    ended = np.searchsorted(ends, starts, "right")  # every event that ended by a start began before it
    return int((np.arange(len(events)) - ended).sum())


def _overlaps(s: Schedule, events: list[Event], key: str) -> Iterator[Finding]:
    """The overlapping pairs of one group's events (sorted by start), or, where a period of
    overlap holds more than `s.pile_up` pairs, that period as one conflict listing its events
    (facts: start, end, pairs), so that a pile-up of n events costs O(n log n), not n²."""
    bound = s.pile_up
    if bound is None or overlap_count(events) <= bound:
        for a, b in overlapping_pairs(events):
            yield (a, b), key, {}
        return
    for start, end, members in crowded_periods(events, 1):
        pairs = overlap_count(members)
        if pairs <= bound:
            for a, b in overlapping_pairs(members):
                yield (a, b), key, {}
        else:
            yield members, key, {"start": start, "end": end, "pairs": pairs}


def _pairs_in(s: Schedule, groups: Groups) -> Iterator[Finding]:
    """The overlaps of the events of each group (see `_overlaps`)."""
    for number in s.crowded_groups(groups):
        yield from _overlaps(s, s.events_at(groups.members(number)), groups.keys[number])


def venue_overlap(s: Schedule) -> Iterator[Finding]:
    venues = s.plan.venues
    limits = np.array([venues[key].max_parallel for key in s.venues.keys], np.int64)
    for number in s.crowded_groups(s.venues, limits):
        venue_id = s.venues.keys[number]
        events = s.events_at(s.venues.members(number))
        limit = venues[venue_id].max_parallel
        if limit == 1:
            yield from _overlaps(s, events, venue_id)
        else:
            for start, end, members in crowded_periods(events, limit):
                yield members, venue_id, {"start": start, "end": end, "limit": limit}


def delegation_overlap(s: Schedule) -> Iterator[Finding]:
    yield from _pairs_in(s, s.delegations)


def person_overlap(s: Schedule) -> Iterator[Finding]:
    yield from _pairs_in(s, s.people)


def travel_time(s: Schedule) -> Iterator[Finding]:
    minutes = s.travel.minutes
    venue_ids = s.venues.keys
    for groups in (s.delegations, s.people):
        party, a, b = groups.consecutive()
        va, vb = s.venue_of[a], s.venue_of[b]
        gap = s.start[b] - s.end[a]
        keep = (va >= 0) & (vb >= 0) & (va != vb) & (gap >= 0)
        party, a, b, va, vb = party[keep], a[keep], b[keep], va[keep], vb[keep]
        gap = gap[keep] / MICROS_PER_MINUTE
        # Look each trip up once, however many parties make it.
        trips, which = np.unique(va * len(venue_ids) + vb, return_inverse=True)
        needed_by_trip = np.array(
            [minutes(venue_ids[t // len(venue_ids)], venue_ids[t % len(venue_ids)]) for t in trips.tolist()],
            np.float64,
        )
        needed = needed_by_trip[which] if len(trips) else np.zeros(0)
        for i in np.flatnonzero(gap < needed).tolist():
            yield (s.events[a[i]], s.events[b[i]]), groups.keys[party[i]], {
                "gap": float(gap[i]), "needed": float(needed[i])}


def outside_stay(s: Schedule) -> Iterator[Finding]:
    delegations = [s.plan.delegations[key] for key in s.delegations.keys]
    never_before, never_after = np.iinfo(np.int64).min, np.iinfo(np.int64).max
    arrival = np.array([_micros(d.arrival, never_before) for d in delegations], np.int64)
    departure = np.array([_micros(d.departure, never_after) for d in delegations], np.int64)
    group, positions = s.delegations.group, s.delegations.positions
    early = s.start[positions] < arrival[group] if len(group) else np.zeros(0, bool)
    late = s.end[positions] > departure[group] if len(group) else np.zeros(0, bool)
    for i in np.flatnonzero(early | late).tolist():
        yield (s.events[positions[i]],), s.delegations.keys[group[i]], {"early": bool(early[i]), "late": bool(late[i])}


def _micros(instant: datetime | None, default: int) -> int:
    """Microseconds since 1970 of an instant, or `default` for none."""
    return default if instant is None else micros(instant)


def venue_closed(s: Schedule) -> Iterator[Finding]:
    for hours, positions in s.at_venues(lambda venue: venue.opening_hours).items():
        start, end = s.start[positions], s.end[positions]
        opens, closes = s.daily_micros(_days_around(start, end), hours)
        # The window that opened last before the start closes latest of all that could hold it.
        latest_close = np.maximum.accumulate(closes) if len(closes) else closes
        before = np.searchsorted(opens, start, "right") - 1
        fits = (before >= 0) & (end <= latest_close[np.maximum(before, 0)]) if len(closes) else np.zeros(len(start), bool)
        for position in positions[~fits].tolist():
            event = s.events[position]
            yield (event,), event.venue, {}
    # A venue with an empty list of opening hours is never open.
    for positions in s.at_venues(lambda venue: venue.opening_hours == ()).values():
        for position in positions.tolist():
            event = s.events[position]
            yield (event,), event.venue, {}


def capacity(s: Schedule) -> Iterator[Finding]:
    limit_at = np.array([-1 if (c := s.plan.venues[key].capacity) is None else c for key in s.venues.keys], np.int64)
    limit = np.where(s.venue_of >= 0, limit_at[s.venue_of], -1)
    attendance = s.attendance()
    for position in np.flatnonzero((limit >= 0) & (attendance > limit)).tolist():
        event = s.events[position]
        yield (event,), event.venue, {"attendance": int(attendance[position]), "capacity": int(limit[position])}


def interpreter_missing(s: Schedule) -> Iterator[Finding]:
    # Each language is a bit: a delegation is understood if it speaks German or shares a bit
    # with the languages of the event's people.
    plan = s.plan
    delegations = [plan.delegations[key] for key in s.delegations.keys]
    people = [plan.people[key] for key in s.people.keys]
    bit = {code: 1 << n for n, code in enumerate(sorted({c for x in delegations + people for c in x.languages}))}
    if len(bit) > 63:  # more languages than bits: one word of bits per language set won't do
        yield from _interpreter_missing_event_by_event(s)
        return

    def mask(languages: tuple[str, ...]) -> int:
        return sum(bit[code] for code in set(languages))

    wanted = np.array([mask(d.languages) for d in delegations], np.uint64)
    needs = np.array(["de" not in d.languages for d in delegations], bool)
    spoken = np.zeros(len(s.events), np.uint64)
    np.bitwise_or.at(spoken, s.people.positions, np.array([mask(p.languages) for p in people], np.uint64)[s.people.group])
    positions, group = s.delegations.positions, s.delegations.group
    missing = s.interpreted[positions] & needs[group] & ((spoken[positions] & wanted[group]) == 0)
    for i in np.flatnonzero(missing).tolist():
        delegation = delegations[group[i]]
        yield (s.events[positions[i]],), delegation.id, {"languages": delegation.languages}


def _interpreter_missing_event_by_event(s: Schedule) -> Iterator[Finding]:
    plan = s.plan
    for position in np.flatnonzero(s.interpreted).tolist():
        event = s.events[position]
        spoken = {code for person in event.people for code in plan.people[person].languages}
        for delegation_id in event.delegations:
            languages = plan.delegations[delegation_id].languages
            if "de" not in languages and spoken.isdisjoint(languages):
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
    signings: dict[str, list[Event]] = {}
    for event in s.golden_book:
        for delegation_id in event.delegations:
            signings.setdefault(delegation_id, []).append(event)
    for delegation_id, events in signings.items():
        if len(events) > 1:
            yield events, delegation_id, {}


def changeover(s: Schedule) -> Iterator[Finding]:
    needed_at = np.array([s.plan.venues[key].changeover_min for key in s.venues.keys], np.float64)
    venue, a, b = s.venues.consecutive()
    gap = s.start[b] - s.end[a]
    needed = needed_at[venue]
    keep = (needed > 0) & (gap >= 0)
    venue, a, b, gap, needed = venue[keep], a[keep], b[keep], gap[keep] / MICROS_PER_MINUTE, needed[keep]
    for i in np.flatnonzero(gap < needed).tolist():
        yield (s.events[a[i]], s.events[b[i]]), s.venues.keys[venue[i]], {
            "gap": float(gap[i]), "needed": float(needed[i])}


def quiet_hours(s: Schedule) -> Iterator[Finding]:
    quiet = s.plan.quiet_hours
    for positions in s.at_venues(lambda venue: venue.amplified).values():
        start, end = s.start[positions], s.end[positions]
        begins, ends = s.daily_micros(_days_around(start, end), (quiet,))
        # Among the nights that begin before the event ends, does the latest ending one reach
        # past its start?
        latest_end = np.maximum.accumulate(ends)
        before = np.searchsorted(begins, end, "left") - 1
        loud = (before >= 0) & (latest_end[np.maximum(before, 0)] > start)
        for i in np.flatnonzero(loud).tolist():
            night = np.flatnonzero((begins < end[i]) & (ends > start[i]))[0]
            event = s.events[positions[i]]
            yield (event,), event.venue, {
                "quiet_start": from_micros(int(begins[night])),
                "quiet_end": from_micros(int(ends[night])),
            }


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


class TooManyConflicts(PlanError):
    """More conflicts than the caller set out to list (a plan of copies of one event has as
    many conflicts as pairs of copies: the check stops instead of filling the memory)."""

    def __init__(self, limit: int):
        self.limit = limit
        super().__init__("", f"more than {limit:,} conflicts: this is no plan to check here "
                             "(check it with python -m planner check)")


#: What the app's pages use for `pile_up`: a double-booking of a stage, a delegation or a
#: person with more overlapping pairs than this in one period is shown as one conflict listing
#: its events. With it, each event is in at most five overlap conflicts per venue, delegation
#: or person it belongs to, whatever the plan, so a page stays fast for any plan a role may
#: write (SECURITY.md, "Bounded work").
PAGE_PILE_UP = 50


def check(plan: Plan, *, limit: int | None = None, pile_up: int | None = None) -> list[Conflict]:
    """All conflicts of the plan under its rule settings, ordered by their first event's start,
    then rule, then events. With `limit`, more than that many raise TooManyConflicts as soon as
    they are found (the rules find conflicts one by one, so time and memory stay bounded).

    The overlap rules (venue, delegation, person) report each overlapping pair (SPEC §3). With
    `pile_up`, a period of overlap at one venue, delegation or person that holds more pairs
    than that is reported as one conflict listing all its events, with the period and the
    number of pairs in its facts (`start`, `end`, `pairs`): 1,500 slots on one stage at one
    hour are one conflict instead of 1,124,250."""
    with gc_paused():
        return _check(plan, limit, pile_up)


def _check(plan: Plan, limit: int | None = None, pile_up: int | None = None) -> list[Conflict]:
    schedule = Schedule(plan, pile_up=pile_up)
    rules = plan.rules
    found: list[tuple[tuple, Conflict]] = []
    for order, (rule, find) in enumerate(RULE_FUNCTIONS.items()):
        if rule in rules.disabled:
            continue
        severity = rules.severity_of(rule)
        for events, resource, facts in find(schedule):
            if limit is not None and len(found) >= limit:
                raise TooManyConflicts(limit)
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
