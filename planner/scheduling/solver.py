"""Automatic placement with OR-Tools CP-SAT: put requested items among the plan's fixed events so
that no rule of SPEC §3 breaks for what is placed, and move as few events as possible to repair
a broken plan.

The model, in words:

* Time is whole minutes from an origin; a start lies on a grid of `step` minutes (5 by
  default, the times people write down).
* Everything that does not depend on other placed items is folded into each item's *start
  domain*, per candidate venue: its windows, its delegations' stay, the venue's opening hours
  and quiet hours, the fixed events at the venue (with the changeover), other Golden Book
  signings (one book), `after` on plan events, and for every party (delegation or person) the
  fixed events of that party with the travel time from the one directly before and to the one
  directly after, exactly as `check` orders them. A person of a "one of" group adds their
  domain only when chosen.
* Between placed items: `NoOverlap` per party, per one-at-a-time venue (stretched by the
  changeover) and for the Golden Book; `Cumulative` for venues with `max_parallel` > 1 (their
  fixed events included); pairwise order with the travel time of the chosen venues for items
  that share a party; `after` between requests.
* Objective: every required item placed (a hard constraint); then optional items by priority
  (a higher priority outweighs all lower ones together); then less waiting (earlier within
  the windows, close after what an item follows) and less travel.

Travel between two placed items is required whenever they share a party, even when another
event lies between them; for travel times that obey the triangle inequality (all estimated
ones do) that is exactly the rule, otherwise it is on the safe side. The same holds for
changeovers at venues that run several events at once. `docs/scheduling.md` has the reading.
"""

from __future__ import annotations

import bisect
import math
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from ortools.sat.python import cp_model

from planner.plan.clock import ONE_DAY, WallClock, from_micros, micros, zone_named
from planner.plan.changes import raised_sequence
from planner.rules.engine import Conflict, check
from planner.plan.model import INTERPRETED_KINDS, RULES, SIGNATORY_ROLES, Event, Plan
from planner.scheduling.requests import Request
from planner.plan.travel import TravelTimes

STEP = 5
MICROS_PER_MINUTE = 60_000_000
#: Placing waits as little as it can: a minute of waiting costs 1, a minute of travel this much.
TRAVEL_WEIGHT = 2


@dataclass
class Item:
    """Something to place: a request, or (repair) an event that may move."""

    id: str
    title: str
    kind: str
    duration: int                                   # minutes
    venues: tuple[str, ...]
    windows: tuple[tuple[datetime, datetime], ...]
    delegations: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    one_of: tuple[tuple[str, ...], ...] = ()
    after: tuple[tuple[str, int], ...] = ()         # (plan event or item id, minimum gap in minutes)
    priority: int = 0
    required: bool = True
    attendance: int | None = None
    original: datetime | None = None                # repair: where the event is now
    event: Event | None = None                      # repair: the event itself


@dataclass
class Placement:
    item: Item
    start: datetime
    end: datetime
    venue: str
    people: tuple[str, ...]


@dataclass
class Blocker:
    """Why an item has no start at one venue (or at any): a layer that leaves nothing free."""

    what: str                     # window, stay, closed, quiet, venue, golden_book, party, one_of, after, ...
    venue: str | None = None
    party: str | None = None      # a delegation or person id, or a one-of group's first member
    group: tuple[str, ...] = ()
    events: tuple[Event, ...] = ()
    detail: dict = field(default_factory=dict)


@dataclass
class Outcome:
    placements: list[Placement]
    unplaced: list[Item]                              # optional items left out
    status: str                                       # optimal, feasible, infeasible, unknown
    objective: float | None = None
    bound: float | None = None
    seconds: float = 0.0
    stuck: dict[str, list[Blocker]] = field(default_factory=dict)   # item id -> why it fits nowhere alone
    timed_out: bool = False                           # the wall-clock limit, not the work limit, ended it
    core: list[str] = field(default_factory=list)     # required items that cannot all be placed together
    frame: Frame | None = None


# ---------------------------------------------------------------------------------------------
# Sets of whole minutes, as sorted disjoint closed intervals (OR-Tools domains).

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


def _allowed(pairs) -> Domain:
    return Domain.from_intervals([p for p in pairs if p is not None])


def _without(domain: Domain, forbidden) -> Domain:
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
        self.hard = {rule: on and (rule in ("travel_time", "changeover") or rules.severity_of(rule) == "error")
                     for rule, on in self.on.items()}
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

    def days(self, low: float, high: float):
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
        self.lenient = lenient   # repair: staying put does not need travel or changeover time
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
            add((Blocker("golden_book", events=tuple(f.event for f in near if _open(f.start - d, f.end))),
                 _without(EVERYTHING, busy)))
        for target, gap in item.after:
            event = frame.events.get(target)
            if event is not None:
                add((Blocker("after", events=(event,), detail={"gap": gap}),
                     _allowed([_closed(frame.minute(event.end) + gap, 2**40)])))
        for party in (*item.delegations, *item.people):
            add((Blocker("party", party=party), self.party(party)))

    def _venue_layer(self, venue, d: int) -> None:
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
        self.layers.append((Blocker("venue", venue=venue.id, events=tuple(f.event for f in near)),
                            _without(EVERYTHING, forbidden)))

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


def _static_blockers(frame: Frame, item: Item, venue_id: str) -> list[Blocker]:
    """What rules out a venue whatever the time."""
    plan, venue = frame.plan, frame.plan.venues[venue_id]
    found = []
    if item.kind == "golden_book" and frame.on["golden_book_venue"] and not venue.golden_book:
        found.append(Blocker("no_book", venue=venue_id))
    if frame.hard["capacity"] and venue.capacity is not None and _attendance(plan, item) > venue.capacity:
        found.append(Blocker("capacity", venue=venue_id, detail={"attendance": _attendance(plan, item),
                                                                 "capacity": venue.capacity}))
    if frame.on["venue_closed"] and venue.opening_hours == ():
        found.append(Blocker("closed", venue=venue_id))
    return found


def _speaks(plan: Plan, person: str, delegation: str) -> bool:
    return bool(set(plan.people[person].languages) & set(plan.delegations[delegation].languages))


class Model:
    """The CP-SAT model of a set of items among fixed events."""

    def __init__(self, frame: Frame, items: list[Item], *, repair: bool = False):
        self.frame, self.items, self.repair = frame, items, repair
        self.model = cp_model.CpModel()
        self.stuck: dict[str, list[Blocker]] = {}
        self.present: dict[str, cp_model.IntVar] = {}
        self.start: dict[str, cp_model.LinearExpr] = {}
        self.q: dict[str, cp_model.IntVar] = {}
        self.venue_lit: dict[str, dict[str, object]] = {}
        self.chosen: dict[str, dict[tuple[int, str], object]] = {}
        self.attends: dict[str, dict[str, object]] = {}
        self.hull: dict[str, tuple[int, int]] = {}
        self.moved: dict[str, object] = {}
        self.costs: list = []
        self.cost_bound = 0
        self._build()

    # -- one item ---------------------------------------------------------------------------

    def _offset(self, item: Item) -> int:
        if item.original is not None:
            return round(self.frame.minute(item.original))
        return 0

    def _grid(self, domain: Domain, offset: int) -> Domain:
        step = self.frame.step
        parts = []
        for a, b in zip(domain.flattened_intervals()[0::2], domain.flattened_intervals()[1::2]):
            low, high = -((offset - a) // step), (b - offset) // step
            if low <= high:
                parts.append([low, high])
        return Domain.from_intervals(parts)

    def _item(self, item: Item) -> None:
        frame, m = self.frame, self.model
        offset = self._offset(item)
        options: dict[str, Domain] = {}
        layers_of: dict[str, Layers] = {}
        blockers: list[Blocker] = []
        for venue_id in item.venues:
            static = _static_blockers(frame, item, venue_id)
            if static:
                blockers.extend(static)
                continue
            layers = layers_of[venue_id] = Layers(frame, item, venue_id)
            free = self._grid(layers.free(), offset)
            if item.original is not None:
                # Staying put needs no travel or changeover time (that was a warning, not an error).
                stay = Layers(frame, item, venue_id, lenient=True).free()
                if stay.contains(offset):
                    free = free.union_with(Domain(0, 0))
            if free.is_empty():
                blockers.append(Blocker("time", venue=venue_id))
                continue
            options[venue_id] = free
        groups: list[dict[str, dict[str, Domain]]] = []
        for group in item.one_of:
            per_person: dict[str, dict[str, Domain]] = {}
            for person in group:
                for venue_id, free in options.items():
                    mine = free.intersection_with(self._grid(layers_of[venue_id].party(person), offset))
                    if not mine.is_empty():
                        per_person.setdefault(person, {})[venue_id] = mine
            groups.append(per_person)
        if not options:
            self.stuck[item.id] = blockers
            return
        empty = [Blocker("one_of", group=group) for group, per_person in zip(item.one_of, groups) if not per_person]
        needs = self._needs(item)
        unmet = [label for label, who in needs.items() if not any(set(g) & who for g in groups)]
        if empty or unmet:
            self.stuck[item.id] = empty + [Blocker(label) for label in unmet]
            return

        present = m.new_constant(1) if item.required else m.new_bool_var(f"placed {item.id}")
        self.present[item.id] = present
        union = NOTHING
        for free in options.values():
            union = union.union_with(free)
        q = m.new_int_var_from_domain(union, f"q {item.id}")
        self.q[item.id] = q
        start = q * frame.step + offset
        self.start[item.id] = start
        flat = union.flattened_intervals()
        self.hull[item.id] = (flat[0] * frame.step + offset, flat[-1] * frame.step + offset + item.duration)
        if len(options) == 1:
            lits = {next(iter(options)): present}
        else:
            lits = {v: m.new_bool_var(f"{item.id} at {v}") for v in options}
            m.add(sum(lits.values()) == present)
            for venue_id, free in options.items():
                m.add_linear_expression_in_domain(q, free).only_enforce_if(lits[venue_id])
        self.venue_lit[item.id] = lits

        attends: dict[str, list] = {p: [present] for p in item.people}
        chosen: dict[tuple[int, str], object] = {}
        for number, per_person in enumerate(groups):
            if len(per_person) == 1:
                person = next(iter(per_person))
                chosen[(number, person)] = present
            else:
                for person in per_person:
                    chosen[(number, person)] = m.new_bool_var(f"{item.id} with {person}")
                m.add(sum(chosen[(number, p)] for p in per_person) == present)
            for person, venues in per_person.items():
                lit = chosen[(number, person)]
                attends.setdefault(person, []).append(lit)
                for venue_id in options:
                    if venue_id not in venues:
                        m.add_bool_or([lits[venue_id].negated(), lit.negated()])
                    elif not venues[venue_id].is_included_in(options[venue_id]) or \
                            not options[venue_id].is_included_in(venues[venue_id]):
                        m.add_linear_expression_in_domain(q, venues[venue_id]).only_enforce_if([lits[venue_id], lit])
        self.chosen[item.id] = chosen
        for who in needs.values():
            m.add_bool_or([lit for (_, p), lit in chosen.items() if p in who]).only_enforce_if(present)
        mine = {}
        for person, lits_of in attends.items():
            if any(lit is present for lit in lits_of):
                mine[person] = present
            elif len(lits_of) == 1:
                mine[person] = lits_of[0]
            else:
                either = m.new_bool_var(f"{item.id} has {person}")
                m.add_max_equality(either, lits_of)
                mine[person] = either
        for delegation in item.delegations:
            mine[delegation] = present
        self.attends[item.id] = mine

        # Costs: waiting (later within its windows) and travel to the chosen venue.
        if item.original is not None:
            shift = m.new_int_var(0, max(abs(flat[0]), abs(flat[-1])), f"shift {item.id}")
            m.add_abs_equality(shift, q)
            moved = m.new_bool_var(f"moved {item.id}")
            m.add(q == 0).only_enforce_if(moved.negated())
            m.add(q != 0).only_enforce_if(moved)
            self.moved[item.id] = moved
            self.costs.append(shift)
            self.cost_bound += max(abs(flat[0]), abs(flat[-1]))
        else:
            self.costs.append(q - flat[0])
            self.cost_bound += flat[-1] - flat[0]
            for venue_id, lit in lits.items():
                minutes = self._travel_cost(item, venue_id)
                if minutes and len(lits) > 1:
                    self.costs.append(TRAVEL_WEIGHT * minutes * lit)
                    self.cost_bound += TRAVEL_WEIGHT * minutes

    def _needs(self, item: Item) -> dict[str, set[str]]:
        """People the item still needs one of (a signatory; an interpreter for each delegation
        that does not speak German), as the members of its groups who would do (maybe none)."""
        plan, frame = self.frame.plan, self.frame
        found: dict[str, set[str]] = {}
        candidates = {p for g in item.one_of for p in g}
        if item.kind == "golden_book" and frame.on["golden_book_signatory"]:
            if not any(plan.people[p].role in SIGNATORY_ROLES for p in item.people):
                found["signatory"] = {p for p in candidates if plan.people[p].role in SIGNATORY_ROLES}
        if item.kind in INTERPRETED_KINDS and frame.hard["interpreter_missing"]:
            for delegation in item.delegations:
                if "de" in plan.delegations[delegation].languages:
                    continue
                if not any(_speaks(plan, p, delegation) for p in item.people):
                    found[f"interpreter:{delegation}"] = {p for p in candidates if _speaks(plan, p, delegation)}
        return found

    def _travel_cost(self, item: Item, venue_id: str) -> int:
        """Travel from the item's plan-event predecessors and from its parties' nearest fixed
        stops within its windows (a stand-in for the day's route)."""
        frame = self.frame
        total = 0
        for target, _ in item.after:
            event = frame.events.get(target)
            if event is not None and event.venue:
                total += frame.trip(event.venue, venue_id)
        low, high = frame.span(item)
        for party in (*item.delegations, *item.people):
            index = frame.by_party.get(party)
            if index:
                trips = [frame.trip(f.venue, venue_id) for f in frame.near(index, low, high, 0) if f.venue]
                if trips:
                    total += min(trips)
        return total

    # -- between items ----------------------------------------------------------------------

    def _build(self) -> None:
        frame, plan, m = self.frame, self.frame.plan, self.model
        for item in self.items:
            self._item(item)
        placed = [i for i in self.items if i.id in self.present]
        by_id = {i.id: i for i in placed}
        # An item after an item that cannot be placed cannot be placed either.
        for item in placed:
            for target, gap in item.after:
                if target in self.stuck or (target not in by_id and target not in frame.events):
                    m.add(self.present[item.id] == 0)
                elif target in by_id:
                    m.add_implication(self.present[item.id], self.present[target])
                    m.add(self.start[item.id] >= self.start[target] + by_id[target].duration + gap) \
                        .only_enforce_if(self.present[item.id])
                    if item.original is None:
                        # Waiting after what it follows (nothing when it is left out).
                        bound = max(0, self.hull[item.id][1] - self.hull[target][0])
                        waiting = m.new_int_var(0, bound, f"{item.id} waits")
                        m.add(waiting >= self.start[item.id] - self.start[target] - by_id[target].duration - gap) \
                            .only_enforce_if(self.present[item.id])
                        self.costs.append(waiting)
                        self.cost_bound += bound

        party_members: dict[str, list[Item]] = defaultdict(list)
        for item in placed:
            for party in self.attends[item.id]:
                party_members[party].append(item)
        for party, members in party_members.items():
            overlap = frame.on["person_overlap" if party in plan.people else "delegation_overlap"]
            if overlap and len(members) > 1:
                m.add_no_overlap([m.new_optional_fixed_size_interval_var(
                    self.start[i.id], i.duration, self.attends[i.id][party], f"{i.id} for {party}") for i in members])

        at_venue: dict[str, list[Item]] = defaultdict(list)
        for item in placed:
            for venue_id in self.venue_lit[item.id]:
                at_venue[venue_id].append(item)
        for venue_id, members in at_venue.items():
            self._venue(venue_id, members)

        books = [i for i in placed if i.kind == "golden_book"]
        if len(books) > 1:
            m.add_no_overlap([m.new_optional_fixed_size_interval_var(self.start[i.id], i.duration, self.present[i.id],
                                                              f"book {i.id}") for i in books])
        if frame.hard["golden_book_duplicate"]:
            self._one_signing_each(books)
        self._travel_pairs(placed, party_members)

    def _venue(self, venue_id: str, members: list[Item]) -> None:
        frame, m = self.frame, self.model
        venue = frame.plan.venues[venue_id]
        change = math.ceil(venue.changeover_min) if frame.hard["changeover"] else 0
        if self.repair and frame.soft["changeover"]:
            change = 0  # events that stay keep what they had; a warning is not worth a move
        lit = {i.id: self.venue_lit[i.id][venue_id] for i in members}
        if venue.max_parallel <= 1:
            if frame.on["venue_overlap"] and len(members) > 1:
                m.add_no_overlap([m.new_optional_fixed_size_interval_var(self.start[i.id], i.duration + change, lit[i.id],
                                                                  f"{i.id} in {venue_id}") for i in members])
            return
        if frame.on["venue_overlap"]:
            low = min(self.hull[i.id][0] for i in members)
            high = max(self.hull[i.id][1] for i in members)
            fixed = []
            index = frame.by_venue.get(venue_id)
            for f in (frame.near(index, low, high, 0) if index else []):
                if f.end > low and f.start < high:
                    a, b = math.floor(f.start), math.ceil(f.end)
                    fixed.append(m.new_fixed_size_interval_var(a, b - a, f"fixed {f.event.id}"))
            ours = [m.new_optional_fixed_size_interval_var(self.start[i.id], i.duration, lit[i.id], f"{i.id} in {venue_id}")
                    for i in members]
            m.add_cumulative(ours + fixed, [1] * (len(ours) + len(fixed)), venue.max_parallel)
        if change:
            for x, a in enumerate(members):
                for b in members[x + 1:]:
                    if not self._near(a, b, change):
                        continue
                    apart_ab, apart_ba, together = (m.new_bool_var(""), m.new_bool_var(""), m.new_bool_var(""))
                    m.add_bool_or([apart_ab, apart_ba, together]).only_enforce_if([lit[a.id], lit[b.id]])
                    m.add(self.start[b.id] >= self.start[a.id] + a.duration + change).only_enforce_if(apart_ab)
                    m.add(self.start[a.id] >= self.start[b.id] + b.duration + change).only_enforce_if(apart_ba)
                    m.add(self.start[b.id] < self.start[a.id] + a.duration).only_enforce_if(together)
                    m.add(self.start[a.id] < self.start[b.id] + b.duration).only_enforce_if(together)

    def _one_signing_each(self, books: list[Item]) -> None:
        by_delegation: dict[str, list[Item]] = defaultdict(list)
        for item in books:
            for delegation in item.delegations:
                by_delegation[delegation].append(item)
        existing = defaultdict(int)
        for event in self.frame.events.values():
            if event.kind == "golden_book" and event.status != "cancelled":
                for delegation in event.delegations:
                    existing[delegation] += 1
        for delegation, items in by_delegation.items():
            self.model.add(sum(self.present[i.id] for i in items) <= max(0, 1 - existing[delegation]))

    def _near(self, a: Item, b: Item, pad: int) -> bool:
        (a0, a1), (b0, b1) = self.hull[a.id], self.hull[b.id]
        return a0 < b1 + pad and b0 < a1 + pad

    def _travel_pairs(self, placed: list[Item], by_party: dict[str, list[Item]]) -> None:
        """Items that share a party keep apart by the travel between their venues."""
        frame, m = self.frame, self.model
        longest = max((frame.trip(a, b) for a in frame.plan.venues for b in frame.plan.venues), default=0) \
            if len(frame.plan.venues) <= 60 else 24 * 60
        # Lists and dicts, not sets: the model must be built in the same order on every run.
        pairs: dict[tuple[str, str], dict[str, None]] = defaultdict(dict)
        for party, members in by_party.items():
            members = sorted(members, key=lambda i: self.hull[i.id])
            for x, a in enumerate(members):
                for b in members[x + 1:]:
                    if self.hull[b.id][0] >= self.hull[a.id][1] + longest:
                        break
                    pairs[(a.id, b.id)][party] = None
        items = {i.id: i for i in placed}
        for (a_id, b_id), parties in pairs.items():
            a, b = items[a_id], items[b_id]
            if not any(frame.trip(x, y) or frame.trip(y, x) for x in self.venue_lit[a_id] for y in self.venue_lit[b_id]):
                continue  # the party's NoOverlap already keeps them apart
            share = m.new_bool_var(f"{a_id} shares with {b_id}")
            for party in parties:
                m.add_bool_or([self.attends[a_id][party].negated(), self.attends[b_id][party].negated(), share])
            first = m.new_bool_var(f"{a_id} before {b_id}")
            enforce = [share]
            if self.repair and frame.soft["travel_time"]:
                # Two events that stay where they are keep their (warning-level) travel gap.
                either = m.new_bool_var(f"{a_id} or {b_id} moved")
                m.add_max_equality(either, [self.moved.get(a_id, m.new_constant(0)),
                                          self.moved.get(b_id, m.new_constant(0))])
                enforce.append(either)
            self._apart(a, b, first, enforce)
            self._apart(b, a, first.negated(), enforce)

    def _apart(self, a: Item, b: Item, order, enforce: list) -> None:
        """If `order`: b starts no earlier than a's end plus the travel between their venues."""
        frame, m = self.frame, self.model
        lits_b = self.venue_lit[b.id]
        for venue_a, lit_a in self.venue_lit[a.id].items():
            if len(lits_b) == 1:
                gap = frame.trip(venue_a, next(iter(lits_b)))
            else:
                gap = sum(frame.trip(venue_a, venue_b) * lit for venue_b, lit in lits_b.items())
            m.add(self.start[b.id] >= self.start[a.id] + a.duration + gap).only_enforce_if([*enforce, order, lit_a])

    # -- solving ----------------------------------------------------------------------------

    def weights(self) -> dict[str, int]:
        """Weights of optional items: one of a higher priority outweighs all lower ones."""
        optional = [i for i in self.items if i.id in self.present and not i.required]
        levels = sorted({i.priority for i in optional})
        weight_of, below = {}, 0
        for level in levels:
            weight_of[level] = below + 1
            below += weight_of[level] * sum(1 for i in optional if i.priority == level)
        return {i.id: weight_of[i.priority] for i in optional}

    def objective(self) -> None:
        """Moves (repair) or left-out optional items first, each outweighing all the waiting and
        travel together; then waiting and travel."""
        big = self.cost_bound + 1
        if self.repair:
            first = big * sum(self.moved.values())
        else:
            first = -big * sum(w * self.present[i] for i, w in self.weights().items())
        self.model.minimize(first + sum(self.costs))


#: Default search budget in CP-SAT's deterministic work units (about 3 s of work on a 2-core
#: machine each): what stops the search when the time limit does not, so that the same input
#: and seed give the same plan whatever the machine's load.
WORK_LIMIT = 3.0


def solver(time_limit: float, seed: int, workers: int, work_limit: float | None = WORK_LIMIT) -> cp_model.CpSolver:
    found = cp_model.CpSolver()
    p = found.parameters
    p.max_time_in_seconds = time_limit
    if work_limit is not None:
        p.max_deterministic_time = work_limit
    p.random_seed = seed
    p.num_workers = workers
    # Workers run in deterministic batches: the same input and seed give the same plan (as
    # long as the search ends by itself or by the work limit, not by the wall-clock limit).
    p.interleave_search = True
    return found


STATUS = {cp_model.OPTIMAL: "optimal", cp_model.FEASIBLE: "feasible", cp_model.INFEASIBLE: "infeasible",
          cp_model.MODEL_INVALID: "invalid", cp_model.UNKNOWN: "unknown"}


def _read(model: Model, solver_: cp_model.CpSolver) -> list[Placement]:
    frame = model.frame
    found = []
    for item in model.items:
        if item.id not in model.present or not solver_.boolean_value(model.present[item.id]):
            continue
        if item.original is not None and solver_.value(model.q[item.id]) == 0:
            start = item.original  # exactly where it was, seconds and all
        else:
            start = frame.instant(solver_.value(model.start[item.id]))
        venue = next(v for v, lit in model.venue_lit[item.id].items() if solver_.boolean_value(lit))
        chosen = [p for (n, p), lit in sorted(model.chosen[item.id].items()) if solver_.boolean_value(lit)]
        people = tuple(dict.fromkeys((*item.people, *chosen)))
        found.append(Placement(item, start, start + timedelta(minutes=item.duration), venue, people))
    return found


def place(plan: Plan, items: list[Item], fixed: list[Event] | None = None, *, step: int = STEP,
          time_limit: float = 10.0, seed: int = 0, workers: int = 2, work_limit: float | None = WORK_LIMIT,
          repair: bool = False) -> Outcome:
    """Place `items` among `fixed` (the plan's events by default); see the module docstring."""
    began = time.perf_counter()
    fixed = plan.events if fixed is None else fixed
    if not items:
        return Outcome([], [], "optimal", 0, 0)  # nothing to place
    earliest = min(a for i in items for a, _ in i.windows)
    origin = from_micros(micros(earliest) // (3_600_000_000) * 3_600_000_000) - timedelta(days=2)
    frame = Frame(plan, fixed, origin, step=step)
    model = Model(frame, items, repair=repair)
    stuck_required = [i for i in items if i.id in model.stuck and i.required]
    if stuck_required:
        return Outcome([], [], "infeasible", stuck={i.id: model.stuck[i.id] for i in items if i.id in model.stuck},
                       seconds=time.perf_counter() - began, frame=frame)
    model.objective()
    solving = solver(time_limit, seed, workers, work_limit)
    status = solving.solve(model.model)
    name = STATUS[status]
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        outcome = Outcome([], [], name, stuck=dict(model.stuck), seconds=time.perf_counter() - began, frame=frame)
        if status == cp_model.INFEASIBLE:
            outcome.core = _core(frame, items, repair, time_limit, seed)
        return outcome
    placements = _read(model, solving)
    placed = {p.item.id for p in placements}
    timed_out = name == "feasible" and solving.wall_time >= time_limit * 0.98
    return Outcome(placements, [i for i in items if i.id not in placed], name, solving.objective_value,
                   solving.best_objective_bound, time.perf_counter() - began, dict(model.stuck),
                   timed_out=timed_out, frame=frame)


def _core(frame: Frame, items: list[Item], repair: bool, time_limit: float, seed: int) -> list[str]:
    """A small set of required items that cannot all be placed together: every required item
    becomes optional, their placement is assumed, and the assumptions the solver needed for
    its proof are then thinned one by one."""
    relaxed = [replace(i, required=False) for i in items]
    required = [i.id for i in items if i.required]

    def infeasible(ids: list[str]) -> tuple[bool, list[str]]:
        trial = Model(frame, relaxed, repair=repair)
        trial.model.clear_objective()
        lits = [trial.present[i] for i in ids]
        trial.model.add_assumptions(lits)
        solving = solver(max(1.0, time_limit / 4), seed, 1, None)
        solving.parameters.interleave_search = False
        status = solving.solve(trial.model)
        if status != cp_model.INFEASIBLE:
            return False, ids
        used = {index for index in solving.sufficient_assumptions_for_infeasibility()}
        names = [i for i in ids if trial.present[i].index in used] or ids
        return True, names

    ok, core = infeasible(required)
    if not ok:
        return required
    for candidate in list(core):
        if len(core) <= 1:
            break
        rest = [i for i in core if i != candidate]
        still, smaller = infeasible(rest)
        if still:
            core = [i for i in rest if i in smaller] or rest
    return core


def to_event(placement: Placement, request: Request | None = None) -> Event:
    """The plan event of a placement: a new tentative event for a request; for a moved event
    the same event at its new time, its calendar sequence raised so that calendars update."""
    item = placement.item
    if item.event is not None:
        event = item.event
        if event.start == placement.start:
            return event
        return replace(event, start=placement.start, end=placement.start + (event.end - event.start),
                       sequence=raised_sequence(event))
    return Event(item.id, item.title, item.kind, placement.start, placement.end, placement.venue, item.delegations,
                 placement.people, status="tentative", public=request.public if request else False,
                 attendance=item.attendance, notes=request.notes if request else "")


def item_of(request: Request) -> Item:
    return Item(request.id, request.title, request.kind, int(request.duration.total_seconds() // 60), request.venues,
                request.windows, request.delegations, request.people, request.one_of,
                tuple((a.id, int(a.gap.total_seconds() // 60)) for a in request.after), request.priority,
                request.required, request.attendance)


def schedule(plan: Plan, requests: list[Request], **options) -> tuple[Plan, Outcome]:
    """The plan with the requests placed (as tentative events), and how it went. The plan is
    unchanged unless every required request is placed."""
    outcome = place(plan, [item_of(r) for r in requests], **options)
    if outcome.status not in ("optimal", "feasible"):
        return plan, outcome
    by_id = {r.id: r for r in requests}
    added = [to_event(p, by_id[p.item.id]) for p in outcome.placements]
    return replace(plan, events=[*plan.events, *added]), outcome


def troubles(plan: Plan, ids: set[str], conflicts: list[Conflict] | None = None) -> list[Conflict]:
    """Conflicts `place` promises to avoid that involve one of `ids`: every error, and travel
    and changeover warnings (among `conflicts`, if the plan's are at hand already)."""
    return [c for c in (check(plan) if conflicts is None else conflicts) if ids.intersection(c.events)
            and (c.severity == "error" or c.rule in ("travel_time", "changeover"))]
