"""Busy time from someone's own calendar (.ics exported from Outlook, Google or Apple) as
`unavailable` events, so that planning sees when the Lord Mayor is elsewhere.

Recurring events are expanded (RRULE, RDATE, EXDATE, moved and cancelled instances) with
recurring-ical-events; Windows time-zone names such as ``W. Europe Standard Time`` are
understood by icalendar; free, tentative-free and cancelled entries are left out; an all-day
entry blocks whole local days.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, time, timedelta, timezone

import icalendar
import recurring_ical_events

from .clock import zone_named
from .errors import PlanError
from .model import Event, Plan

UTC = timezone.utc
#: More busy blocks than a diary could hold in the span read point to a runaway rule
#: (FREQ=SECONDLY) rather than real appointments.
MAX_BLOCKS = 20_000


def busy_id(person_id: str) -> str:
    """Prefix of the ids of a person's imported busy events (a new import replaces them)."""
    return f"busy-{person_id}-"


def busy_events(data: bytes, plan: Plan, person_id: str, start: datetime, end: datetime,
                source: str = "calendar") -> list[Event]:
    """The busy blocks of `person_id` between `start` and `end` (aware) from iCalendar bytes."""
    if person_id not in plan.people:
        raise PlanError("", f"unknown person {person_id!r}")
    try:
        calendar = icalendar.Calendar.from_ical(data)
        occurrences = []
        for occurrence in recurring_ical_events.of(calendar).after(start):
            if _instant(occurrence["DTSTART"].dt, zone_named(plan.timezone, "timezone")) >= end:
                break
            occurrences.append(occurrence)
            if len(occurrences) > MAX_BLOCKS:
                raise PlanError("", f"{source} has more than {MAX_BLOCKS:,} entries in the span read; "
                                    "choose a shorter one with --from and --to")
    except PlanError:
        raise
    except (ValueError, KeyError, IndexError, TypeError, recurring_ical_events.InvalidCalendar) as error:
        raise PlanError("", f"{source} is not a calendar that can be read: {str(error).splitlines()[0] if str(error) else type(error).__name__}") from None
    zone = zone_named(plan.timezone, "timezone")
    found: dict[str, Event] = {}
    for occurrence in occurrences:
        if not _is_busy(occurrence):
            continue
        begins = _instant(occurrence["DTSTART"].dt, zone)
        ends = _instant(occurrence["DTEND"].dt, zone) if "DTEND" in occurrence else None
        if ends is None:
            duration = occurrence.get("DURATION")
            ends = begins + (duration.dt if duration is not None else
                             (timedelta(days=1) if not isinstance(occurrence["DTSTART"].dt, datetime) else timedelta(0)))
        if ends <= begins:
            continue
        uid = str(occurrence.get("UID", ""))
        key = hashlib.sha256(f"{uid}|{begins.isoformat()}".encode("utf-8", "surrogatepass")).hexdigest()[:16]
        ident = busy_id(person_id) + key
        summary = str(occurrence.get("SUMMARY", "")).strip()
        if str(occurrence.get("CLASS", "PUBLIC")).upper() in ("PRIVATE", "CONFIDENTIAL"):
            summary = ""  # marked private in the owner's calendar: only that the time is taken
        found[ident] = Event(
            id=ident, title=summary or "Busy", kind="unavailable", start=begins, end=ends, venue=None,
            people=(person_id,), notes=f"imported from {source}",
        )
    return sorted(found.values(), key=lambda e: (e.start, e.id))


def _is_busy(component) -> bool:
    if str(component.get("STATUS", "")).upper() == "CANCELLED":
        return False
    if str(component.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
        return False
    return str(component.get("X-MICROSOFT-CDO-BUSYSTATUS", "BUSY")).upper() not in ("FREE", "WORKINGELSEWHERE")


def _instant(value, zone) -> datetime:
    """An aware UTC instant; dates are local midnights, floating times are in the plan's zone."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(0))
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def default_span(plan: Plan) -> tuple[datetime, datetime]:
    """Where to look for busy time: the plan's events (or festival) with a month either side,
    else the coming year."""
    if plan.events:
        first, last = min(e.start for e in plan.events), max(e.end for e in plan.events)
    elif plan.festival and plan.festival.start and plan.festival.end:
        first = datetime.combine(plan.festival.start, time(0), UTC)
        last = datetime.combine(plan.festival.end, time(0), UTC) + timedelta(days=1)
    else:
        first = datetime.now(UTC)
        last = first + timedelta(days=365)
    return first - timedelta(days=31), last + timedelta(days=31)


def with_busy_time(plan: Plan, person_id: str, busy: list[Event]) -> Plan:
    """The plan with `person_id`'s previously imported busy events replaced by `busy`."""
    from dataclasses import replace

    prefix = busy_id(person_id)
    kept = [e for e in plan.events if not (e.kind == "unavailable" and e.id.startswith(prefix))]
    taken = {e.id for e in kept}
    clash = next((e.id for e in busy if e.id in taken), None)
    if clash:
        raise PlanError("", f"the plan already has an event {clash!r}")
    return replace(plan, events=kept + busy)
