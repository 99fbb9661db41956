"""What changed between two releases, for people: one line per change in their language, and
the same as JSON records with old and new time and venue."""

from __future__ import annotations

from planner.plan.changes import Change
from planner.plan.clock import WallClock, zone_named
from planner.plan.model import Event, Plan
from planner.plan.writing import format_instant
from planner.rules.messages import Describer


def _when(event: Event, plan: Plan, lang: str) -> str:
    describer = Describer(plan, lang)
    venue = plan.venues[event.venue].name if event.venue in plan.venues else (event.venue or "—")
    return f"{describer.span(event.start, event.end)}, {venue}"


def describe_change(change: Change, plan: Plan, lang: str = "en") -> str:
    """One change as a line for people: what, when and where (old → new for a move)."""
    de = lang == "de"
    words = {
        "new": ("Neu", "New"),
        "moved": ("Verlegt", "Moved"),
        "cancelled": ("Abgesagt", "Cancelled"),
        "removed": ("Entfernt", "Removed"),
    }[change.kind][0 if de else 1]
    if change.before is not None and change.after is not None and change.kind == "moved":
        return f'{words}: "{change.title}" {_when(change.before, plan, lang)} → {_when(change.after, plan, lang)}'
    event = change.after or change.before
    assert event is not None  # a change has the event before it, after it, or both
    return f'{words}: "{change.title}" {_when(event, plan, lang)}'


def change_record(change: Change, plan: Plan) -> dict:
    """A change as JSON-ready data, with old and new time and venue."""
    clock = WallClock(zone_named(plan.timezone, "timezone"))

    def where(event: Event | None) -> dict | None:
        if event is None:
            return None
        return {
            "start": format_instant(event.start, clock),
            "end": format_instant(event.end, clock),
            "venue": event.venue,
            "status": event.status,
        }

    return {
        "kind": change.kind,
        "event": change.event_id,
        "title": change.title,
        "before": where(change.before),
        "after": where(change.after),
    }
