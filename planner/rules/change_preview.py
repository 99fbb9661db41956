"""What a change would do to the plan's conflicts, shown before it is saved."""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace

from planner.plan.clock import WallClock, zone_named
from planner.plan.model import Event, Plan
from planner.plan.reading import parse_event
from planner.rules.engine import Conflict, check


@dataclass
class Preview:
    plan: Plan  # the plan as it would be after the change
    new: list[Conflict]  # conflicts the change would create
    solved: list[Conflict]  # conflicts it would remove


def read_event(plan: Plan, document: dict, path: str = "event") -> Event:
    """An event from a plan-format object, validated against the plan (PlanError naming `path`)."""
    return parse_event(document, path, plan, WallClock(zone_named(plan.timezone, "timezone")))


def changed_plan(plan: Plan, events: Sequence[Event] = (), removed: AbstractSet[str] = frozenset()) -> Plan:
    """`plan` with `events` put in (replacing those with the same id) and `removed` left out."""
    incoming = {e.id: e for e in events}
    kept = [incoming.pop(e.id, e) for e in plan.events if e.id not in removed]
    return replace(plan, events=kept + list(incoming.values()))


def _key(conflict: Conflict) -> tuple:
    return conflict.rule, conflict.events, conflict.resource


def preview(
    plan: Plan,
    events: Sequence[Event] = (),
    removed: AbstractSet[str] = frozenset(),
    before: list[Conflict] | None = None,
    *,
    pile_up: int | None = None,
) -> Preview:
    """The conflicts that putting in `events` and taking out `removed` would create and solve.
    `before` is the plan's current check (with the same `pile_up`), if the caller has it already."""
    before = check(plan, pile_up=pile_up) if before is None else before
    after_plan = changed_plan(plan, events, removed)
    after = check(after_plan, pile_up=pile_up)
    old, now = {_key(c) for c in before}, {_key(c) for c in after}
    return Preview(after_plan, [c for c in after if _key(c) not in old], [c for c in before if _key(c) not in now])
