"""The CP-SAT model of placing items among the fixed events: their starts, what keeps them apart, the objective.

* Each item's start ranges over its start domains (`planner.scheduling.start_domains`), one
  per candidate venue, on the grid; a person of a "one of" group adds their domain only when
  chosen.
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

import math
from collections import defaultdict
from collections.abc import Sequence

from ortools.sat.python import cp_model

from planner.plan.model import INTERPRETED_KINDS, SIGNATORY_ROLES, Plan
from planner.scheduling.items import Blocker, Item
from planner.scheduling.start_domains import NOTHING, Domain, Frame, Layers, static_blockers

#: Placing waits as little as it can: a minute of waiting costs 1, a minute of travel this much.
TRAVEL_WEIGHT = 2


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
        # Literals: a model's Boolean variables and constants.
        self.venue_lit: dict[str, dict[str, cp_model.IntVar]] = {}
        self.chosen: dict[str, dict[tuple[int, str], cp_model.IntVar]] = {}
        self.attends: dict[str, dict[str, cp_model.IntVar]] = {}
        self.hull: dict[str, tuple[int, int]] = {}
        self.moved: dict[str, cp_model.IntVar] = {}
        self.costs: list[cp_model.LinearExpr] = []
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
            static = static_blockers(frame, item, venue_id)
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

        attends: dict[str, list[cp_model.IntVar]] = {p: [present] for p in item.people}
        chosen: dict[tuple[int, str], cp_model.IntVar] = {}
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
                    elif not venues[venue_id].is_included_in(options[venue_id]) or not options[venue_id].is_included_in(
                        venues[venue_id]
                    ):
                        m.add_linear_expression_in_domain(q, venues[venue_id]).only_enforce_if([lits[venue_id], lit])
        self.chosen[item.id] = chosen
        for who in needs.values():
            m.add_bool_or([lit for (_, p), lit in chosen.items() if p in who]).only_enforce_if(present)
        attending: dict[str, cp_model.IntVar] = {}
        for person, lits_of in attends.items():
            if any(lit is present for lit in lits_of):
                attending[person] = present
            elif len(lits_of) == 1:
                attending[person] = lits_of[0]
            else:
                either = m.new_bool_var(f"{item.id} has {person}")
                m.add_max_equality(either, lits_of)
                attending[person] = either
        for delegation in item.delegations:
            attending[delegation] = present
        self.attends[item.id] = attending

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
                    m.add(self.start[item.id] >= self.start[target] + by_id[target].duration + gap).only_enforce_if(
                        self.present[item.id]
                    )
                    if item.original is None:
                        # Waiting after what it follows (nothing when it is left out).
                        bound = max(0, self.hull[item.id][1] - self.hull[target][0])
                        waiting = m.new_int_var(0, bound, f"{item.id} waits")
                        m.add(waiting >= self.start[item.id] - self.start[target] - by_id[target].duration - gap).only_enforce_if(
                            self.present[item.id]
                        )
                        self.costs.append(waiting)
                        self.cost_bound += bound

        party_members: dict[str, list[Item]] = defaultdict(list)
        for item in placed:
            for party in self.attends[item.id]:
                party_members[party].append(item)
        for party, members in party_members.items():
            overlap = frame.on["person_overlap" if party in plan.people else "delegation_overlap"]
            if overlap and len(members) > 1:
                m.add_no_overlap(
                    [
                        m.new_optional_fixed_size_interval_var(
                            self.start[i.id], i.duration, self.attends[i.id][party], f"{i.id} for {party}"
                        )
                        for i in members
                    ]
                )

        at_venue: dict[str, list[Item]] = defaultdict(list)
        for item in placed:
            for venue_id in self.venue_lit[item.id]:
                at_venue[venue_id].append(item)
        for venue_id, members in at_venue.items():
            self._venue(venue_id, members)

        books = [i for i in placed if i.kind == "golden_book"]
        if len(books) > 1:
            m.add_no_overlap(
                [
                    m.new_optional_fixed_size_interval_var(self.start[i.id], i.duration, self.present[i.id], f"book {i.id}")
                    for i in books
                ]
            )
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
                m.add_no_overlap(
                    [
                        m.new_optional_fixed_size_interval_var(
                            self.start[i.id], i.duration + change, lit[i.id], f"{i.id} in {venue_id}"
                        )
                        for i in members
                    ]
                )
            return
        if frame.on["venue_overlap"]:
            low = min(self.hull[i.id][0] for i in members)
            high = max(self.hull[i.id][1] for i in members)
            fixed = []
            index = frame.by_venue.get(venue_id)
            for f in frame.near(index, low, high, 0) if index else []:
                if f.end > low and f.start < high:
                    begin, end = math.floor(f.start), math.ceil(f.end)
                    fixed.append(m.new_fixed_size_interval_var(begin, end - begin, f"fixed {f.event.id}"))
            ours = [
                m.new_optional_fixed_size_interval_var(self.start[i.id], i.duration, lit[i.id], f"{i.id} in {venue_id}")
                for i in members
            ]
            m.add_cumulative(ours + fixed, [1] * (len(ours) + len(fixed)), venue.max_parallel)
        if change:
            for x, a in enumerate(members):
                for b in members[x + 1 :]:
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
        existing: defaultdict[str, int] = defaultdict(int)
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
        longest = (
            max((frame.trip(a, b) for a in frame.plan.venues for b in frame.plan.venues), default=0)
            if len(frame.plan.venues) <= 60
            else 24 * 60
        )
        # Lists and dicts, not sets: the model must be built in the same order on every run.
        pairs: dict[tuple[str, str], dict[str, None]] = defaultdict(dict)
        for party, members in by_party.items():
            members = sorted(members, key=lambda i: self.hull[i.id])
            for x, a in enumerate(members):
                for b in members[x + 1 :]:
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
                m.add_max_equality(either, [self.moved.get(a_id, m.new_constant(0)), self.moved.get(b_id, m.new_constant(0))])
                enforce.append(either)
            self._apart(a, b, first, enforce)
            self._apart(b, a, first.negated(), enforce)

    def _apart(self, a: Item, b: Item, order: cp_model.BoolVarT, enforce: Sequence[cp_model.BoolVarT]) -> None:
        """If `order`: b starts no earlier than a's end plus the travel between their venues."""
        frame, m = self.frame, self.model
        lits_b = self.venue_lit[b.id]
        for venue_a, lit_a in self.venue_lit[a.id].items():
            gap: int | cp_model.LinearExpr
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
