"""Which conflicts a reader is shown: filters by severity, rule, day and what a conflict concerns,
the choices each filter offers, and the conflicts that touch given events."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from planner.plan.clock import WallClock, zone_named
from planner.plan.model import SEVERITIES, Plan
from planner.rules.engine import Conflict


def concerns(plan: Plan, resource: str | None) -> str:
    """The name of what a conflict concerns: a venue's or a person's name, a delegation's city;
    an id the plan does not know stays as it is, and no resource is ""."""
    if resource is None:
        return ""
    for pool, name in ((plan.venues, "name"), (plan.people, "name"), (plan.delegations, "city")):
        if resource in pool:
            return getattr(pool[resource], name)
    return resource


@dataclass(frozen=True, slots=True)
class Facets:
    """What the filters read of each conflict of a list, in its order: the local day it starts
    (its first event's) and the name of what it concerns (`concerns`)."""

    days: tuple[date, ...]
    concerns: tuple[str, ...]


def facets(plan: Plan, conflicts: Sequence[Conflict]) -> Facets:
    """The day and the name of what it concerns of each conflict, computed once for all filters."""
    wall = WallClock(zone_named(plan.timezone, "timezone"))
    starts = {e.id: e.start for e in plan.events}
    return Facets(
        tuple(wall.local_date(starts[c.events[0]]) for c in conflicts), tuple(concerns(plan, c.resource) for c in conflicts)
    )


@dataclass(frozen=True, slots=True)
class ConflictFilter:
    """What a reader asked to see: conflicts of these severities and, where a filter is set
    (not empty), only of these rules, on these days, concerning this name."""

    severities: frozenset[str] = frozenset(SEVERITIES)
    rules: frozenset[str] = frozenset()
    days: frozenset[date] = frozenset()
    concerning: str = ""


def matching(conflicts: Sequence[Conflict], found: Facets, wanted: ConflictFilter) -> list[int]:
    """The positions in `conflicts` (whose `facets` are `found`) of those `wanted` lets through,
    in order."""
    return [
        index
        for index, (conflict, day, name) in enumerate(zip(conflicts, found.days, found.concerns, strict=True))
        if conflict.severity in wanted.severities
        and (not wanted.rules or conflict.rule in wanted.rules)
        and (not wanted.days or day in wanted.days)
        and (not wanted.concerning or name == wanted.concerning)
    ]


@dataclass(frozen=True, slots=True)
class Choices:
    """What each filter offers for a list of conflicts: the rules that occur (ids, sorted), the
    days (sorted) and the names of what they concern (sorted, without the empty name)."""

    rules: list[str]
    days: list[date]
    concerns: list[str]


def choices(conflicts: Sequence[Conflict], found: Facets) -> Choices:
    """The rules, days and names that occur among `conflicts` (whose `facets` are `found`)."""
    return Choices(sorted({c.rule for c in conflicts}), sorted(set(found.days)), sorted(set(found.concerns) - {""}))


def touching(conflicts: Iterable[Conflict], event_ids: Iterable[str]) -> list[Conflict]:
    """The conflicts that involve any of these events, in their order."""
    ids = set(event_ids)
    return [c for c in conflicts if ids.intersection(c.events)]


#: The rules a festival programme breaks most, in the order the Festival page lists them.
FESTIVAL_RULES = ("changeover", "quiet_hours", "venue_overlap", "venue_closed", "capacity", "person_overlap")


def festival_problems(conflicts: Iterable[Conflict], slot_ids: Iterable[str]) -> list[Conflict]:
    """The conflicts that involve these festival slots, by rule in FESTIVAL_RULES order (the
    other rules after them), each rule's in their order."""
    found = touching(conflicts, slot_ids)
    found.sort(key=lambda c: FESTIVAL_RULES.index(c.rule) if c.rule in FESTIVAL_RULES else len(FESTIVAL_RULES))
    return found
