"""Calendar feeds (.ics, RFC 5545) for a delegation, a person, a venue, the public programme
and everything, that Thunderbird (ical.js), Outlook, vobject and icalendar read alike.

Times are written in the plan's zone with a VTIMEZONE in RRULE form (see `tzrules`); an event
the zone's current rule would misplace (a date under an older rule) is written in UTC. Text is
escaped here (`ical_text`), so no title, name or note can add a property or a component. With
SOURCE_DATE_EPOCH set, the bytes are reproducible.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import icalendar

from planner.errors import PlanError
from planner.exports.vtimezone import ZoneRule, zone_rule
from planner.plan.audiences import GUEST, INTERNAL, PUBLIC, audience_view
from planner.plan.clock import zone_named
from planner.plan.model import Event, Plan

PRODID = "-//DORTBUNT! planner//Calendar feeds//EN"
UID_DOMAIN = "dortbunt-planner"

_LABELS = {
    "en": {
        "venue": "Venue",
        "delegation": "Delegation",
        "delegations": "Delegations",
        "with": "With",
        "notes": "Notes",
        "status": "Status",
        "tentative": "tentative (not yet confirmed)",
        "cancelled": "cancelled",
        "busy": "Busy",
        "feed_delegation": "Programme",
        "feed_person": "Calendar",
        "feed_venue": "Venue",
        "feed_public": "Public programme",
        "feed_all": "All events",
    },
    "de": {
        "venue": "Ort",
        "delegation": "Delegation",
        "delegations": "Delegationen",
        "with": "Mit",
        "notes": "Notizen",
        "status": "Status",
        "tentative": "vorläufig (noch nicht bestätigt)",
        "cancelled": "abgesagt",
        "busy": "Belegt",
        "feed_delegation": "Programm",
        "feed_person": "Kalender",
        "feed_venue": "Ort",
        "feed_public": "Öffentliches Programm",
        "feed_all": "Alle Termine",
    },
}
_ROLES = {
    "en": {
        "mayor": "Lord Mayor",
        "deputy_mayor": "Deputy Mayor",
        "interpreter": "interpreter",
        "protocol": "protocol",
        "escort": "escort",
        "performer": "performer",
        "press": "press",
        "other": "",
    },
    "de": {
        "mayor": "Oberbürgermeister/in",
        "deputy_mayor": "Bürgermeister/in",
        "interpreter": "Dolmetschung",
        "protocol": "Protokoll",
        "escort": "Begleitung",
        "performer": "Auftritt",
        "press": "Presse",
        "other": "",
    },
}


@dataclass(frozen=True)
class Feed:
    """What goes into one calendar: its name, audience and events."""

    name: str
    audience: str
    events: list[Event]
    delegation: str | None = None  # the guest's own delegation


def delegation_feed(plan: Plan, delegation_id: str, lang: str = "en") -> Feed:
    """A delegation's programme for its guests (no notes, no other delegation's events)."""
    if delegation_id not in plan.delegations:
        raise PlanError("", f"unknown delegation {delegation_id!r}")
    city = plan.delegations[delegation_id].city
    events = [e for e in plan.events if delegation_id in e.delegations]
    return Feed(f"{plan.name} – {_LABELS[lang]['feed_delegation']} {city}", GUEST, events, delegation_id)


def person_feed(plan: Plan, person_id: str, lang: str = "en") -> Feed:
    """A person's diary (internal: for the office and the person)."""
    if person_id not in plan.people:
        raise PlanError("", f"unknown person {person_id!r}")
    events = [e for e in plan.events if person_id in e.people]
    return Feed(f"{plan.name} – {plan.people[person_id].name}", INTERNAL, events)


def venue_feed(plan: Plan, venue_id: str, lang: str = "en") -> Feed:
    """Everything at one venue or stage (internal)."""
    if venue_id not in plan.venues:
        raise PlanError("", f"unknown venue {venue_id!r}")
    events = [e for e in plan.events if e.venue == venue_id]
    return Feed(f"{plan.name} – {plan.venues[venue_id].name}", INTERNAL, events)


def public_feed(plan: Plan, lang: str = "en") -> Feed:
    """The public programme: public events only, without internal details."""
    return Feed(f"{plan.name} – {_LABELS[lang]['feed_public']}", PUBLIC, [e for e in plan.events if e.public])


def full_feed(plan: Plan, lang: str = "en") -> Feed:
    """Every event with every detail (internal)."""
    return Feed(f"{plan.name} – {_LABELS[lang]['feed_all']}", INTERNAL, list(plan.events))


# RFC 5545 3.3.11: text holds no control character but the tab; line breaks are written "\n".
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def ical_text(value: str) -> bytes:
    """`value` as an iCalendar TEXT value: backslash, semicolon and comma escaped, each line
    break (CR LF, CR or LF) written as "\\n", and the control characters iCalendar cannot carry
    (all but the tab) left out, so that no text can end a line or add a property. (icalendar's
    own escaping would also turn a typed "\\N" into a line break.)"""
    text = _CONTROLS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n").encode("utf-8")


def _stamp() -> datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC)
        except (ValueError, OverflowError, OSError):
            raise PlanError("", f"SOURCE_DATE_EPOCH must be whole seconds since 1970, got {epoch!r}") from None
    return datetime.now(UTC).replace(microsecond=0)


def timezone_component(key: str, rule: ZoneRule) -> icalendar.Timezone:
    """VTIMEZONE with one STANDARD and (with daylight saving) one DAYLIGHT block in RRULE form."""
    component = icalendar.Timezone()
    component.add("tzid", key)
    if rule.daylight is None or rule.to_daylight is None or rule.to_standard is None:
        standard = icalendar.TimezoneStandard()
        standard.add("dtstart", datetime(1970, 1, 1))
        standard.add("tzoffsetfrom", rule.standard)
        standard.add("tzoffsetto", rule.standard)
        standard.add("tzname", rule.standard_name)
        component.add_component(standard)
        return component
    for kind, name, before, after, transition in (
        (icalendar.TimezoneDaylight, rule.daylight_name, rule.standard, rule.daylight, rule.to_daylight),
        (icalendar.TimezoneStandard, rule.standard_name, rule.daylight, rule.standard, rule.to_standard),
    ):
        block = kind()
        block.add("dtstart", transition.local(1970))
        block.add("tzoffsetfrom", before)
        block.add("tzoffsetto", after)
        block.add("tzname", name)
        block.add("rrule", transition.rrule())
        component.add_component(block)
    return component


def render(plan: Plan, feed: Feed, lang: str = "en", *, modified: Mapping[str, datetime] | None = None) -> bytes:
    """The feed as iCalendar bytes. `modified` gives events' last-modified instants (from the
    database); without it LAST-MODIFIED is the feed's DTSTAMP."""
    if lang not in _LABELS:
        raise PlanError("", f"language must be en or de, got {lang!r}")
    plan, feed = audience_view(plan, feed)
    zone = zone_named(plan.timezone, "timezone")
    rule = zone_rule(plan.timezone)
    stamp = _stamp()
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # VALUE=TEXT: parsers unescape an X- property only when told it is text (ical.js).
    calendar.add("x-wr-timezone", icalendar.vText(plan.timezone), parameters={"VALUE": "TEXT"})
    if rule is not None:
        calendar.add_component(timezone_component(plan.timezone, rule))
    head = [line.encode("utf-8") for line in calendar.content_lines(sorted=False) if line]
    named = head.index(b"METHOD:PUBLISH") + 1
    head[named:named] = [b"X-WR-CALNAME;VALUE=TEXT:" + ical_text(feed.name)]
    stamp_text = _ical(icalendar.vDDDTypes(stamp))
    lines = head[:-1]  # everything up to END:VCALENDAR
    for event in sorted(feed.events, key=lambda e: (e.start, e.end, e.id)):
        lines += _vevent(plan, feed, event, lang, zone, rule, stamp_text, modified)
    lines.append(head[-1])
    # Folding is done here too: icalendar folds character by character, which alone took
    # most of the time of a 10,000-event feed.
    return b"".join(map(fold, lines))


def _ical(value) -> bytes:
    """An icalendar property value as bytes (some types give str)."""
    result = value.to_ical()
    return result if isinstance(result, bytes) else result.encode("utf-8")


def fold(data: bytes) -> bytes:
    """One UTF-8 content line with CRLF, folded into pieces of at most 75 octets (RFC 5545
    3.1), never inside a UTF-8 character nor right after a backslash that starts an escape."""
    if len(data) <= 75:
        return data + b"\r\n"
    pieces, start, limit = [], 0, 75
    while len(data) - start > limit:
        cut = start + limit
        while data[cut] & 0xC0 == 0x80:  # inside a multi-byte character
            cut -= 1
        if data[cut - 1] == 0x5C and cut - 1 > start:  # keep "\x" escapes together
            cut -= 1
        pieces.append(data[start:cut])
        start, limit = cut, 74  # continuation lines begin with a space
    pieces.append(data[start:])
    return b"\r\n ".join(pieces) + b"\r\n"


def _when(instant: datetime, zone, rule: ZoneRule | None) -> datetime:
    """The instant in the plan's zone if a client will read it back as the same instant, else
    in UTC: when the VTIMEZONE rule gives another offset (a date under an older rule), or in the
    hour the clocks go back, which a local time cannot name (clients disagree: ical.js reads
    02:30 as the second pass, icalendar and vobject as the first)."""
    local = instant.astimezone(zone)
    offset = local.utcoffset()
    ambiguous = zone.utcoffset(local.replace(fold=0)) != zone.utcoffset(local.replace(fold=1))
    if rule is not None and rule.offset_at(instant) == offset and not ambiguous:
        return local
    return instant.astimezone(UTC)


def _vevent(
    plan: Plan,
    feed: Feed,
    event: Event,
    lang: str,
    zone,
    rule: ZoneRule | None,
    stamp: bytes,
    modified: Mapping[str, datetime] | None,
) -> list[bytes]:
    """One VEVENT as content lines. Values are escaped and formatted by icalendar's property
    types; the lines are put together here because icalendar's generic component machinery
    costs most of the time of a feed with thousands of events."""

    text = ical_text
    lines = [b"BEGIN:VEVENT", b"UID:" + text(f"{event.id}@{UID_DOMAIN}"), b"DTSTAMP:" + stamp]
    for name, instant in ((b"DTSTART", event.start), (b"DTEND", event.end)):
        when = _when(instant, zone, rule)
        if when.tzinfo is UTC:
            lines.append(name + b":" + _ical(icalendar.vDDDTypes(when)))
        else:  # wall time with the plan's TZID (its VTIMEZONE is in the calendar)
            lines.append(name + b";TZID=" + plan.timezone.encode() + b":" + _ical(icalendar.vDDDTypes(when.replace(tzinfo=None))))
    lines.append(b"SUMMARY:" + text(event.title))
    venue = plan.venues.get(event.venue) if event.venue else None
    if venue is not None:
        lines.append(b"LOCATION:" + text(", ".join(part for part in (venue.name, venue.address) if part)))
        lines.append(b"GEO:" + _ical(icalendar.vGeo((venue.lat, venue.lon))))
    lines.append(b"DESCRIPTION:" + text(_description(plan, feed, event, lang)))
    lines.append(b"CATEGORIES:" + _ical(icalendar.vCategory([event.kind])))
    lines.append(b"STATUS:" + event.status.upper().encode())
    lines.append(b"SEQUENCE:" + str(event.sequence).encode())
    changed = (modified or {}).get(event.id)
    lines.append(b"LAST-MODIFIED:" + (_ical(icalendar.vDDDTypes(changed.astimezone(UTC))) if changed else stamp))
    if event.status == "cancelled":
        lines.append(b"X-MICROSOFT-CDO-BUSYSTATUS:FREE")
    lines.append(b"END:VEVENT")
    return lines


def _description(plan: Plan, feed: Feed, event: Event, lang: str) -> str:
    labels, roles = _LABELS[lang], _ROLES[lang]
    lines = []
    venue = plan.venues.get(event.venue) if event.venue else None
    if venue is not None:
        lines.append(f"{labels['venue']}: {venue.name}" + (f", {venue.address}" if venue.address else ""))
    if feed.audience == INTERNAL:
        if event.delegations:
            cities = ", ".join(plan.delegations[d].city for d in event.delegations)
            lines.append(f"{labels['delegations']}: {cities}")
    elif feed.audience == GUEST and feed.delegation:
        lines.append(f"{labels['delegation']}: {plan.delegations[feed.delegation].city}")
    if event.people and feed.audience != PUBLIC:
        people = []
        for person_id in event.people:
            person = plan.people[person_id]
            role = roles.get(person.role, "")
            text = f"{person.name} ({role})" if role and role.lower() not in person.name.lower() else person.name
            if feed.audience == INTERNAL and person.phone:
                text += f", {person.phone}"
            people.append(text)
        lines.append(f"{labels['with']}: " + "; ".join(people))
    if event.status != "confirmed":
        lines.append(f"{labels['status']}: {labels[event.status]}")
    if feed.audience == INTERNAL and event.notes:
        lines.append(f"{labels['notes']}: {event.notes}")
    return "\n".join(lines)


def feeds_for(
    plan: Plan,
    *,
    delegation: str | None = None,
    person: str | None = None,
    venue: str | None = None,
    public: bool = False,
    everything: bool = False,
    lang: str = "en",
) -> Feed:
    """The one feed the options ask for (exactly one must be given)."""
    chosen = [x for x in (delegation, person, venue) if x is not None] + [1 for x in (public, everything) if x]
    if len(chosen) != 1:
        raise PlanError("", "choose exactly one of --delegation, --person, --venue, --public, --all")
    if delegation is not None:
        return delegation_feed(plan, delegation, lang)
    if person is not None:
        return person_feed(plan, person, lang)
    if venue is not None:
        return venue_feed(plan, venue, lang)
    return public_feed(plan, lang) if public else full_feed(plan, lang)


__all__ = [
    "Feed",
    "ical_text",
    "delegation_feed",
    "person_feed",
    "venue_feed",
    "public_feed",
    "full_feed",
    "render",
    "timezone_component",
    "feeds_for",
]
