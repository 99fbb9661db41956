"""Busy time from someone's own calendar (.ics exported from Outlook, Google or Apple) as
`unavailable` events, so that planning sees when the Lord Mayor is elsewhere.

Recurring events are expanded (RRULE, RDATE, EXDATE, moved and cancelled instances) with
recurring-ical-events; Windows time-zone names such as ``W. Europe Standard Time`` are
understood by icalendar; free, tentative-free and cancelled entries are left out; an all-day
entry blocks whole local days.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, time, timedelta

import icalendar
import recurring_ical_events

from planner.errors import PlanError
from planner.plan.clock import zone_named
from planner.plan.model import Event, Plan

#: More busy blocks than a diary could hold in the span read point to a runaway rule
#: (FREQ=SECONDLY) rather than real appointments.
MAX_BLOCKS = 20_000
#: Expanding a rule visits every instant from its DTSTART on, also those before the span read
#: (about a microsecond each; a daily meeting for 30 years is some 11,000 steps): a minutely
#: entry since 1900 would take hours. Each entry inside the span costs far more (a copy of it).
MAX_STEPS = 1_000_000
_FREQUENCY = {
    "SECONDLY": 1,
    "MINUTELY": 60,
    "HOURLY": 3600,
    "DAILY": 86400,
    "WEEKLY": 7 * 86400,
    "MONTHLY": 28 * 86400,
    "YEARLY": 365 * 86400,
}
# BYxxx parts finer than the frequency multiply the instants of each period: by the number of
# values listed, times how often one value can occur in one period of that frequency ("MO" is
# one day a week, up to 5 a month, 53 a year; "1MO" is one day in any period).
_FAN_OUT = {
    "BYMONTH": ("MONTHLY", {}),
    "BYWEEKNO": ("WEEKLY", {"YEARLY": 7}),
    "BYYEARDAY": ("DAILY", {}),
    "BYMONTHDAY": ("DAILY", {"YEARLY": 12}),
    "BYDAY": ("DAILY", {"MONTHLY": 5, "YEARLY": 53}),
    "BYHOUR": ("HOURLY", {}),
    "BYMINUTE": ("MINUTELY", {}),
    "BYSECOND": ("SECONDLY", {}),
}
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def busy_id(person_id: str) -> str:
    """Prefix of the ids of a person's imported busy events (a new import replaces them)."""
    return f"busy-{person_id}-"


def busy_events(data: bytes, plan: Plan, person_id: str, start: datetime, end: datetime, source: str = "calendar") -> list[Event]:
    """The busy blocks of `person_id` between `start` and `end` (aware) from iCalendar bytes."""
    if person_id not in plan.people:
        raise PlanError("", f"unknown person {person_id!r}")
    zone = zone_named(plan.timezone, "timezone")
    try:
        calendar = _parse(data)
        _check_zones(calendar, source)
        _check_expansion(calendar, start, end, zone, source)
        # One query for the whole span: `after()` would query again and again from DTSTART.
        occurrences = recurring_ical_events.of(calendar).between(start, end)
        if len(occurrences) > MAX_BLOCKS:
            raise _too_many(source)
        return _busy_blocks(occurrences, person_id, start, end, zone, source)
    except PlanError:
        raise
    except (ValueError, KeyError, IndexError, TypeError, OverflowError, recurring_ical_events.InvalidCalendar) as error:
        raise PlanError(
            "",
            f"{source} is not a calendar that can be read: {str(error).splitlines()[0] if str(error) else type(error).__name__}",
        ) from None


_DAY_FILTERS = ("BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYDAY")


def _never_repeating(rule, frequency: str, interval: int) -> str:
    """The BYxxx parts that can make a daily or finer rule match no day at all, which dateutil
    only finds out by stepping through every day up to the year 9999 (seconds to minutes).
    Calendar apps never write them: "every weekday" is WEEKLY;BYDAY=MO,TU,WE,TH,FR."""
    risky: tuple[str, ...]
    if _FREQUENCY[frequency] < _FREQUENCY["DAILY"]:
        risky = _DAY_FILTERS
    elif frequency == "DAILY":
        risky = _DAY_FILTERS[:4] + (("BYDAY",) if interval > 1 else ())
    elif frequency == "WEEKLY":
        risky = ("BYMONTHDAY", "BYYEARDAY", "BYWEEKNO")
    else:
        risky = ()
    return "+".join(part for part in risky if part in rule)


def _some_day_exists(rule) -> bool:
    """Whether some month named by BYMONTH (any month without it) has a day named by BYMONTHDAY
    (the 30th or -30th of February has none)."""
    days = [int(day) for day in rule.get("BYMONTHDAY", [])]
    if not days:
        return True
    months = [int(month) for month in rule.get("BYMONTH", [])] or list(range(1, 13))
    return any(1 <= abs(day) <= _MONTH_DAYS[month - 1] for day in days for month in months if 1 <= month <= 12)


def _parse(data: bytes) -> icalendar.Calendar:
    try:
        return icalendar.Calendar.from_ical(data)
    except AttributeError as error:  # icalendar's parser on some broken files (a VTIMEZONE's TZID twice)
        raise ValueError(str(error)) from None


def _check_zones(calendar: icalendar.Calendar, source: str) -> None:
    """PlanError if a time zone of the calendar changes its clocks other than yearly. Calendar
    apps write yearly rules (``RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU``); icalendar steps a
    zone's rule through every change when a time in that zone is read, so a secondly rule from
    1900 would keep the server busy for hours."""
    for zone in calendar.walk("VTIMEZONE"):
        for change in zone.subcomponents:
            rules = change.get("RRULE")
            for rule in rules if isinstance(rules, list) else [rules] if rules else []:
                frequencies = [str(value).upper() for value in rule.get("FREQ", [])]
                if frequencies != ["YEARLY"]:
                    raise PlanError(
                        "",
                        f"{source}: the time zone {str(zone.get('TZID', ''))!r} changes its clocks "
                        f"{'/'.join(frequencies).lower() or 'without a frequency'}, not yearly as "
                        "time zones do; export the calendar again from its app",
                    )


def _too_many(source: str) -> PlanError:
    return PlanError(
        "", f"{source} has more than {MAX_BLOCKS:,} entries in the span read; choose a shorter one with --from and --to"
    )


def _check_expansion(calendar, start: datetime, end: datetime, zone, source: str) -> None:
    """PlanError if an entry gives its time twice, or if expanding the calendar's rules up to
    `end` would take more than MAX_STEPS, or give more than MAX_BLOCKS entries in the span."""
    steps = inside = 0.0
    for component in calendar.walk("VEVENT"):
        for name in ("DTSTART", "DTEND", "DURATION", "RECURRENCE-ID"):
            if name in component:
                _value(component, name, source)
        for name in ("RRULE", "EXRULE"):
            rules = component.get(name)
            for rule in rules if isinstance(rules, list) else [rules] if rules is not None else []:
                frequency = rule.get("FREQ", [None])[0]
                if frequency not in _FREQUENCY:
                    raise PlanError("", f"{source}: {name} has no known FREQ ({frequency!r})")
                interval = int(rule.get("INTERVAL", [1])[0])
                if interval < 1:
                    raise PlanError("", f"{source}: {name} has INTERVAL={interval}; it must be 1 or more")
                refused = _never_repeating(rule, frequency, interval)
                if refused:
                    raise PlanError(
                        "",
                        f"{source}: {name}:FREQ={frequency} with {refused} is not read (such a rule "
                        "may never match, and then its expansion runs to the year 9999)",
                    )
                stop = end
                for until in rule.get("UNTIL", []):
                    stop = min(stop, _instant(until, zone))
                begins = _instant(_value(component, "DTSTART", source), zone)
                fan_out = 1
                for part, (level, most) in _FAN_OUT.items():
                    if rule.get(part) and _FREQUENCY[level] < _FREQUENCY[frequency]:
                        fan_out *= sum(
                            1 if any(c.isdigit() for c in str(value)) else most.get(frequency, 1) for value in rule[part]
                        )
                period = _FREQUENCY[frequency] * interval
                rule_steps = fan_out * (max(0.0, (stop - begins).total_seconds()) / period + 1)
                rule_inside = fan_out * (max(0.0, (stop - max(begins, start)).total_seconds()) / period + 1)
                for count in rule.get("COUNT", []):  # stops after COUNT instants
                    rule_steps, rule_inside = min(rule_steps, int(count) + fan_out), min(rule_inside, int(count))
                steps += rule_steps
                inside += rule_inside
                if frequency in ("MONTHLY", "YEARLY") and not _some_day_exists(rule):
                    raise PlanError(
                        "",
                        f"{source}: {name} names days that no month has (e.g. the 30th of "
                        "February): such a rule never matches, and its expansion runs to the year 9999",
                    )
                if (
                    frequency in ("MONTHLY", "YEARLY")
                    and ("BYYEARDAY" in rule or "BYWEEKNO" in rule)
                    and sum(part in rule for part in _DAY_FILTERS) > 1
                ):
                    steps += MAX_STEPS / 5  # combinations calendar apps do not write; they may match rarely
                if inside > MAX_BLOCKS:
                    raise _too_many(source)
                if steps > MAX_STEPS:
                    raise PlanError(
                        "",
                        f"{source}: the repeating entry {str(component.get('SUMMARY', ''))[:60]!r} "
                        f"({frequency.lower()} since {begins:%Y-%m-%d}) would take more than "
                        f"{MAX_STEPS:,} steps to expand; shorten its rule or the span read",
                    )


def _busy_blocks(occurrences, person_id: str, start: datetime, end: datetime, zone, source: str) -> list[Event]:
    found: dict[str, Event] = {}
    for occurrence in occurrences:
        if not _is_busy(occurrence):
            continue
        first = _value(occurrence, "DTSTART", source)
        begins = _instant(first, zone)
        ends = _instant(_value(occurrence, "DTEND", source), zone) if "DTEND" in occurrence else None
        if ends is None:
            duration = _value(occurrence, "DURATION", source) if "DURATION" in occurrence else None
            if duration is not None and not isinstance(duration, timedelta):
                raise PlanError("", f"{source}: an entry's DURATION is not a duration: {duration!r}")
            ends = begins + (
                duration if duration is not None else (timedelta(days=1) if not isinstance(first, datetime) else timedelta(0))
            )
        if ends <= begins or ends <= start or begins >= end:
            continue
        uid = str(occurrence.get("UID", ""))
        key = hashlib.sha256(f"{uid}|{begins.isoformat()}".encode("utf-8", "surrogatepass")).hexdigest()[:16]
        ident = busy_id(person_id) + key
        summary = str(occurrence.get("SUMMARY", "")).strip()
        if str(occurrence.get("CLASS", "PUBLIC")).upper() in ("PRIVATE", "CONFIDENTIAL"):
            summary = ""  # marked private in the owner's calendar: only that the time is taken
        found[ident] = Event(
            id=ident,
            title=summary or "Busy",
            kind="unavailable",
            start=begins,
            end=ends,
            venue=None,
            people=(person_id,),
            notes=f"imported from {source}",
        )
    return sorted(found.values(), key=lambda e: (e.start, e.id))


def _value(component, name: str, source: str):
    """The value of a property that may appear once (PlanError if given twice)."""
    found = component[name]
    if isinstance(found, list):
        raise PlanError("", f"{source}: an entry has {name} {len(found)} times")
    return found.dt


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
