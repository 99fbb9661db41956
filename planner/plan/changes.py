"""What changed between two versions of a plan: new, moved, cancelled and removed events."""

from __future__ import annotations

from dataclasses import dataclass

from planner.plan.model import MAX_SEQUENCE, Event, Plan

KINDS = ("new", "moved", "cancelled", "removed")


@dataclass(frozen=True, slots=True)
class Change:
    """One event's change. `before`/`after` are the event in the old and the new plan (None
    where it is not there); for a move, both, so old and new time and venue can be shown."""

    kind: str
    event_id: str
    before: Event | None
    after: Event | None

    @property
    def title(self) -> str:
        return (self.after or self.before).title  # type: ignore[union-attr]


def plan_changes(old: Plan, new: Plan) -> list[Change]:
    """Changes from `old` to `new`, in the new plan's order (removed events last).

    - new: in `new` and live, but not live in `old` (absent or cancelled there);
    - moved: live in both, with another start, end or venue;
    - cancelled: live in `old`, cancelled in `new`;
    - removed: live in `old`, gone from `new`.
    """
    before = {event.id: event for event in old.events}
    changes: list[Change] = []
    for event in new.events:
        previous = before.get(event.id)
        was_live = previous is not None and previous.status != "cancelled"
        live = event.status != "cancelled"
        if live and not was_live:
            changes.append(Change("new", event.id, previous, event))
        elif was_live and not live:
            changes.append(Change("cancelled", event.id, previous, event))
        elif live and (previous.start, previous.end, previous.venue) != (event.start, event.end, event.venue):  # type: ignore[union-attr]
            changes.append(Change("moved", event.id, previous, event))
    present = {event.id for event in new.events}
    for event in old.events:
        if event.id not in present and event.status != "cancelled":
            changes.append(Change("removed", event.id, event, None))
    return changes


#: The fields of an event a person edits in a form, as Event attributes.
EDITABLE = ("title", "kind", "status", "public", "venue", "people", "delegations", "attendance", "notes", "pinned")


def edited_fields(shown: Event, edited: Event) -> list[str]:
    """The plan-format fields in which `edited` differs from the `shown` event: what a form
    must send, so that a save changes nothing the person did not touch. Start and end go
    together (an overnight end's day depends on the start)."""
    fields = [name for name in EDITABLE if getattr(shown, name) != getattr(edited, name)]
    if (shown.start, shown.end) != (edited.start, edited.end):
        fields += ["start", "end"]
    return fields


def raised_sequence(event: Event) -> int:
    """The calendar SEQUENCE of `event` after a change calendar clients must see: one more, but
    never past MAX_SEQUENCE (a plan at the cap stays there and still reads back)."""
    return min(event.sequence + 1, MAX_SEQUENCE)


def needs_new_sequence(old: Event, new: Event) -> bool:
    """Whether a calendar client must replace its copy: time, venue or status changed."""
    return (old.start, old.end, old.venue, old.status) != (new.start, new.end, new.venue, new.status)
