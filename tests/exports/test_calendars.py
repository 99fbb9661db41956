"""Calendar feeds: what Thunderbird's ical.js, vobject and icalendar read from them must be
the plan — the same instants (both clock changes, 2040), the same texts (whatever they hold),
and no more than each audience may see."""

import os
import subprocess
import sys
from datetime import UTC, datetime

import icalendar
import pytest
import vobject
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.paths import DATA, ROOT
from support.plans import event, plan
from support.reference import Invalid, reference_conflicts
from support.strategies import plan_documents

from planner import load_plan, parse_plan
from planner.exports.ics import delegation_feed, full_feed, person_feed, public_feed, render, venue_feed

TRAPS = [
    "X\r\nBEGIN:VEVENT",
    "a;b,c\\d",
    "Emoji 🎉🇩🇪 ü",
    "Zeile 1\nZeile 2",
    "x" * 300,
    "SUMMARY:fake",
    '<b>bold</b> & "quoted"',
    ":colon; semi",
    "trailing\\",
    "tab\there",
]


def utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def by_icalendar(data: bytes) -> dict:
    calendar = icalendar.Calendar.from_ical(data)
    return {
        str(e["uid"]): (utc(e["dtstart"].dt), utc(e["dtend"].dt), str(e["summary"]), str(e["status"]), int(e["sequence"]))
        for e in calendar.walk("VEVENT")
    }


def by_vobject(data: bytes) -> dict:
    calendar = vobject.readOne(data.decode("utf-8"))
    return {
        e.uid.value: (utc(e.dtstart.value), utc(e.dtend.value), e.summary.value, e.status.value, int(e.sequence.value))
        for e in getattr(calendar, "vevent_list", [])
    }


def by_icaljs(result: dict) -> dict:
    return {e["uid"]: (e["start"][:19], e["end"][:19], e["summary"], e["status"], e["sequence"]) for e in result["events"]}


def expected(plan_, events) -> dict:
    return {f"{e.id}@dortbunt-planner": (utc(e.start), utc(e.end), e.title, e.status.upper(), e.sequence) for e in events}


def tricky_plan() -> dict:
    events = [
        event("spring-before", "2027-03-28T01:30", "2027-03-28T03:30", people=["ob"]),
        event("spring-after", "2027-03-28T03:00", "2027-03-28T04:00", people=["ob"], status="tentative"),
        event("fold-first", "2027-10-31T02:30", "2027-10-31T02:45", people=["ob"], sequence=4),
        event("fold-second", "2027-10-31T02:30+01:00", "2027-10-31T02:45+01:00", people=["ob"]),
        event("autumn", "2027-10-30T23:00", "2027-10-31T04:00", people=["ob"], status="cancelled"),
        event("far", "2040-07-01T09:00", "2040-07-01T10:00", people=["ob"], delegations=["amiens"]),
        event("winter", "2040-12-24T18:00", "2040-12-24T19:00", people=["ob"]),
    ]
    events += [
        event(
            f"trap-{n}", "2027-05-07T10:00", "2027-05-07T11:00", title=title, people=["ob"], notes=title, delegations=["amiens"]
        )
        for n, title in enumerate(TRAPS)
    ]
    return plan(*events)


def test_three_parsers_read_the_same_instants_and_texts(tmp_path, icaljs):
    tricky = parse_plan(tricky_plan())
    data = render(tricky, person_feed(tricky, "ob"))
    path = tmp_path / "ob.ics"
    path.write_bytes(data)
    want = expected(tricky, tricky.events)
    assert by_icalendar(data) == want
    assert by_vobject(data) == want
    assert by_icaljs(icaljs(path)[0]) == want


def test_vtimezone_is_in_rrule_form():
    tricky = parse_plan(tricky_plan())
    text = render(tricky, full_feed(tricky)).decode()
    zone = text[text.index("BEGIN:VTIMEZONE") : text.index("END:VTIMEZONE")]
    assert "RDATE" not in zone
    assert zone.count("BEGIN:STANDARD") == 1 and zone.count("BEGIN:DAYLIGHT") == 1
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in zone and "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in zone
    # Every date-time has a TZID with this VTIMEZONE, or is UTC.
    for line in text.splitlines():
        if line.startswith(("DTSTART", "DTEND")) and "VTIMEZONE" not in line:
            assert (
                line.startswith(("DTSTART;TZID=Europe/Berlin:", "DTEND;TZID=Europe/Berlin:"))
                or line.endswith("Z")
                or line.startswith("DTSTART:1970")
            ), line


def test_injection_titles_come_back_exactly_and_add_nothing(tmp_path, icaljs):
    tricky = parse_plan(tricky_plan())
    data = render(tricky, full_feed(tricky))
    calendar = icalendar.Calendar.from_ical(data)
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    assert len(events) == len(tricky.events)
    assert len(calendar.walk("VCALENDAR")) == 1
    # As typed; the plan itself reads CR LF as LF (SPEC §2).
    titles = [title.replace("\r\n", "\n") for title in TRAPS]
    for n, title in enumerate(titles):
        assert str(events[f"trap-{n}@dortbunt-planner"]["summary"]) == title
        assert f"Notes: {title}" in str(events[f"trap-{n}@dortbunt-planner"]["description"])
    path = tmp_path / "all.ics"
    path.write_bytes(data)
    js = {e["uid"]: e for e in icaljs(path)[0]["events"]}
    assert [js[f"trap-{n}@dortbunt-planner"]["summary"] for n in range(len(TRAPS))] == titles
    assert all(f"Notes: {title}" in js[f"trap-{n}@dortbunt-planner"]["description"] for n, title in enumerate(titles))
    vobj = by_vobject(data)
    assert [vobj[f"trap-{n}@dortbunt-planner"][2] for n in range(len(TRAPS))] == titles
    # Lines are folded at 75 octets and no line of the file starts a component but our own.
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    assert data.count(b"\r\nBEGIN:VEVENT\r\n") == len(tricky.events)


def test_calendar_name_is_escaped(tmp_path, icaljs):
    document = tricky_plan()
    document["name"] = "Festival; Stadt, Dortmund\\2027"
    tricky = parse_plan(document)
    path = tmp_path / "named.ics"
    path.write_bytes(render(tricky, public_feed(tricky)))
    data = path.read_bytes()
    assert b"X-WR-CALNAME;VALUE=TEXT:Festival\\; Stadt\\, Dortmund\\\\2027" in data
    name = "Festival; Stadt, Dortmund\\2027 – Public programme"
    assert icaljs(path)[0]["name"] == name
    assert str(icalendar.Calendar.from_ical(data)["X-WR-CALNAME"]) == name
    assert vobject.readOne(data.decode()).contents["x-wr-calname"][0].value == name


def test_guest_feed_holds_only_its_delegation_and_no_internal_details():
    sample = load_plan(DATA / "dortbunt-2027.json")
    data = render(sample, delegation_feed(sample, "amiens")).decode()
    calendar = icalendar.Calendar.from_ical(data)
    uids = {str(e["uid"]).split("@")[0] for e in calendar.walk("VEVENT")}
    assert uids == {e.id for e in sample.events if "amiens" in e.delegations}
    others = {d.city for d in sample.delegations.values() if d.id != "amiens"}
    for e in calendar.walk("VEVENT"):
        description = str(e["description"])
        assert "Notes:" not in description and "DEMO CONFLICT" not in description
        assert not any(f"Delegations: {city}" in description for city in others)
    phones = [p.phone for p in sample.people.values() if p.phone]
    assert not any(phone in data for phone in phones)


def test_public_feed_holds_public_events_only_and_internal_feeds_keep_notes():
    sample = load_plan(DATA / "dortbunt-2027.json")
    public = icalendar.Calendar.from_ical(render(sample, public_feed(sample)))
    assert {str(e["uid"]).split("@")[0] for e in public.walk("VEVENT")} == {e.id for e in sample.events if e.public}
    assert not any("With:" in str(e["description"]) for e in public.walk("VEVENT"))
    internal = render(sample, full_feed(sample)).decode()
    assert "DEMO CONFLICT" in internal.replace("\r\n ", "")
    venue = icalendar.Calendar.from_ical(render(sample, venue_feed(sample, "rathaus")))
    assert {str(e["location"]) for e in venue.walk("VEVENT")} == {"Rathaus Dortmund, Friedensplatz 1, 44135 Dortmund"}


def test_cancelled_events_stay_with_status_and_sequence():
    tricky = parse_plan(tricky_plan())
    events = {str(e["uid"]): e for e in icalendar.Calendar.from_ical(render(tricky, full_feed(tricky))).walk("VEVENT")}
    assert str(events["autumn@dortbunt-planner"]["status"]) == "CANCELLED"
    assert str(events["spring-after@dortbunt-planner"]["status"]) == "TENTATIVE"
    assert int(events["fold-first@dortbunt-planner"]["sequence"]) == 4
    for e in events.values():
        assert {"DTSTAMP", "LAST-MODIFIED", "CATEGORIES", "DESCRIPTION"} <= set(e)


def test_german_texts():
    sample = load_plan(DATA / "dortbunt-2027.json")
    text = render(sample, delegation_feed(sample, "amiens", "de"), "de").decode().replace("\r\n ", "")
    assert "X-WR-CALNAME;VALUE=TEXT:DORTBUNT! 2027 – Programm Amiens" in text
    assert "Ort: Rathaus Dortmund" in text and "Mit: " in text


def test_reproducible_with_source_date_epoch(monkeypatch):
    sample = load_plan(DATA / "dortbunt-2027.json")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    first = render(sample, full_feed(sample))
    assert render(sample, full_feed(sample)) == first
    assert b"DTSTAMP:20270115T080000Z" in first


def test_zone_whose_rule_cannot_hold_the_date_is_written_in_utc(tmp_path, icaljs):
    document = plan(
        event("a", "2027-03-10T10:00", "2027-03-10T11:00", people=["ob"]),
        event("b", "2027-08-10T10:00", "2027-08-10T11:00", people=["ob"]),
    )
    document["timezone"] = "Africa/Casablanca"  # Ramadan changes are not a yearly rule
    casablanca = parse_plan(document)
    data = render(casablanca, full_feed(casablanca))
    path = tmp_path / "casa.ics"
    path.write_bytes(data)
    want = expected(casablanca, casablanca.events)
    assert by_icalendar(data) == want == by_vobject(data) == by_icaljs(icaljs(path)[0])


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(plan_documents(), min_size=4, max_size=4))
def test_random_plans_agree_across_parsers(tmp_path_factory, icaljs, documents):
    folder = tmp_path_factory.mktemp("feeds")
    paths, wants, datas = [], [], []
    for n, document in enumerate(documents):
        try:
            reference_conflicts(document)
        except Invalid:
            continue
        random_plan = parse_plan(document)
        data = render(random_plan, full_feed(random_plan))
        path = folder / f"{n}.ics"
        path.write_bytes(data)
        paths.append(path)
        datas.append(data)
        wants.append(expected(random_plan, random_plan.events))
    if not paths:
        return
    for data, want, parsed in zip(datas, wants, icaljs(*paths)):
        assert by_icalendar(data) == want
        assert by_vobject(data) == want
        assert by_icaljs(parsed) == want


# -- command line -------------------------------------------------------------------------------


def run(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "planner", *args], cwd=ROOT, capture_output=True, env={**os.environ, **(env or {})}, timeout=120
    )


def test_export_ics_from_a_file(tmp_path):
    out = tmp_path / "amiens.ics"
    result = run("export-ics", str(DATA / "dortbunt-2027.json"), "--delegation", "amiens", "-o", str(out), "--lang", "de")
    assert result.returncode == 0, result.stderr
    assert b"X-WR-CALNAME;VALUE=TEXT:DORTBUNT! 2027 \xe2\x80\x93 Programm Amiens" in out.read_bytes()
    stdout = run("export-ics", str(DATA / "dortbunt-2027.json"), "--public", env={"SOURCE_DATE_EPOCH": "0"})
    assert stdout.returncode == 0 and stdout.stdout.startswith(b"BEGIN:VCALENDAR\r\n")


@pytest.mark.parametrize(
    "args,message",
    [
        (["--delegation", "paris"], b"unknown delegation 'paris'"),
        (["--person", "nobody"], b"unknown person 'nobody'"),
        (["--venue", "moon"], b"unknown venue 'moon'"),
        ([], b"one of the arguments --delegation --person --venue --public --all is required"),
        (["--public", "--all"], b"not allowed with argument"),
    ],
)
def test_export_ics_bad_choices_exit_2(args, message):
    result = run("export-ics", str(DATA / "dortbunt-2027.json"), *args)
    assert result.returncode == 2 and result.stderr.count(b"\n") == 1 and message in result.stderr


def test_export_ics_from_the_database_uses_the_release_for_guests(tmp_path):
    env = {"PLANNER_DB_URL": f"sqlite:///{tmp_path}/planner.db"}
    nothing = run("export-ics", "--delegation", "amiens", env=env)
    assert nothing.returncode == 2 and b"nothing has been published yet" in nothing.stderr
    assert run("db", "publish", "-m", "first", env=env).returncode == 0
    guest = run("export-ics", "--delegation", "amiens", env=env)
    assert guest.returncode == 0 and b"UID:gb-amiens@dortbunt-planner" in guest.stdout
    internal = run("export-ics", "--person", "ob", env=env)
    assert internal.returncode == 0 and b"BEGIN:VEVENT" in internal.stdout
