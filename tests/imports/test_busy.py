"""Busy time from an Outlook-style export: recurring events with EXDATE, a moved and a
cancelled instance, a Windows zone name, free and cancelled entries, an all-day trip."""

import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from support.paths import DATA, ROOT

from planner import PlanError, check, load_plan
from planner.imports.busy_time import busy_events, with_busy_time
from planner.storage import PlanStore

OUTLOOK = ROOT / "tests" / "fixtures" / "outlook-busy.ics"
EXPECTED = [  # UTC: Berlin is UTC+2 in summer, UTC+1 in January
    ("Ratssitzung", "2027-04-19 13:00", "2027-04-19 16:00"),
    ("Ratssitzung (verlegt)", "2027-04-27 07:00", "2027-04-27 09:00"),  # moved from Mon 26 Apr
    # Mon 3 May: EXDATE; Mon 10 May: cancelled instance
    ("Dienstreise", "2027-05-11 22:00", "2027-05-13 22:00"),  # all day, 12–13 May local
    ("Ratssitzung", "2027-05-17 13:00", "2027-05-17 16:00"),
    ("Ratssitzung", "2027-05-24 13:00", "2027-05-24 16:00"),
    ("Neujahrsempfang", "2028-01-10 17:00", "2028-01-10 19:00"),
]


def blocks(events):
    return [(e.title, f"{e.start:%Y-%m-%d %H:%M}", f"{e.end:%Y-%m-%d %H:%M}") for e in events]


@pytest.fixture
def sample():
    return load_plan(DATA / "dortbunt-2027.json")


def span():
    return datetime(2027, 1, 1, tzinfo=UTC), datetime(2029, 1, 1, tzinfo=UTC)


def test_outlook_export_becomes_the_right_busy_blocks(sample):
    busy = busy_events(OUTLOOK.read_bytes(), sample, "ob", *span())
    assert blocks(busy) == EXPECTED
    assert all(e.kind == "unavailable" and e.venue is None and e.people == ("ob",) for e in busy)
    assert all(e.start.tzinfo is not None for e in busy)


def test_windows_zone_name_without_vtimezone(sample):
    text = OUTLOOK.read_bytes().decode()
    without = text[: text.index("BEGIN:VTIMEZONE")] + text[text.index("END:VTIMEZONE\r\n") + len("END:VTIMEZONE\r\n") :]
    assert "BEGIN:VTIMEZONE" not in without
    assert blocks(busy_events(without.encode(), sample, "ob", *span())) == EXPECTED


def test_ids_are_stable_and_reimport_replaces(sample):
    first = busy_events(OUTLOOK.read_bytes(), sample, "ob", *span())
    assert [e.id for e in busy_events(OUTLOOK.read_bytes(), sample, "ob", *span())] == [e.id for e in first]
    once = with_busy_time(sample, "ob", first)
    twice = with_busy_time(once, "ob", first[:2])
    assert len(twice.events) == len(sample.events) + 2


def test_busy_time_shows_up_as_conflicts(sample):
    busy = busy_events(OUTLOOK.read_bytes(), sample, "ob", *span())
    plan = with_busy_time(sample, "ob", busy)
    doc_event = {
        "id": "gb-late",
        "title": "Golden Book",
        "kind": "golden_book",
        "start": "2027-05-17T15:30",
        "end": "2027-05-17T16:00",
        "venue": "rathaus",
        "people": ["ob"],
    }
    from planner import parse_plan, plan_to_document

    document = plan_to_document(plan)
    document["events"].append(doc_event)
    clashes = [c for c in check(parse_plan(document)) if c.rule == "person_overlap" and c.resource == "ob"]
    assert [c.events for c in clashes] == [(busy[3].id, "gb-late")]


def test_unreadable_calendar_and_unknown_person(sample):
    with pytest.raises(PlanError, match="is not a calendar that can be read"):
        busy_events(b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:garbage\r\n", sample, "ob", *span())
    with pytest.raises(PlanError, match="unknown person 'nobody'"):
        busy_events(OUTLOOK.read_bytes(), sample, "nobody", *span())


def run(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "planner", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_cli_into_the_database_and_into_a_file(tmp_path):
    env = {"PLANNER_DB_URL": f"sqlite:///{tmp_path}/planner.db"}
    result = run("import-ics", str(OUTLOOK), "--person", "ob", "--from", "2027-01-01", "--to", "2028-12-31", env=env)
    assert result.returncode == 0, result.stderr
    assert "6 busy blocks of ob imported into the draft (0 earlier ones replaced)" in result.stderr
    again = run("import-ics", str(OUTLOOK), "--person", "ob", "--from", "2027-05-01", "--to", "2027-05-31", env=env)
    assert "3 busy blocks of ob imported into the draft (6 earlier ones replaced)" in again.stderr
    store = PlanStore(env["PLANNER_DB_URL"])
    imported = [e for e in store.load_plan().events if e.id.startswith("busy-ob-")]
    assert blocks(imported) == EXPECTED[2:5]
    assert store.audit()[0].action == "import-busy"
    store.close()
    out = tmp_path / "with-busy.json"
    result = run("import-ics", str(OUTLOOK), "--person", "ob", "--plan", str(DATA / "dortbunt-2027.json"), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert len(load_plan(out).events) == len(load_plan(DATA / "dortbunt-2027.json").events) + 5


def test_cli_bad_input(tmp_path):
    bad = tmp_path / "bad.ics"
    bad.write_text("not a calendar")
    result = run("import-ics", str(bad), "--person", "ob", "--plan", str(DATA / "dortbunt-2027.json"))
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "is not a calendar" in result.stderr
    missing = run("import-ics", str(tmp_path / "none.ics"), "--person", "ob")
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_a_runaway_rule_is_stopped_with_a_clear_message(sample):
    runaway = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:s\r\nDTSTART:20270501T100000Z\r\n"
        b"DTEND:20270501T100001Z\r\nRRULE:FREQ=SECONDLY\r\nSUMMARY:runaway\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    with pytest.raises(PlanError, match="more than 20,000 entries in the span read; choose a shorter one"):
        busy_events(runaway, sample, "ob", *span())


@pytest.mark.parametrize("frequency", ["SECONDLY", "DAILY", "MONTHLY"])
def test_a_time_zone_that_changes_its_clocks_other_than_yearly_is_refused_at_once(sample, frequency):
    """icalendar steps a zone's rule through every clock change when a time in that zone is
    read: a 20-line upload with a secondly zone rule from 1900 kept the server busy for hours."""
    import signal

    def change(kind, start, offsets):
        return [f"BEGIN:{kind}", f"DTSTART:{start}", f"RRULE:FREQ={frequency}", *offsets, f"END:{kind}"]

    calendar = "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:x",
            "BEGIN:VTIMEZONE",
            "TZID:Hostile Zone",
            *change("STANDARD", "19000101T000000", ["TZOFFSETFROM:+0200", "TZOFFSETTO:+0100"]),
            *change("DAYLIGHT", "19000101T000001", ["TZOFFSETFROM:+0100", "TZOFFSETTO:+0200"]),
            "END:VTIMEZONE",
            "BEGIN:VEVENT",
            "UID:u1",
            "DTSTAMP:20270101T000000Z",
            "SUMMARY:x",
            "DTSTART;TZID=Hostile Zone:20270507T100000",
            "DTEND;TZID=Hostile Zone:20270507T110000",
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ]
    ).encode()

    def too_long(*_):
        raise AssertionError("the upload was still being read after 30 s")

    previous = signal.signal(signal.SIGALRM, too_long)
    signal.alarm(30)
    try:
        with pytest.raises(PlanError, match=f"the time zone 'Hostile Zone' changes its clocks {frequency.lower()}, not yearly"):
            busy_events(calendar, sample, "ob", *span())
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_private_appointments_are_imported_without_their_titles():
    data = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:private-1
DTSTART:20270507T080000Z
DTEND:20270507T090000Z
SUMMARY:Dentist
CLASS:PRIVATE
END:VEVENT
BEGIN:VEVENT
UID:public-1
DTSTART:20270507T100000Z
DTEND:20270507T110000Z
SUMMARY:Council committee
END:VEVENT
END:VCALENDAR
"""
    sample = load_plan(DATA / "dortbunt-2027.json")
    busy = busy_events(data, sample, "ob", *span())
    assert [e.title for e in busy] == ["Busy", "Council committee"]
