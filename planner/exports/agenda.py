"""The plan day by day, as the pages list it: the days that have events, which day to show
first, a day's programme, arrivals and departures, and a delegation's programme."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from planner.plan.clock import WallClock, zone_named
from planner.plan.model import Delegation, Event, Plan


def _clock(plan: Plan) -> WallClock:
    return WallClock(zone_named(plan.timezone, "timezone"))


def event_days(plan: Plan, events: Iterable[Event] | None = None) -> list[date]:
    """The local days on which these events (all the plan's if None) start, sorted, each once."""
    wall = _clock(plan)
    return sorted({wall.local_date(e.start) for e in (plan.events if events is None else events)})


def live_days(plan: Plan, *, busy_time: bool = True) -> list[date]:
    """The local days on which an event that is not cancelled starts, sorted; without
    `busy_time`, imported busy time (`unavailable`) does not make a day."""
    return event_days(plan, (e for e in plan.events if e.status != "cancelled" and (busy_time or e.kind != "unavailable")))


def first_day_shown(days: list[date], today: date) -> date:
    """The day a list of days opens on: today or the next of `days` after it, else the first
    of `days`, else today."""
    return next((d for d in days if d >= today), days[0] if days else today)


def first_day(plan: Plan, today: date) -> date:
    """The day a new event starts on unless one is chosen: the festival's first day, else the
    plan's first day with an event, else today."""
    if plan.festival and plan.festival.start:
        return plan.festival.start
    wall = _clock(plan)
    return min((wall.local_date(e.start) for e in plan.events), default=today)


#: A new event starts at this local time unless one is chosen, and lasts an hour.
NEW_EVENT_MINUTE = 10 * 60


def new_event_start(plan: Plan, delegation_id: str | None, today: date) -> datetime:
    """When a new event of a delegation starts unless one is chosen: at 10:00 on the day it
    arrives, or, if it arrives later that day, at the first full hour after its arrival, so that
    the event lies within its stay; without a delegation or an arrival, at 10:00 on
    `first_day`."""
    wall = _clock(plan)
    delegation = plan.delegations.get(delegation_id) if delegation_id else None
    if delegation is None or delegation.arrival is None:
        return wall.at(first_day(plan, today), NEW_EVENT_MINUTE)
    arrives = wall.local(delegation.arrival)
    usual = wall.at(arrives.date(), NEW_EVENT_MINUTE)
    if delegation.arrival <= usual:
        return usual
    next_hour = (arrives.hour + 1) * 60
    if next_hour >= 24 * 60:  # arriving in the last hour of a day: the next morning
        return wall.at(arrives.date() + timedelta(days=1), NEW_EVENT_MINUTE)
    return wall.at(arrives.date(), next_hour)


def events_on(plan: Plan, day: date) -> list[Event]:
    """The events that start on local `day`, in plan order."""
    wall = _clock(plan)
    return [e for e in plan.events if wall.local_date(e.start) == day]


def day_programme(plan: Plan, day: date) -> list[Event]:
    """What the office does on local `day`: the events that start then, cancelled ones too,
    without festival slots and busy time, by start, then id."""
    return sorted(
        (e for e in events_on(plan, day) if e.kind != "festival_slot" and e.kind != "unavailable"), key=lambda e: (e.start, e.id)
    )


def festival_slot_count(plan: Plan, day: date) -> int:
    """How many festival slots, cancelled ones too, start on local `day`."""
    return sum(1 for e in events_on(plan, day) if e.kind == "festival_slot")


def arrivals(plan: Plan, day: date) -> list[Delegation]:
    """The delegations that arrive on local `day`, in plan order."""
    wall = _clock(plan)
    return [d for d in plan.delegations.values() if d.arrival and wall.local_date(d.arrival) == day]


def departures(plan: Plan, day: date) -> list[Delegation]:
    """The delegations that leave on local `day`, in plan order."""
    wall = _clock(plan)
    return [d for d in plan.delegations.values() if d.departure and wall.local_date(d.departure) == day]


def delegation_programme(plan: Plan, delegation_id: str) -> list[Event]:
    """A delegation's events, cancelled ones too, by start, then id."""
    return sorted((e for e in plan.events if delegation_id in e.delegations), key=lambda e: (e.start, e.id))
