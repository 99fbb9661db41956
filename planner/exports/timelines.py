"""Timelines (plotly): Gantt views by venue, delegation or person for a day or the whole
festival, with conflicting events marked and the conflict on hover, and the Lord Mayor's (or
anyone's) hours per day. Hover texts are HTML-escaped: plotly renders them as HTML."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date, datetime, timedelta

import plotly.graph_objects as go

from planner.errors import PlanError
from planner.exports.maps import html_text as _escape
from planner.plan.clock import WallClock, zone_named
from planner.plan.model import Event, Plan
from planner.rules.engine import Conflict
from planner.rules.messages import Describer

GROUPINGS = ("venue", "delegation", "person")
KIND_COLOURS = {
    "golden_book": "#c8102e",
    "reception": "#7b2d8e",
    "meeting": "#1f5fa8",
    "tour": "#2a9d8f",
    "meal": "#e9a03b",
    "press": "#555555",
    "festival_slot": "#e76f51",
    "transfer": "#8d99ae",
    "unavailable": "#bbbbbb",
    "other": "#6c757d",
}


#: Kinds of event as the legend names them.
KIND_NAMES = {
    "en": {
        "golden_book": "Golden Book",
        "reception": "Reception",
        "meeting": "Meeting",
        "tour": "Tour",
        "meal": "Meal",
        "press": "Press",
        "festival_slot": "Festival slot",
        "transfer": "Transfer",
        "unavailable": "Busy",
        "other": "Other",
    },
    "de": {
        "golden_book": "Goldenes Buch",
        "reception": "Empfang",
        "meeting": "Gespräch",
        "tour": "Besichtigung",
        "meal": "Essen",
        "press": "Presse",
        "festival_slot": "Festival-Auftritt",
        "transfer": "Transfer",
        "unavailable": "Belegt",
        "other": "Sonstiges",
    },
}


def timeline_rows(
    plan: Plan, by: str = "venue", day: date | None = None, conflicts: list[Conflict] | None = None, lang: str = "en"
) -> list[dict]:
    """One row per (group, event): the group's label, the event's local start and end, kind,
    whether it is in a conflict, and an escaped hover text with the conflict messages."""
    if by not in GROUPINGS:
        raise PlanError("", f"group by one of {', '.join(GROUPINGS)}, not {by!r}")
    clock = WallClock(zone_named(plan.timezone, "timezone"))
    window = None if day is None else (clock.at(day, 0), clock.at(day + timedelta(days=1), 0))
    describer = Describer(plan, lang)
    messages: dict[str, list[str]] = defaultdict(list)
    for conflict in conflicts or []:
        text = describer.describe(conflict)
        for event_id in conflict.events:
            messages[event_id].append(text)
    rows = []
    for event in plan.events:
        if event.status == "cancelled" or (window is not None and not (event.start < window[1] and event.end > window[0])):
            continue
        for label in _groups(plan, event, by):
            hover = [f"<b>{_escape(event.title)}</b>", f"{clock.wall(event.start):%a %d.%m. %H:%M}–{clock.wall(event.end):%H:%M}"]
            if event.venue in plan.venues:
                hover.append(_escape(plan.venues[event.venue].name))
            hover += [f"⚠ {_escape(m)}" for m in messages.get(event.id, [])]
            rows.append(
                {
                    "group": label,
                    "event": event.id,
                    "start": clock.wall(event.start),
                    "end": clock.wall(event.end),
                    "kind": event.kind,
                    "conflict": event.id in messages,
                    "hover": "<br>".join(hover),
                }
            )
    return rows


def _groups(plan: Plan, event: Event, by: str) -> list[str]:
    if by == "venue":
        return [plan.venues[event.venue].name] if event.venue in plan.venues else []
    if by == "delegation":
        return [plan.delegations[d].city for d in event.delegations]
    return [plan.people[p].name for p in event.people]


def outside_view(plan: Plan, venues: Collection[str], delegations: Collection[str], begins: datetime, ends: datetime) -> set[str]:
    """The ids of the events a filtered timeline leaves out: those not at one of `venues`, not
    with one of `delegations` (an empty filter leaves nothing out) or not overlapping
    [`begins`, `ends`)."""
    wanted = set(delegations)
    return {
        e.id
        for e in plan.events
        if (venues and e.venue not in venues)
        or (delegations and not wanted.intersection(e.delegations))
        or not (e.start < ends and e.end > begins)
    }


def timeline_figure(
    plan: Plan, by: str = "venue", day: date | None = None, conflicts: list[Conflict] | None = None, lang: str = "en"
) -> go.Figure:
    """A Gantt chart: one bar per event and group, coloured by kind, conflicting ones outlined
    in red, the conflict messages on hover."""
    rows = timeline_rows(plan, by, day, conflicts, lang)
    figure = go.Figure()
    for kind in sorted({r["kind"] for r in rows}):
        chosen = [r for r in rows if r["kind"] == kind]
        figure.add_trace(
            go.Bar(
                # Plotly draws tick labels as HTML too ("<b>", "<a href>", "<br>"): names go in escaped.
                name=KIND_NAMES.get(lang, KIND_NAMES["en"]).get(kind, kind),
                orientation="h",
                y=[_escape(" ".join(r["group"].splitlines())) for r in chosen],
                base=[r["start"] for r in chosen],
                x=[(r["end"] - r["start"]).total_seconds() * 1000 for r in chosen],
                marker={
                    "color": KIND_COLOURS.get(kind, "#6c757d"),
                    "line": {
                        "color": ["#ff0000" if r["conflict"] else "rgba(0,0,0,0)" for r in chosen],
                        "width": [3 if r["conflict"] else 0 for r in chosen],
                    },
                },
                hovertext=[r["hover"] for r in chosen],
                hoverinfo="text",
                customdata=[r["event"] for r in chosen],
            )
        )
    # For one day, hours only on the axis (plotly's month names would be English); over several
    # days, day.month. and the hour.
    ticks = "%H:%M" if day is not None else "%d.%m. %H:%M"
    figure.update_layout(
        barmode="overlay",
        xaxis={"type": "date", "tickformat": ticks},
        yaxis={"autorange": "reversed"},
        height=max(300, 28 * len({r["group"] for r in rows}) + 120),
        legend_title_text="Art" if lang == "de" else "Kind",
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
    )
    return figure


def hours_per_day(plan: Plan, person_id: str) -> list[tuple[date, float]]:
    """Hours a person is booked per local day (live events, overlaps counted once)."""
    if person_id not in plan.people:
        raise PlanError("", f"unknown person {person_id!r}")
    clock = WallClock(zone_named(plan.timezone, "timezone"))
    spans = sorted((e.start, e.end) for e in plan.events if person_id in e.people and e.status != "cancelled")
    merged: list[list[datetime]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    hours: dict[date, float] = defaultdict(float)
    for start, end in merged:
        day = clock.local_date(start)
        while True:
            day_end = clock.at(day + timedelta(days=1), 0)
            piece_end = min(end, day_end)
            hours[day] += (piece_end - max(start, clock.at(day, 0))).total_seconds() / 3600
            if end <= day_end:
                break
            day += timedelta(days=1)
    return sorted(hours.items())


def hours_figure(plan: Plan, person_id: str = "ob") -> go.Figure:
    """Bars of a person's booked hours per day (the Lord Mayor's diary at a glance)."""
    data = hours_per_day(plan, person_id)
    figure = go.Figure(
        go.Bar(
            x=[d.isoformat() for d, _ in data],
            y=[round(h, 2) for _, h in data],
            hovertext=[f"{h:.1f} h" for _, h in data],
            hoverinfo="text",
            marker_color="#c8102e",
        )
    )
    figure.update_layout(
        title=_escape(plan.people[person_id].name),
        yaxis_title="hours",
        xaxis={"type": "category"},
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
    )
    return figure
