"""The thirteen conflict rules of SPEC §3, one small function each, named by its rule id.

A rule takes the plan's `EventIndex` and yields findings: (the events in any order, the
resource, the facts its message needs); `engine.check` orders and labels them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np

from planner.plan.clock import from_micros
from planner.plan.model import RULES, SIGNATORY_ROLES, Event
from planner.rules.index import MICROS_PER_MINUTE, EventIndex, Groups, crowded_periods, days_around, micros_or, overlapping_pairs

Finding = tuple[Sequence[Event], "str | None", dict]


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


def _overlaps(s: EventIndex, events: list[Event], key: str) -> Iterator[Finding]:
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


def _pairs_in(s: EventIndex, groups: Groups) -> Iterator[Finding]:
    """The overlaps of the events of each group (see `_overlaps`)."""
    for number in s.crowded_groups(groups):
        yield from _overlaps(s, s.events_at(groups.members(number)), groups.keys[number])


def venue_overlap(s: EventIndex) -> Iterator[Finding]:
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


def delegation_overlap(s: EventIndex) -> Iterator[Finding]:
    yield from _pairs_in(s, s.delegations)


def person_overlap(s: EventIndex) -> Iterator[Finding]:
    yield from _pairs_in(s, s.people)


def travel_time(s: EventIndex) -> Iterator[Finding]:
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
            yield (s.events[a[i]], s.events[b[i]]), groups.keys[party[i]], {"gap": float(gap[i]), "needed": float(needed[i])}


def outside_stay(s: EventIndex) -> Iterator[Finding]:
    delegations = [s.plan.delegations[key] for key in s.delegations.keys]
    never_before, never_after = np.iinfo(np.int64).min, np.iinfo(np.int64).max
    arrival = np.array([micros_or(d.arrival, never_before) for d in delegations], np.int64)
    departure = np.array([micros_or(d.departure, never_after) for d in delegations], np.int64)
    group, positions = s.delegations.group, s.delegations.positions
    early = s.start[positions] < arrival[group] if len(group) else np.zeros(0, bool)
    late = s.end[positions] > departure[group] if len(group) else np.zeros(0, bool)
    for i in np.flatnonzero(early | late).tolist():
        yield (s.events[positions[i]],), s.delegations.keys[group[i]], {"early": bool(early[i]), "late": bool(late[i])}


def venue_closed(s: EventIndex) -> Iterator[Finding]:
    for hours, positions in s.at_venues(lambda venue: venue.opening_hours).items():
        start, end = s.start[positions], s.end[positions]
        opens, closes = s.daily_micros(days_around(start, end), hours)
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


def capacity(s: EventIndex) -> Iterator[Finding]:
    limit_at = np.array([-1 if (c := s.plan.venues[key].capacity) is None else c for key in s.venues.keys], np.int64)
    limit = np.where(s.venue_of >= 0, limit_at[s.venue_of], -1)
    attendance = s.attendance()
    for position in np.flatnonzero((limit >= 0) & (attendance > limit)).tolist():
        event = s.events[position]
        yield (event,), event.venue, {"attendance": int(attendance[position]), "capacity": int(limit[position])}


def interpreter_missing(s: EventIndex) -> Iterator[Finding]:
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


def _interpreter_missing_event_by_event(s: EventIndex) -> Iterator[Finding]:
    plan = s.plan
    for position in np.flatnonzero(s.interpreted).tolist():
        event = s.events[position]
        spoken = {code for person in event.people for code in plan.people[person].languages}
        for delegation_id in event.delegations:
            languages = plan.delegations[delegation_id].languages
            if "de" not in languages and spoken.isdisjoint(languages):
                yield (event,), delegation_id, {"languages": languages}


def golden_book_venue(s: EventIndex) -> Iterator[Finding]:
    for event in s.golden_book:
        if event.venue is not None and not s.plan.venues[event.venue].golden_book:
            yield (event,), event.venue, {}


def golden_book_signatory(s: EventIndex) -> Iterator[Finding]:
    people = s.plan.people
    for event in s.golden_book:
        if not any(people[p].role in SIGNATORY_ROLES for p in event.people):
            yield (event,), None, {}


def golden_book_duplicate(s: EventIndex) -> Iterator[Finding]:
    signings: dict[str, list[Event]] = {}
    for event in s.golden_book:
        for delegation_id in event.delegations:
            signings.setdefault(delegation_id, []).append(event)
    for delegation_id, events in signings.items():
        if len(events) > 1:
            yield events, delegation_id, {}


def changeover(s: EventIndex) -> Iterator[Finding]:
    needed_at = np.array([s.plan.venues[key].changeover_min for key in s.venues.keys], np.float64)
    venue, a, b = s.venues.consecutive()
    gap = s.start[b] - s.end[a]
    needed = needed_at[venue]
    keep = (needed > 0) & (gap >= 0)
    venue, a, b, gap, needed = venue[keep], a[keep], b[keep], gap[keep] / MICROS_PER_MINUTE, needed[keep]
    for i in np.flatnonzero(gap < needed).tolist():
        yield (s.events[a[i]], s.events[b[i]]), s.venues.keys[venue[i]], {"gap": float(gap[i]), "needed": float(needed[i])}


def quiet_hours(s: EventIndex) -> Iterator[Finding]:
    quiet = s.plan.quiet_hours
    for positions in s.at_venues(lambda venue: venue.amplified).values():
        start, end = s.start[positions], s.end[positions]
        begins, ends = s.daily_micros(days_around(start, end), (quiet,))
        # Among the nights that begin before the event ends, does the latest ending one reach
        # past its start?
        latest_end = np.maximum.accumulate(ends)
        before = np.searchsorted(begins, end, "left") - 1
        loud = (before >= 0) & (latest_end[np.maximum(before, 0)] > start)
        for i in np.flatnonzero(loud).tolist():
            night = np.flatnonzero((begins < end[i]) & (ends > start[i]))[0]
            event = s.events[positions[i]]
            yield (
                (event,),
                event.venue,
                {
                    "quiet_start": from_micros(int(begins[night])),
                    "quiet_end": from_micros(int(ends[night])),
                },
            )


#: Rule id -> the function that finds its conflicts, in the order of SPEC §3.
RULE_FUNCTIONS: dict[str, Callable[[EventIndex], Iterator[Finding]]] = {name: globals()[name] for name in RULES}
