"""Repair with minimal change: remove every error conflict by moving as few events as possible,
by as little as possible, and never an event marked `pinned` (nor busy time, which is someone's
diary, not the office's to move).

Which events may move: those in an error conflict that are not pinned, not `unavailable` and
not cancelled. They become items that must be placed at their own venue with their own people,
within `max_shift` of where they are; the objective counts moved events first, then the
minutes they move. If that cannot work, the events next to them (sharing a party or a venue,
within reach in time) may move too. Errors no move can cure — a venue too small, a signing
without a signatory, two pinned events at once — are reported and nothing is changed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta

from planner.plan.model import Event, Plan
from planner.rules.change_preview import changed_plan
from planner.rules.engine import Conflict, check
from planner.scheduling.items import Item, Outcome, to_event
from planner.scheduling.solving import WORK_LIMIT, place
from planner.scheduling.start_domains import STEP

#: Rules whose errors depend only on the event's venue, people and kind, not on its time.
TIMELESS = frozenset(("capacity", "interpreter_missing", "golden_book_venue", "golden_book_signatory", "golden_book_duplicate"))
EXPANSIONS = 2


@dataclass
class Move:
    before: Event
    after: Event


@dataclass
class Repair:
    plan: Plan
    moves: list[Move] = field(default_factory=list)
    unfixable: list[Conflict] = field(default_factory=list)  # errors no move can cure
    outcome: Outcome | None = None
    items: list[Item] = field(default_factory=list)
    errors_before: int = 0

    @property
    def repaired(self) -> bool:
        return not self.unfixable and (self.outcome is None or self.outcome.status in ("optimal", "feasible"))


def movable(event: Event) -> bool:
    return not event.pinned and event.kind != "unavailable" and event.status != "cancelled"


def _item(event: Event, max_shift: timedelta) -> Item:
    assert event.venue is not None  # only `unavailable` events have no venue, and they never move
    minutes = math.ceil((event.end - event.start).total_seconds() / 60)
    return Item(
        event.id,
        event.title,
        event.kind,
        minutes,
        (event.venue,),
        ((event.start - max_shift, event.end + max_shift),),
        event.delegations,
        event.people,
        attendance=event.attendance,
        original=event.start,
        event=event,
    )


def _neighbours(events: dict[str, Event], chosen: set[str], max_shift: timedelta) -> set[str]:
    """Movable events that share a party or venue with a chosen one and lie within reach."""
    reach = max_shift + timedelta(hours=2)
    keys: dict[str, list[Event]] = {}
    for event in events.values():
        if event.id in chosen:
            for key in (event.venue, *event.people, *event.delegations):
                if key:
                    keys.setdefault(key, []).append(event)
    found = set()
    for event in events.values():
        if event.id in chosen or not movable(event):
            continue
        for key in (event.venue, *event.people, *event.delegations):
            # `keys` holds no empty key: a missing venue (None) matches nothing.
            if key and any(other.start - reach < event.end and event.start < other.end + reach for other in keys.get(key, ())):
                found.add(event.id)
                break
    return found


def repair(
    plan: Plan,
    *,
    max_shift: timedelta = timedelta(hours=12),
    step: int = STEP,
    time_limit: float = 10.0,
    seed: int = 0,
    workers: int = 2,
    work_limit: float | None = WORK_LIMIT,
) -> Repair:
    """The plan with its error conflicts removed by moving events (see the module docstring)."""
    errors = [c for c in check(plan) if c.severity == "error"]
    if not errors:
        return Repair(plan)
    events = {e.id: e for e in plan.events}
    unfixable = [c for c in errors if c.rule in TIMELESS or not any(movable(events[i]) for i in c.events)]
    if unfixable:
        return Repair(plan, unfixable=unfixable, errors_before=len(errors))
    chosen = {i for c in errors for i in c.events if movable(events[i])}
    outcome, items = None, []
    for _ in range(EXPANSIONS + 1):
        items = [_item(events[i], max_shift) for i in sorted(chosen)]
        fixed = [e for e in plan.events if e.id not in chosen]
        outcome = place(
            plan, items, fixed, step=step, time_limit=time_limit, seed=seed, workers=workers, work_limit=work_limit, repair=True
        )
        if outcome.status in ("optimal", "feasible"):
            break
        more = _neighbours(events, chosen, max_shift)
        if not more:
            break
        chosen |= more
    assert outcome is not None  # the loop above runs at least once
    if outcome.status not in ("optimal", "feasible"):
        return Repair(plan, outcome=outcome, items=items, errors_before=len(errors))
    moves = []
    for p in outcome.placements:
        before = p.item.event
        assert before is not None  # every item of a repair is made from an event (`_item`)
        if p.start != before.start:
            moves.append(Move(before, to_event(p)))
    moves.sort(key=lambda m: (m.before.start, m.before.id))
    return Repair(changed_plan(plan, [m.after for m in moves]), moves, outcome=outcome, items=items, errors_before=len(errors))
