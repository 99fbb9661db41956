"""Calendars stay well-formed whatever the text: for any title, note, name or address every
line is CRLF-terminated and at most 75 octets, icalendar, vobject and ical.js (Thunderbird) read
back exactly one calendar with the expected events and the text as typed (line breaks as line
breaks, the control characters iCalendar cannot carry left out), and no text adds a property."""

from __future__ import annotations

import re

import icalendar
import pytest
import vobject
from hypothesis import example, given
from hypothesis import strategies as st
from support.hostile import PAYLOADS, hostile_plan
from support.plans import event, plan

from planner import parse_plan
from planner.exports.ics import delegation_feed, full_feed, person_feed, public_feed, render

#: What a VEVENT of ours holds; anything else came out of a text.
PROPERTIES = {
    "UID",
    "DTSTAMP",
    "DTSTART",
    "DTEND",
    "SUMMARY",
    "LOCATION",
    "GEO",
    "DESCRIPTION",
    "CATEGORIES",
    "STATUS",
    "SEQUENCE",
    "LAST-MODIFIED",
    "X-MICROSOFT-CDO-BUSYSTATUS",
}
TRAPS = [
    "\r\nATTENDEE:mailto:x@example.org",
    "\rATTENDEE:mailto:x",
    "\nATTENDEE:mailto:x",
    "\x85ATTENDEE:x",
    "\u2028ATTENDEE:x",
    "\r\n ATTENDEE:x",
    "\\nATTENDEE:x",
    "\\",
    "\\N",
    ";",
    ",",
    ":",
    "\x00",
    "\x0b",
    "\x1b",
    "\x7f",
    "\t",
    "é",
    "🎉",
    "\ufeff",
    "END:VEVENT\r\nBEGIN:VEVENT",
    "END:VCALENDAR",
    " ",
]
TEXT = st.lists(st.text(st.characters(codec="utf-8"), max_size=8) | st.sampled_from(TRAPS), max_size=12).map("".join) | st.builds(
    lambda a, n: a * n, st.sampled_from(["x", "é", "🎉", "\\", ",", "a\r\n"]), st.integers(70, 400)
)


def carried(text: str) -> str:
    """What a calendar can carry of `text`: every line break as LF, no other control but the tab."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text)


def texts_plan(title: str, notes: str, venue_name: str, address: str, person: str, city: str, name: str):
    """A small plan with the texts put in after parsing (so that they reach the calendar exactly,
    NUL and lone CR included, which a plan file could not hold)."""
    document = plan(
        event("a", "2027-05-07T10:00", "2027-05-07T11:00", venue="rathaus", people=["ob"], delegations=["amiens"], public=True),
        event(
            "b",
            "2027-05-07T12:00",
            "2027-05-07T13:00",
            venue="rathaus",
            people=["ob"],
            delegations=["amiens"],
            public=True,
            status="cancelled",
        ),
    )
    built = parse_plan(document)
    built.name = name
    for item in built.events:
        item.title, item.notes = title, notes
    built.venues["rathaus"].name, built.venues["rathaus"].address = venue_name, address
    built.people["ob"].name = person
    built.delegations["amiens"].city = city
    return built


def well_formed(data: bytes) -> list[str]:
    """The unfolded content lines, after checking the physical ones."""
    assert data.endswith(b"\r\n")
    physical = data[:-2].split(b"\r\n")
    for line in physical:
        assert len(line) <= 75, line
        assert b"\r" not in line and b"\n" not in line, line
        line.decode("utf-8")  # never folded inside a character
    assert all(line[:1] != b" " for line in physical[:1])
    return data.decode("utf-8").replace("\r\n ", "").split("\r\n")[:-1]


def check_feed(data: bytes, count: int, title: str, location: str) -> None:
    lines = well_formed(data)
    names = [re.match(r"[A-Z-]+", line)[0] for line in lines]
    assert names.count("BEGIN") == names.count("END") and lines.count("BEGIN:VEVENT") == count
    inside = set()
    depth = None
    for line, name in zip(lines, names):
        if line == "BEGIN:VEVENT":
            depth = True
        elif line == "END:VEVENT":
            depth = False
        elif depth:
            inside.add(name)
    assert inside <= PROPERTIES, inside - PROPERTIES
    calendars = icalendar.Calendar.from_ical(data, multiple=True)
    assert len(calendars) == 1
    events = calendars[0].walk("VEVENT")
    assert len(events) == count
    assert all(str(e["summary"]) == carried(title) for e in events)
    assert all(str(e["location"]) == carried(location) for e in events)
    assert all(not e.get("attendee") for e in events)
    parsed = list(vobject.readComponents(data.decode("utf-8")))
    assert len(parsed) == 1 and len(getattr(parsed[0], "vevent_list", [])) == count
    assert all(e.summary.value == carried(title) for e in parsed[0].vevent_list)
    assert all(e.location.value == carried(location) for e in parsed[0].vevent_list)


@given(TEXT, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT)
@example("x\r\nATTENDEE:mailto:x@example.org", "n\rEND:VEVENT", "C:\\New\\folder", "a;b,c", "\x00\x0b", "\u2028\x85", "x" * 300)
def test_any_text_keeps_the_calendar_well_formed(title, notes, venue_name, address, person, city, name):
    built = texts_plan(title, notes, venue_name, address, person, city, name)
    location = ", ".join(part for part in (venue_name, address) if part)
    for feed in (delegation_feed(built, "amiens"), person_feed(built, "ob"), public_feed(built), full_feed(built)):
        data = render(built, feed)
        check_feed(data, 2, title, location)
        calendar = icalendar.Calendar.from_ical(data)
        assert str(calendar["X-WR-CALNAME"]) == carried(feed.name)
    internal = icalendar.Calendar.from_ical(render(built, full_feed(built)))
    description = str(internal.walk("VEVENT")[0]["description"])
    assert f"Notes: {carried(notes)}" in description if notes else "Notes:" not in description
    assert carried(person) in description and carried(city) in description


@pytest.mark.parametrize("trap", TRAPS)
def test_no_text_adds_a_property(trap):
    built = texts_plan(f"T{trap}", trap, f"V{trap}", trap, f"P{trap}", f"C{trap}", f"N{trap}")
    data = render(built, full_feed(built))
    check_feed(data, 2, f"T{trap}", f"V{trap}, {trap}" if trap else f"V{trap}")
    assert b"\r\nATTENDEE" not in data and data.count(b"\r\nBEGIN:VEVENT\r\n") == 2


def test_hostile_plan_calendars_read_the_same_in_all_three_parsers(tmp_path, icaljs):
    hostile = hostile_plan()
    feeds = [delegation_feed(hostile, d) for d in hostile.delegations] + [public_feed(hostile), full_feed(hostile)]
    feeds += [person_feed(hostile, p) for p in list(hostile.people)[:5]]
    paths = []
    for number, feed in enumerate(feeds):
        data = render(hostile, feed)
        well_formed(data)
        path = tmp_path / f"{number}.ics"
        path.write_bytes(data)
        paths.append(path)
    titles = {e.id: carried(e.title) for e in hostile.events}
    for path, parsed in zip(paths, icaljs(*paths)):
        data = path.read_bytes()
        by_icalendar = {str(e["uid"]): str(e["summary"]) for e in icalendar.Calendar.from_ical(data).walk("VEVENT")}
        by_vobject = {e.uid.value: e.summary.value for e in vobject.readOne(data.decode()).vevent_list}
        by_js = {e["uid"]: e["summary"] for e in parsed["events"]}
        assert by_icalendar == by_vobject == by_js
        assert all(title == titles[uid.removesuffix("@dortbunt-planner")] for uid, title in by_js.items())
        assert parsed["name"] == str(icalendar.Calendar.from_ical(data)["X-WR-CALNAME"])
    # Every payload reached some calendar and came back as typed.
    assert set(map(carried, PAYLOADS)) <= set(titles.values())
