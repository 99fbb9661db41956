"""The check that runs the conflict rules over a plan and what it returns: conflicts, ordered.

The whole check is one sort plus linear sweeps (see `index`): O(n log n + k) for n events and
k conflicts. The rules themselves are in `rulebook`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from planner.errors import PlanError
from planner.gcpause import gc_paused
from planner.plan.model import Event, Plan
from planner.rules.index import EventIndex
from planner.rules.rulebook import RULE_FUNCTIONS


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


_START_ID = attrgetter("start", "id")


def _by_start(events: Sequence[Event]) -> list[Event]:
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
        super().__init__(
            "", f"more than {limit:,} conflicts: this is no plan to check here (check it with python -m planner check)"
        )


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
    index = EventIndex(plan, pile_up=pile_up)
    rules = plan.rules
    found: list[tuple[tuple, Conflict]] = []
    for order, (rule, find) in enumerate(RULE_FUNCTIONS.items()):
        if rule in rules.disabled:
            continue
        severity = rules.severity_of(rule)
        for events, resource, facts in find(index):
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
