"""Free-slot suggestions: for one wanted appointment (duration, delegations, people, "one of"
groups such as the Lord Mayor or a deputy, candidate venues, time windows), the best k times
at which adding it creates no error conflict, ranked earliest first, then least travel, then
fewest warnings — each with the reason it is free.

How: the earliest free moment of any gap is where something ends — a window opens, an event of
one of the parties ends (plus the travel from its venue), an event at the venue ends (plus the
changeover), the venue opens, the quiet hours end, a delegation arrives. Only those moments are
candidates. Each is then checked exactly with the conflict engine, on the part of the plan the
appointment can clash with (the events of its venue and of its parties), so a suggestion is
free by the same rules as `check`.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from planner.errors import PlanError
from planner.plan.clock import WallClock, zone_named
from planner.plan.model import EVENT_KINDS, Event, Plan
from planner.plan.travel import TravelTimes
from planner.rules.engine import Conflict, check

MAX_COMBINATIONS = 500
CANDIDATE_ID = "\u0000wanted"


@dataclass(frozen=True)
class Want:
    """What is to be placed. `windows` are aware (start, end) pairs; `one_of` groups name
    people of whom exactly one must attend (e.g. the Lord Mayor or a deputy)."""

    title: str
    kind: str
    duration: timedelta
    windows: tuple[tuple[datetime, datetime], ...]
    venues: tuple[str, ...]
    delegations: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    one_of: tuple[tuple[str, ...], ...] = ()
    attendance: int | None = None


@dataclass
class Slot:
    start: datetime
    end: datetime
    venue: str
    people: tuple[str, ...]
    travel_minutes: float  # from the parties' previous stops (the longest)
    warnings: list[Conflict] = field(default_factory=list)
    reason: str = ""

    def event(self, want: Want, event_id: str) -> Event:
        return Event(
            event_id,
            want.title,
            want.kind,
            self.start,
            self.end,
            self.venue,
            want.delegations,
            self.people,
            attendance=want.attendance,
        )


def _validate(plan: Plan, want: Want) -> None:
    if want.kind not in EVENT_KINDS or want.kind == "unavailable":
        raise PlanError("kind", f"expected an event kind such as 'golden_book', got {want.kind!r}")
    if want.duration <= timedelta(0):
        raise PlanError("duration", "must be positive")
    if not want.venues:
        raise PlanError("venues", "name at least one candidate venue")
    if not want.windows:
        raise PlanError("windows", "name at least one time window")
    for start, end in want.windows:
        if start.tzinfo is None or end.tzinfo is None or end <= start:
            raise PlanError("windows", "each window needs an aware start before its end")
    for path, ids, known in (
        ("venues", want.venues, plan.venues),
        ("delegations", want.delegations, plan.delegations),
        ("people", want.people + tuple(p for group in want.one_of for p in group), plan.people),
    ):
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise PlanError(path, f"unknown {path[:-1] if path != 'people' else 'person'} {unknown[0]!r}")
    if any(not group for group in want.one_of):
        raise PlanError("one_of", "a one-of group needs at least one person")


def free_slots(plan: Plan, want: Want, k: int = 5, lang: str = "en", *, pile_up: int | None = None) -> list[Slot]:
    """The best `k` conflict-free slots for `want` (see the module's docstring); `pile_up` as in
    `check` (the app's pages bound their work with it)."""
    from planner.rules.messages import Describer

    _validate(plan, want)
    wall = WallClock(zone_named(plan.timezone, "timezone"))
    travel = TravelTimes(plan)
    describer = Describer(plan, lang)
    live = [e for e in plan.events if e.status != "cancelled"]
    choices = list(itertools.product(*want.one_of)) if want.one_of else [()]
    if len(choices) * len(want.venues) > MAX_COMBINATIONS:
        raise PlanError("one_of", f"more than {MAX_COMBINATIONS} combinations of venue and people to try")
    candidates: list[tuple[datetime, float, str, tuple[str, ...], str]] = []
    stops = _stops_by_party(live, set(want.delegations) | set(want.people) | {p for g in want.one_of for p in g})
    for venue_id, chosen in itertools.product(want.venues, choices):
        people = tuple(dict.fromkeys(want.people + tuple(chosen)))
        parties = set(people) | set(want.delegations)
        for start, why in _moments(plan, want, venue_id, parties, live, travel, wall, describer):
            candidates.append((start, _travel_before(stops, parties, venue_id, start, travel), venue_id, people, why))
    candidates.sort(key=lambda c: (c[0], c[1], c[2], c[3]))

    found: list[Slot] = []
    seen: set[tuple] = set()
    relevant: dict[tuple, Plan] = {}
    blocked: dict[tuple, _Blocked] = {}
    for start, minutes, venue_id, people, why in candidates:
        key = (start, venue_id, people)
        if key in seen:
            continue
        seen.add(key)
        quick = blocked.get((venue_id, people))
        if quick is None:
            quick = blocked[(venue_id, people)] = _Blocked(
                plan, live, venue_id, set(people) | set(want.delegations), want.delegations
            )
        if quick.certain(start, start + want.duration):
            continue  # an overlap the exact check would call an error anyway
        part = relevant.get((venue_id, people))
        if part is None:
            parties = set(people) | set(want.delegations)
            part = relevant[(venue_id, people)] = replace(
                plan,
                events=[
                    e
                    for e in plan.events
                    if e.venue == venue_id or parties.intersection(e.people) or parties.intersection(e.delegations)
                ],
            )
        slot = Slot(start, start + want.duration, venue_id, people, minutes, reason=why)
        candidate = slot.event(want, CANDIDATE_ID)
        mine = [c for c in check(replace(part, events=[*part.events, candidate]), pile_up=pile_up) if CANDIDATE_ID in c.events]
        if any(c.severity == "error" for c in mine):
            continue
        slot.warnings = mine
        found.append(slot)
        if len(found) >= k:
            break
    found.sort(key=lambda s: (s.start, s.travel_minutes, len(s.warnings), s.venue, s.people))
    return found


class _Blocked:
    """Cheap certainties before the exact check: a party already busy, a one-at-a-time venue
    already in use, a delegation not yet arrived or already gone."""

    def __init__(self, plan: Plan, live: list[Event], venue_id: str, parties: set[str], delegations: tuple[str, ...]):
        busy = sorted(
            (e.start, e.end)
            for e in live
            if parties.intersection(e.people)
            or parties.intersection(e.delegations)
            or (e.venue == venue_id and plan.venues[venue_id].max_parallel <= 1)
        )
        self.starts = [b for b, _ in busy]
        # The latest end among the intervals up to each index: one bisect answers "overlaps?".
        self.reach: list[datetime] = []
        for _, end in busy:
            self.reach.append(max(end, self.reach[-1]) if self.reach else end)
        stays = [plan.delegations[d] for d in delegations]
        self.arrival = max((d.arrival for d in stays if d.arrival), default=None)
        self.departure = min((d.departure for d in stays if d.departure), default=None)

    def certain(self, start: datetime, end: datetime) -> bool:
        if (self.arrival and start < self.arrival) or (self.departure and end > self.departure):
            return True
        before = bisect.bisect_left(self.starts, end)  # intervals starting before the end
        return before > 0 and self.reach[before - 1] > start


def _stops_by_party(live: list[Event], parties: set[str]) -> dict[str, tuple[list[datetime], list[Event]]]:
    """Each party's events with a venue, by end: (ends, events) for bisecting."""
    found: dict[str, list[Event]] = {party: [] for party in parties}
    for event in live:
        if event.venue:
            for party in parties.intersection(event.people) | parties.intersection(event.delegations):
                found[party].append(event)
    ordered = {}
    for party, events in found.items():
        events.sort(key=lambda e: (e.end, e.start, e.id))
        ordered[party] = ([e.end for e in events], events)
    return ordered


def _travel_before(stops: dict, parties: set[str], venue_id: str, start: datetime, travel: TravelTimes) -> float:
    """The longest travel to `venue_id` from a party's previous stop (the last to end by `start`)."""
    longest = 0.0
    for party in parties:
        ends, events = stops[party]
        index = bisect.bisect_right(ends, start)
        if index:
            longest = max(longest, travel.minutes(events[index - 1].venue, venue_id))
    return longest


def _moments(
    plan: Plan, want: Want, venue_id: str, parties: set[str], live: list[Event], travel: TravelTimes, wall: WallClock, describer
) -> list[tuple[datetime, str]]:
    """Candidate starts in the windows with the reason each is the start of a free gap."""
    venue = plan.venues[venue_id]
    ends: list[tuple[datetime, str]] = []
    for event in live:
        shares = parties.intersection(event.people) or parties.intersection(event.delegations)
        if shares:
            gap = travel.minutes(event.venue, venue_id) if event.venue else 0.0
            who = ", ".join(sorted(describer.person(p) if p in plan.people else describer.delegation(p) for p in shares))
            after = f"after “{event.title}” ({who}) ends at {describer.time(event.end)}"
            # Too little travel time is a warning, not an error: right at the end is a candidate
            # too, with its warning, as well as after the travel.
            ends.append((event.end, after))
            if gap >= 0.5:
                ends.append((event.end + timedelta(minutes=gap), f"{after} and {gap:.0f} min travel"))
        if event.venue == venue_id:
            ends.append(
                (
                    event.end + timedelta(minutes=venue.changeover_min),
                    f"after “{event.title}” at {venue.name} ends at {describer.time(event.end)}"
                    + (f" and the {venue.changeover_min:.0f} min changeover" if venue.changeover_min else ""),
                )
            )
    for delegation_id in want.delegations:
        arrival = plan.delegations[delegation_id].arrival
        if arrival:
            ends.append((arrival, f"once {describer.delegation(delegation_id)} has arrived"))
    moments: list[tuple[datetime, str]] = list(ends)
    for begins, finishes in want.windows:
        moments.append((begins, f"at the start of the window {describer.span(begins, finishes)}"))
        day = wall.local_date(begins)
        while wall.at(day, 0) <= finishes:
            for window in venue.opening_hours or ():
                moments.append((wall.at(day, window.open), f"when {venue.name} opens"))
            if venue.amplified:
                moments.append((wall.at(day, plan.quiet_hours.close), "when the quiet hours end"))
            day += timedelta(days=1)
    fitting: dict[datetime, str] = {}
    for moment, why in sorted(moments, key=lambda m: m[0]):
        moment = _round_up(moment)
        if moment not in fitting and any(b <= moment <= f - want.duration for b, f in want.windows):
            fitting[moment] = why
    return list(fitting.items())


def _round_up(moment: datetime, minutes: int = 5) -> datetime:
    """The next full five minutes (times people write down)."""
    epoch = moment.replace(minute=0, second=0, microsecond=0)
    passed = moment - epoch
    step = timedelta(minutes=minutes)
    return epoch + -(-passed // step) * step
