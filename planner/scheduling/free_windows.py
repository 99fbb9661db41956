"""When someone is free on a day: the gaps between their live events (busy time included)."""

from __future__ import annotations

from datetime import date, datetime

from planner.errors import PlanError
from planner.plan.clock import WallClock, zone_named
from planner.plan.model import Event, Plan


def day_events(plan: Plan, person_id: str, day: date) -> list[Event]:
    """The person's live events (imported busy time too) that touch local `day`, by start."""
    wall = WallClock(zone_named(plan.timezone, "timezone"))
    begins, ends = wall.at(day, 0), wall.at(day, 24 * 60)
    return sorted(
        (e for e in plan.events if person_id in e.people and e.status != "cancelled" and e.start < ends and e.end > begins),
        key=lambda e: (e.start, e.end, e.id),
    )


def free_windows(
    plan: Plan, person_id: str, day: date, first_minute: int = 8 * 60, last_minute: int = 20 * 60, at_least_min: int = 15
) -> list[tuple[datetime, datetime]]:
    """The person's free spans of at least `at_least_min` minutes between local
    `first_minute` and `last_minute` of `day` (minutes after midnight)."""
    if person_id not in plan.people:
        raise PlanError("", f"unknown person {person_id!r}")
    if not 0 <= first_minute < last_minute <= 24 * 60:
        raise PlanError("", "the day's window must start before it ends, within the day")
    wall = WallClock(zone_named(plan.timezone, "timezone"))
    cursor, ends = wall.at(day, first_minute), wall.at(day, last_minute)
    free = []
    for event in day_events(plan, person_id, day):
        if event.start > cursor:
            free.append((cursor, min(event.start, ends)))
        cursor = max(cursor, event.end)
        if cursor >= ends:
            break
    if cursor < ends:
        free.append((cursor, ends))
    return [(a, b) for a, b in free if b > a and (b - a).total_seconds() >= at_least_min * 60]
