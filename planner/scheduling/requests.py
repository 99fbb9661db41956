"""Scheduling requests, `dortbunt-requests/1` (SPEC §6): what `schedule` is asked to place.

Each request names a duration, its delegations and people, "one of" groups (the Lord Mayor or
a deputy; one of three French interpreters), candidate venues, time windows, `after`
dependencies on plan events or other requests, a priority and whether it is required.
Reading validates everything against the plan, with the exact path of each mistake
(`requests[2].venues[0]: unknown venue 'rathaus2'`), before anything is placed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from planner.errors import PlanError
from planner.gcpause import gc_paused
from planner.plan.clock import ONE_DAY, WallClock, zone_named
from planner.plan.fields import (
    MAX_MINUTES,
    boolean,
    choice,
    identifier,
    integer,
    listed,
    mapping,
    optional,
    references,
    text,
    unique_ids,
)
from planner.plan.model import EVENT_KINDS, Plan
from planner.plan.reading import decode_json, read_bytes

FORMAT = "dortbunt-requests/1"
_TOP = frozenset(("format", "requests"))
_REQUEST = frozenset(
    "id title kind duration_min delegations people one_of venues windows after priority required public attendance notes".split()
)
_AFTER = frozenset(("id", "min_gap_min"))
KINDS = EVENT_KINDS - {"unavailable"}


@dataclass(frozen=True)
class After:
    """Start at least `gap` after the end of plan event or request `id`."""

    id: str
    gap: timedelta


@dataclass(frozen=True)
class Request:
    id: str
    title: str
    kind: str
    duration: timedelta
    venues: tuple[str, ...]
    windows: tuple[tuple[datetime, datetime], ...]
    delegations: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    one_of: tuple[tuple[str, ...], ...] = ()
    after: tuple[After, ...] = ()
    priority: int = 0
    required: bool = True
    public: bool = False
    attendance: int | None = None
    notes: str = ""


def _windows(value: object, path: str, clock: WallClock) -> tuple[tuple[datetime, datetime], ...]:
    windows = []
    for index, pair in enumerate(listed(value, path)):
        where = f"{path}[{index}]"
        if type(pair) is not list or len(pair) != 2:
            raise PlanError(where, 'expected a window ["YYYY-MM-DDTHH:MM", "YYYY-MM-DDTHH:MM"]')
        start, end = clock.parse(pair[0], f"{where}[0]"), clock.parse(pair[1], f"{where}[1]")
        if end <= start:
            raise PlanError(f"{where}[1]", "a window must end after it starts")
        if end - start > timedelta(days=366):
            raise PlanError(f"{where}[1]", "a window may be at most a year long")
        windows.append((start, end))
    if not windows:
        raise PlanError(path, "name at least one window")
    return tuple(windows)


def _default_windows(plan: Plan, clock: WallClock, delegations: tuple[str, ...], path: str):
    """Without windows, a request may lie on any festival day outside the quiet hours, or else
    anywhere in its delegations' common stay."""
    if plan.festival and plan.festival.start and plan.festival.end:
        quiet, day, days = plan.quiet_hours, plan.festival.start, []
        while day <= plan.festival.end:
            if quiet.past_midnight:  # e.g. 07:00–22:00
                days.append((clock.at(day, quiet.close), clock.at(day, quiet.open)))
            else:
                days.append((clock.at(day, 0), clock.at(day + ONE_DAY, 0)))
            day += ONE_DAY
        return tuple(days)
    stays = [plan.delegations[d] for d in delegations]
    arrival = max((d.arrival for d in stays if d.arrival), default=None)
    departure = min((d.departure for d in stays if d.departure), default=None)
    if arrival and departure and arrival < departure:
        return ((arrival, departure),)
    raise PlanError(f"{path}.windows", "required field is missing (the plan has no festival days or stay to default to)")


def _one_of(value: object, path: str, plan: Plan) -> tuple[tuple[str, ...], ...]:
    groups = []
    for index, group in enumerate(listed(value, path)):
        members = references(group, f"{path}[{index}]", plan.people, "person")
        if not members:
            raise PlanError(f"{path}[{index}]", "a one-of group needs at least one person")
        groups.append(members)
    return tuple(groups)


def _minutes(value: object, path: str, low: int) -> timedelta:
    """Whole minutes (30 or 30.0) from `low` to a year."""
    if type(value) is float and value.is_integer():
        value = int(value)
    return timedelta(minutes=integer(value, path, low, MAX_MINUTES))


def parse_requests(document: object, plan: Plan) -> list[Request]:
    """Validate a `dortbunt-requests/1` document against `plan` or raise PlanError."""
    root = mapping(document, "", _TOP, ("format", "requests"))
    if root["format"] != FORMAT:
        raise PlanError("format", f"expected {FORMAT!r}, got {root['format']!r}")
    clock = WallClock(zone_named(plan.timezone, "timezone"))
    event_ids = {e.id for e in plan.events}
    found = unique_ids(root["requests"], "requests")
    request_ids = {ident for ident, _, _ in found}
    requests = []
    for ident, raw, path in found:
        raw = mapping(raw, path, _REQUEST, ("duration_min",))
        if ident in event_ids:
            raise PlanError(f"{path}.id", f"the plan already has an event {ident!r}")
        kind = optional(raw, "kind", lambda v, p: choice(v, p, KINDS), path, "other")
        delegations = optional(raw, "delegations", lambda v, p: references(v, p, plan.delegations, "delegation"), path, ())
        venues = optional(raw, "venues", lambda v, p: references(v, p, plan.venues, "venue"), path, ())
        if not venues and kind == "golden_book":
            venues = tuple(v.id for v in plan.venues.values() if v.golden_book)
        if not venues:
            raise PlanError(f"{path}.venues", "name at least one candidate venue")
        windows = raw.get("windows")
        requests.append(
            Request(
                id=ident,
                title=optional(raw, "title", text, path, ident),
                kind=kind,
                duration=_minutes(raw["duration_min"], f"{path}.duration_min", 1),
                venues=venues,
                windows=(
                    _windows(windows, f"{path}.windows", clock)
                    if windows is not None
                    else _default_windows(plan, clock, delegations, path)
                ),
                delegations=delegations,
                people=optional(raw, "people", lambda v, p: references(v, p, plan.people, "person"), path, ()),
                one_of=optional(raw, "one_of", lambda v, p: _one_of(v, p, plan), path, ()),
                after=optional(raw, "after", lambda v, p: _afters(v, p, ident, event_ids | request_ids), path, ()),  # noqa: B023 (called at once)
                priority=optional(raw, "priority", lambda v, p: integer(v, p, -1000, 1000), path, 0),
                required=optional(raw, "required", boolean, path, True),
                public=optional(raw, "public", boolean, path, False),
                attendance=optional(raw, "attendance", lambda v, p: integer(v, p, 0), path, None),
                notes=optional(raw, "notes", text, path, ""),
            )
        )
    return requests


def _afters(value: object, path: str, own: str, known: set[str]) -> tuple[After, ...]:
    afters = []
    for index, raw in enumerate(listed(value, path)):
        where = f"{path}[{index}]"
        raw = mapping(raw, where, _AFTER, ("id",))
        target = identifier(raw["id"], f"{where}.id")
        if target == own:
            raise PlanError(f"{where}.id", "a request cannot come after itself")
        if target not in known:
            raise PlanError(f"{where}.id", f"unknown plan event or request {target!r}")
        gap = optional(raw, "min_gap_min", lambda v, p: _minutes(v, p, 0), where, timedelta(0))
        afters.append(After(target, gap))
    return tuple(afters)


def load_requests(path: str | Path, plan: Plan) -> list[Request]:
    """Read and validate a requests file against `plan`."""
    data = read_bytes(path)
    with gc_paused():
        return parse_requests(decode_json(data, str(path)), plan)
