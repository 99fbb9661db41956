"""The library modules behind the app: festival programmes from CSV/Excel and the table editor
(planner/programme.py), free time (availability.py), the guest's plan (guest.py), the preview
of a change (preview.py), dates for people (formats.py), who may change what (access.py
`Editor`), all-or-nothing batches of event edits and expiring guest links (storage)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pandas as pd
import pytest
from conftest import DATA
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from plans import event, plan

import planner.storage.links as store_module
from planner import PlanError, load_plan, parse_plan
from planner.language import dates as formats
from planner.language.markdown import markdown_literal
from planner.sharing.access import Editor, Forbidden
from planner.scheduling.free_windows import day_events, free_windows
from planner.plan.clock import WallClock, micros
from planner.rules.engine import check
from planner.sharing.audiences import guest_plan
from planner.plan.model import Event, Person
from planner.rules.change_preview import changed_plan, preview, read_event
from planner.imports.festival_programme import (
    ProgrammeError,
    read_programme,
    slot_document,
    slot_rows,
    table_changes,
)
from planner.storage import PlanStore
from planner.storage import NotFoundError, StaleEditError

SAMPLE = load_plan(DATA / "dortbunt-2027.json")
BERLIN = ZoneInfo("Europe/Berlin")
WALL = WallClock(BERLIN)
PASSWORD = "correct horse battery"


def local(text: str) -> datetime:
    return WALL.parse(text, "test")


def walls(document: dict) -> tuple[datetime, datetime]:
    return datetime.fromisoformat(document["start"]), datetime.fromisoformat(document["end"])


# -- planner/programme.py: reading a programme file ------------------------------------------


def xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def test_csv_with_english_headers():
    data = ("title,stage,day,start,end,performers,public,status\n"
            "Brass at noon,friedensplatz,2027-05-08,12:00,12:45,perf-bigband,yes,tentative\n"
            "Choir,Alter Markt,2027-05-08,13:00,13:45,youth choir of the dortmund music school; DJ collective (Nordstadt),no,\n")
    first, second = read_programme(data.encode(), "programme.csv", SAMPLE)
    assert first == {"id": "slot-friedensplatz-1", "title": "Brass at noon", "kind": "festival_slot",
                     "venue": "friedensplatz", "start": "2027-05-08T12:00", "end": "2027-05-08T12:45",
                     "people": ["perf-bigband"], "public": True, "status": "tentative"}
    assert (second["venue"], second["people"], second["public"], second["status"]) == (
        "alter-markt", ["perf-choir", "perf-dj"], False, "confirmed")
    # Every document is a valid event of the plan.
    assert read_event(SAMPLE, first).venue == "friedensplatz"


def test_semicolon_csv_with_german_headers_dates_and_a_bom():
    data = ("\ufeffTitel;Bühne;Tag;Beginn;Ende;Mitwirkende;Öffentlich;Status\n"
            "Blaskapelle, mit Gästen;friedensplatz;08.05.2027;12.00;12:45;;ja;\n"
            "Chor;alter-markt;9.5.27;13:00;13:45:00;perf-choir;nein;cancelled\n")
    first, second = read_programme(data.encode("utf-8"), "Programm.CSV", SAMPLE)
    assert first["title"] == "Blaskapelle, mit Gästen" and first["public"] is True
    assert walls(first) == (datetime(2027, 5, 8, 12, 0), datetime(2027, 5, 8, 12, 45))
    assert walls(second) == (datetime(2027, 5, 9, 13, 0), datetime(2027, 5, 9, 13, 45))
    assert (second["status"], second["public"], second["people"]) == ("cancelled", False, ["perf-choir"])


def test_excel_file_with_german_headers_and_real_date_and_time_cells():
    data = xlsx([
        ["Titel", "Bühne", "Datum", "Von", "Bis", "Öffentlich", "ID"],
        ["Big band", "Friedensplatz (main stage)", date(2027, 5, 7), time(19, 30), time(20, 15), True, None],
        ["Late set", "alter-markt", datetime(2027, 5, 7), time(23, 30), time(0, 45), 0, "my-own-id"],
        [None, None, None, None, None, None, None],  # an empty line is skipped
        ["Matinee", "hansaplatz", "08.05.2027", "11:00", "12:00", "x", None],
    ])
    documents = read_programme(data, "programme.xlsx", SAMPLE)
    assert [d["title"] for d in documents] == ["Big band", "Late set", "Matinee"]
    assert documents[0]["venue"] == "friedensplatz" and documents[0]["public"] is True
    assert walls(documents[0]) == (datetime(2027, 5, 7, 19, 30), datetime(2027, 5, 7, 20, 15))
    # A slot past midnight ends the next day.
    assert documents[1]["id"] == "my-own-id" and documents[1]["public"] is False
    assert walls(documents[1]) == (datetime(2027, 5, 7, 23, 30), datetime(2027, 5, 8, 0, 45))
    assert documents[2]["public"] is True and documents[2]["venue"] == "hansaplatz"


def test_every_bad_row_is_named_with_its_spreadsheet_row_and_nothing_is_taken():
    data = xlsx([
        ["title", "stage", "day", "start", "end", "performers", "public", "status", "id"],
        ["Fine", "friedensplatz", "2027-05-08", "12:00", "12:45", None, None, None, None],   # row 2
        ["No stage", "the moon", "2027-05-08", "12:00", "12:45", None, None, None, None],    # row 3
        [None, "friedensplatz", "2027-05-08", "12:00", "12:45", None, None, None, None],     # row 4
        ["Bad day", "friedensplatz", "31.02.2027", "12:00", "12:45", None, None, None, None],  # row 5
        ["Bad time", "friedensplatz", "2027-05-08", "12:60", "12:45", None, None, None, None],  # row 6
        ["Stranger", "friedensplatz", "2027-05-08", "12:00", "12:45", "Elvis", None, None, None],  # row 7
        ["Maybe", "friedensplatz", "2027-05-08", "12:00", "12:45", None, "perhaps", None, None],  # row 8
        ["Status", "friedensplatz", "2027-05-08", "12:00", "12:45", None, None, "done", None],  # row 9
        ["Taken", "friedensplatz", "2027-05-08", "12:00", "12:45", None, None, None, "gb-amiens"],  # row 10
        ["Twice", "friedensplatz", "2027-05-08", "14:00", "14:45", None, None, None, "mine"],  # row 11
        ["Twice", "friedensplatz", "2027-05-08", "15:00", "15:45", None, None, None, "mine"],  # row 12
    ])
    with pytest.raises(ProgrammeError) as raised:
        read_programme(data, "programme.xlsx", SAMPLE)
    problems = raised.value.problems
    assert [p.split(":")[0] for p in problems] == [
        "row 3 (No stage)", "row 4", "row 5 (Bad day)", "row 6 (Bad time)", "row 7 (Stranger)", "row 8 (Maybe)",
        "row 9 (Status)", "row 10 (Taken)", "row 12 (Twice)"]
    assert "unknown stage 'the moon'" in problems[0]
    assert "title is empty" in problems[1]
    assert "31.02.2027" in problems[2] and "12:60" in problems[3] and "unknown performer 'Elvis'" in problems[4]
    assert "'perhaps' is not yes or no" in problems[5] and "'done'" in problems[6]
    assert "'gb-amiens' is taken" in problems[7] and "'mine' is taken" in problems[8]
    assert "9 problem(s), nothing imported" in str(raised.value)


def test_csv_rows_are_counted_as_a_spreadsheet_shows_them():
    data = "title,stage,day,start,end\nFine,friedensplatz,2027-05-08,12:00,12:45\n,,,,\nBad,the moon,2027-05-08,13:00,13:45\n"
    with pytest.raises(ProgrammeError) as raised:
        read_programme(data.encode(), "p.csv", SAMPLE)
    assert raised.value.problems == ["row 4 (Bad): unknown stage 'the moon'"]


def test_an_empty_csv_line_does_not_shift_the_row_numbers():
    data = "title,stage,day,start,end\nFine,friedensplatz,2027-05-08,12:00,12:45\n\nBad,the moon,2027-05-08,13:00,13:45\n"
    with pytest.raises(ProgrammeError) as raised:
        read_programme(data.encode(), "p.csv", SAMPLE)
    assert raised.value.problems == ["row 4 (Bad): unknown stage 'the moon'"]


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"title,stage,day\nA,friedensplatz,2027-05-08\n", "p.csv", "missing column(s) start, end"),
    (b"title,stage,day,start,end\n", "p.csv", "no rows to import"),
    ("title,stage,day,start,end\nÄ,friedensplatz,2027-05-08,12:00,13:00\n".encode("latin-1"), "p.csv", "not UTF-8"),
    (b"whatever", "p.ods", "expected a .csv or .xlsx file"),
    (b"PK\x03\x04 not really a workbook", "p.xlsx", "cannot be read as a table"),
])
def test_files_that_are_no_programme(data, name, message):
    with pytest.raises(PlanError, match=re.escape(message)) as raised:
        read_programme(data, name, SAMPLE)
    assert not isinstance(raised.value, ProgrammeError)


def test_too_many_rows():
    rows = "".join(f"S{i},friedensplatz,2027-05-08,12:00,12:45\n" for i in range(5001))
    with pytest.raises(PlanError, match="5,001 rows, at most 5,000"):
        read_programme(("title,stage,day,start,end\n" + rows).encode(), "p.csv", SAMPLE)


def test_new_ids_skip_the_plans_ids_and_each_other():
    taken = replace(SAMPLE, events=[*SAMPLE.events, replace(SAMPLE.events[0], id="slot-hansaplatz-1")])
    data = "title,stage,day,start,end\nA,hansaplatz,2027-05-08,12:00,12:45\nB,hansaplatz,2027-05-08,13:00,13:45\n"
    assert [d["id"] for d in read_programme(data.encode(), "p.csv", taken)] == ["slot-hansaplatz-2", "slot-hansaplatz-3"]


TITLE = st.text(st.sampled_from("abcXYZ äöüß0123456789,;'\"-&!()"), min_size=1, max_size=30).filter(str.strip)
STAGES = [v for v in SAMPLE.venues if SAMPLE.venues[v].kind == "stage"]
FIVE = st.integers(0, 24 * 12 - 1).map(lambda n: time(n // 12, n % 12 * 5))


@settings(max_examples=40)
@given(rows=st.lists(st.tuples(TITLE, st.sampled_from(STAGES), st.sampled_from([date(2027, 5, 7), date(2027, 5, 8)]),
                               FIVE, FIVE, st.booleans()).filter(lambda row: row[3] != row[4]), min_size=1, max_size=8),
       delimiter=st.sampled_from([",", ";"]), german=st.booleans())
def test_any_written_csv_reads_back(rows, delimiter, german):
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter)
    writer.writerow(["Titel", "Bühne", "Tag", "Beginn", "Ende", "Öffentlich"] if german else
                    ["title", "stage", "day", "start", "end", "public"])
    for title, stage, day, start, end, public in rows:
        writer.writerow([title, stage, day.strftime("%d.%m.%Y") if german else day.isoformat(),
                         start.strftime("%H:%M"), end.strftime("%H:%M"), ("ja" if public else "nein") if german else public])
    documents = read_programme(text.getvalue().encode(), "p.csv", SAMPLE)
    assert len(documents) == len(rows)
    assert len({d["id"] for d in documents}) == len(rows)
    for document, (title, stage, day, start, end, public) in zip(documents, rows):
        assert (document["title"], document["venue"], document["public"]) == (title.strip(), stage, public)
        begins, ends = walls(document)
        assert begins == datetime.combine(day, start)
        assert ends == datetime.combine(day + timedelta(days=1) if end < start else day, end)
        read_event(SAMPLE, document)


@given(start=FIVE, end=FIVE)
def test_a_slot_ending_before_its_start_ends_the_next_day(start, end):
    if end == start:
        with pytest.raises(ValueError, match="ends when it starts"):
            slot_document(SAMPLE, title="T", stage="friedensplatz", day=date(2027, 5, 7), start=start, end=end,
                          performers=[], public=False, status="confirmed", event_id="x")
        return
    document = slot_document(SAMPLE, title="T", stage="friedensplatz", day=date(2027, 5, 7), start=start, end=end,
                             performers=[], public=False, status="confirmed", event_id="x")
    begins, ends = walls(document)
    assert begins == datetime(2027, 5, 7, start.hour, start.minute)
    assert timedelta(0) < ends - begins <= timedelta(days=1)
    assert ends.time() == end and (ends.date() == date(2027, 5, 8)) == (end < start)


# -- planner/programme.py: the table editor's changes ----------------------------------------


def slots_table():
    slots = sorted((e for e in SAMPLE.events if e.kind == "festival_slot"), key=lambda e: (e.start, e.id))[:6]
    return slots, slot_rows(SAMPLE, slots)


def test_slot_rows_are_naive_local_times():
    slots, table = slots_table()
    assert list(table["id"]) == [e.id for e in slots]
    first = slots[0]
    assert table["day"][0] == WALL.wall(first.start).date()
    assert table["start"][0] == WALL.wall(first.start).time() and table["end"][0] == WALL.wall(first.end).time()
    assert all(value.tzinfo is None for value in table["start"])


def test_an_unedited_table_changes_nothing():
    _, table = slots_table()
    assert table_changes(SAMPLE, table, table.copy()) == ([], {}, set())


def test_table_changes_added_changed_removed():
    slots, before = slots_table()
    after = before.copy()
    after.loc[0, "title"] = "Renamed"
    after.at[1, "end"] = time(0, 30)          # now past midnight
    after.at[2, "performers"] = ["perf-dj"]
    removed = after.loc[3, "id"]
    after = after.drop(index=3)
    new = {"id": None, "title": "Encore", "stage": "alter-markt", "day": date(2027, 5, 8), "start": time(22, 0),
           "end": time(22, 30), "performers": None, "public": True, "status": None}
    after = pd.concat([after, pd.DataFrame([new, {**new, "title": "Second encore"}])], ignore_index=True)
    added, changed, gone = table_changes(SAMPLE, before, after)
    assert gone == {removed}
    assert changed[slots[0].id] == {"title": "Renamed"}
    end_day = WALL.wall(slots[1].start).date() + timedelta(days=1)
    assert changed[slots[1].id] == {"end": f"{end_day.isoformat()}T00:30"}
    assert changed[slots[2].id] == {"people": ["perf-dj"]}
    assert set(changed) == {slots[0].id, slots[1].id, slots[2].id}
    assert [a["title"] for a in added] == ["Encore", "Second encore"]
    assert added[0]["id"] != added[1]["id"] and not {a["id"] for a in added} & {e.id for e in SAMPLE.events}
    assert walls(added[0]) == (datetime(2027, 5, 8, 22, 0), datetime(2027, 5, 8, 22, 30))
    assert (added[0]["status"], added[0]["people"], added[0]["public"]) == ("confirmed", [], True)


def test_table_problems_name_the_rows_as_shown():
    _, before = slots_table()
    after = before.copy()
    after.loc[1, "title"] = ""
    after.loc[4, "stage"] = "the-moon"
    with pytest.raises(ProgrammeError) as raised:
        table_changes(SAMPLE, before, after)
    assert [p.split(":")[0] for p in raised.value.problems] == ["row 2", f"row 5 ({before.loc[4, 'title']})"]
    assert "title missing" in raised.value.problems[0] and "the-moon" in raised.value.problems[1]


# -- planner/availability.py -----------------------------------------------------------------

AVAILABILITY_DAYS = [date(2027, 5, 7), date(2027, 3, 28), date(2027, 10, 31)]  # and both clock changes


def brute_free(events: list[Event], person: str, day: date, first: int, last: int, at_least: int):
    """Minute by minute: the maximal runs of minutes no live event of the person covers."""
    begins, ends = WALL.at(day, first), WALL.at(day, last)
    busy = [(e.start, e.end) for e in events if person in e.people and e.status != "cancelled"]
    runs, current = [], None
    moment = begins
    while moment < ends:
        free = not any(a <= moment < b for a, b in busy)
        if free and current is None:
            current = moment
        if not free and current is not None:
            runs.append((current, moment))
            current = None
        moment += timedelta(minutes=1)
    if current is not None:
        runs.append((current, ends))
    return [(a, b) for a, b in runs if b - a >= timedelta(minutes=at_least)]


def base_plan():
    return parse_plan(plan())


@settings(max_examples=150)
@given(day=st.sampled_from(AVAILABILITY_DAYS),
       spans=st.lists(st.tuples(st.integers(-6 * 60, 30 * 60), st.integers(1, 8 * 60),
                                st.sampled_from(["ob", "ob", "esc"]), st.sampled_from(["confirmed", "tentative", "cancelled"])),
                      max_size=8),
       window=st.tuples(st.integers(0, 24 * 60), st.integers(0, 24 * 60)).filter(lambda w: w[0] < w[1]),
       at_least=st.integers(0, 90))
def test_free_windows_match_a_minute_by_minute_count(day, spans, window, at_least):
    midnight = WALL.at(day, 0)
    events = [Event(f"e{i}", "E", "meeting", midnight + timedelta(minutes=offset),
                    midnight + timedelta(minutes=offset + length), "park", (), (person,), status)
              for i, (offset, length, person, status) in enumerate(spans)]
    events.append(Event("busy", "Busy", "unavailable", midnight + timedelta(hours=13), midnight + timedelta(hours=14),
                        None, (), ("ob",)))
    subject = replace(base_plan(), events=events)
    found = free_windows(subject, "ob", day, window[0], window[1], at_least)
    assert found == brute_free(events, "ob", day, window[0], window[1], at_least)


def test_day_events_and_the_sample_mayor():
    day = date(2027, 5, 7)
    mine = day_events(SAMPLE, "ob", day)
    assert mine == sorted(mine, key=lambda e: (e.start, e.end, e.id))
    assert {e.id for e in mine} >= {"gb-xian", "gb-amiens", "reception-partners"}
    free = free_windows(SAMPLE, "ob", day)
    assert free == brute_free(SAMPLE.events, "ob", day, 8 * 60, 20 * 60, 15)
    for start, end in free:
        assert not any(e.start < end and e.end > start for e in mine if e.status != "cancelled")


def test_free_windows_refuse_nonsense():
    with pytest.raises(PlanError, match="unknown person"):
        free_windows(SAMPLE, "nobody", date(2027, 5, 7))
    with pytest.raises(PlanError, match="window"):
        free_windows(SAMPLE, "ob", date(2027, 5, 7), 20 * 60, 8 * 60)


# -- planner/guest.py ------------------------------------------------------------------------


def secret_plan():
    document = plan(
        event("visit", "2027-05-07T11:00", "2027-05-07T12:00", venue="rathaus", kind="meeting", title="Visit",
              delegations=["amiens"], people=["ob", "int-fr"], notes="internal: VIP parking", attendance=40,
              pinned=True),
        event("joint", "2027-05-07T17:00", "2027-05-07T18:00", venue="park", kind="reception", title="Joint reception",
              delegations=["amiens", "leeds"], people=["ob"]),
        event("leeds-only", "2027-05-07T14:00", "2027-05-07T15:00", venue="stage", title="Leeds lunch",
              delegations=["leeds"], people=["esc"], notes="leeds secret"),
        event("off", "2027-05-07T15:00", "2027-05-07T16:00", venue=None, kind="unavailable", title="Private",
              delegations=["amiens"], people=["ob"]),
        event("called-off", "2027-05-08T09:00", "2027-05-08T10:00", venue="park", title="Cancelled walk",
              delegations=["amiens"], status="cancelled"),
    )
    document["people"][0].update(phone="+49 231 5550199", email="ob@example.org", notes="mayor's private note")
    document["venues"][0]["notes"] = "door code 4711"
    document["delegations"][0].update(notes="amiens internal note", hotel="hotel")
    document["delegations"][1].update(notes="leeds internal note")
    document["venues"].append({"id": "hotel", "name": "Hotel Nord", "lat": 51.51, "lon": 7.46, "kind": "hotel",
                               "notes": "hotel rate 89 EUR"})
    document["travel"] = [{"from": "rathaus", "to": "park", "minutes": 12}, {"from": "rathaus", "to": "stage", "minutes": 3}]
    return parse_plan(document)


def test_guest_plan_holds_one_delegation_and_no_private_details():
    source = secret_plan()
    guest = guest_plan(source, "amiens")
    assert list(guest.delegations) == ["amiens"] and guest.delegations["amiens"].notes == ""
    assert [e.id for e in guest.events] == ["visit", "joint", "called-off"]  # no busy time, no Leeds event
    assert all(e.delegations == ("amiens",) for e in guest.events)
    assert all(e.notes == "" and e.attendance is None and not e.pinned for e in guest.events)
    assert set(guest.venues) == {"rathaus", "park", "hotel"}
    assert all(v.notes == "" for v in guest.venues.values())
    assert [(t.source, t.target) for t in guest.travel] == [("rathaus", "park")]
    assert guest.people == {"ob": Person("ob", "Lord Mayor", "mayor"), "int-fr": Person("int-fr", "Interpreter French", "interpreter")}
    text = repr(guest)
    for secret in ("5550199", "ob@example.org", "private note", "4711", "VIP parking", "internal note", "Leeds",
                   "leeds", "89 EUR", "Private", "Escort"):
        assert secret not in text, secret
    # The source plan is untouched.
    assert source.delegations["amiens"].notes == "amiens internal note" and source.people["ob"].phone


@pytest.mark.parametrize("delegation", list(SAMPLE.delegations))
def test_guest_plan_of_each_sample_delegation(delegation):
    guest = guest_plan(SAMPLE, delegation)
    expected = [e for e in SAMPLE.events if delegation in e.delegations and e.kind != "unavailable"]
    assert sorted(e.id for e in guest.events) == sorted(e.id for e in expected) and expected
    others = set(SAMPLE.delegations) - {delegation}
    assert set(guest.delegations) == {delegation}
    assert not any(others & set(e.delegations) for e in guest.events)
    assert all(not (p.phone or p.email or p.notes or p.languages) for p in guest.people.values())
    # People: everyone at the delegation's own events; at joint events only the city's hosts and
    # the people who serve this delegation at its own events (others would name their cities).
    own = [e for e in expected if e.delegations == (delegation,)]
    serving = {p for e in own for p in e.people}
    hosts = {p for p, person in SAMPLE.people.items() if person.role in ("mayor", "deputy_mayor", "protocol")}
    source = {e.id: e for e in expected}
    for shown in guest.events:  # when and where stay exactly as planned
        original = source[shown.id]
        assert (shown.title, shown.start, shown.end, shown.venue, shown.status) == (
            original.title, original.start, original.end, original.venue, original.status)
        if len(original.delegations) == 1:
            assert shown.people == original.people
        else:
            assert shown.people == tuple(p for p in original.people if p in serving or p in hosts)
    assert set(guest.people) == {p for e in guest.events for p in e.people}
    for person in guest.people.values():  # no other delegation's escort or interpreter
        assert not any(SAMPLE.delegations[other].city in person.name for other in others)


def test_guest_plan_of_an_unknown_delegation():
    with pytest.raises(PlanError, match="unknown delegation"):
        guest_plan(SAMPLE, "atlantis")


# -- planner/preview.py ----------------------------------------------------------------------


def rules_of(conflicts) -> set[tuple]:
    return {(c.rule, c.events, c.resource) for c in conflicts}


def test_preview_names_the_conflicts_a_new_event_would_create():
    base = parse_plan(plan(event("a", "2027-05-07T10:00", "2027-05-07T11:00", venue="park")))
    clash = read_event(base, event("b", "2027-05-07T10:30", "2027-05-07T11:30", venue="park"))
    outcome = preview(base, [clash])
    assert rules_of(outcome.new) == {("venue_overlap", ("a", "b"), "park")}
    assert outcome.solved == []
    assert [e.id for e in outcome.plan.events] == ["a", "b"] and [e.id for e in base.events] == ["a"]


def test_preview_names_the_conflicts_a_move_or_removal_would_solve():
    base = parse_plan(plan(event("a", "2027-05-07T10:00", "2027-05-07T11:00", venue="park"),
                           event("b", "2027-05-07T10:30", "2027-05-07T11:30", venue="park")))
    before = check(base)
    assert rules_of(before) == {("venue_overlap", ("a", "b"), "park")}
    moved = read_event(base, event("b", "2027-05-07T11:00", "2027-05-07T12:00", venue="park"))
    outcome = preview(base, [moved], before=before)
    assert outcome.new == [] and rules_of(outcome.solved) == rules_of(before)
    assert preview(base, removed={"b"}).solved == before
    # Still overlapping after a small move: neither new nor solved.
    nudged = read_event(base, event("b", "2027-05-07T10:45", "2027-05-07T11:30", venue="park"))
    assert (preview(base, [nudged]).new, preview(base, [nudged]).solved) == ([], [])
    # One move can solve one conflict and make another.
    elsewhere = read_event(base, event("b", "2027-05-07T10:30", "2027-05-07T11:30", venue="stage", people=["esc"]))
    busy = replace(base, events=[*base.events, read_event(base, event("c", "2027-05-07T10:00", "2027-05-07T12:00",
                                                                      venue="rathaus", people=["esc"]))])
    both = preview(busy, [elsewhere])
    assert rules_of(both.solved) == {("venue_overlap", ("a", "b"), "park")}
    assert ("person_overlap", ("b", "c"), "esc") in rules_of(both.new) or \
        ("person_overlap", ("c", "b"), "esc") in rules_of(both.new)


def test_changed_plan_replaces_by_id_and_keeps_the_order():
    base = parse_plan(plan(event("a", "2027-05-07T10:00", "2027-05-07T11:00"),
                           event("b", "2027-05-07T12:00", "2027-05-07T13:00")))
    renamed = replace(base.events[0], title="A2")
    extra = replace(base.events[1], id="c")
    result = changed_plan(base, [extra, renamed], removed={"b"})
    assert [(e.id, e.title) for e in result.events] == [("a", "A2"), ("c", "B")]
    assert [e.title for e in base.events] == ["A", "B"]


# -- planner/formats.py ----------------------------------------------------------------------


def test_german_dates_and_times():
    day = date(2027, 5, 7)
    assert formats.day(day, "de") == "Fr., 7. Mai 2027"
    assert formats.short_day(day, "de") == "Fr., 7. Mai"
    assert formats.long_day(day, "de") == "Freitag, 7. Mai 2027"
    summer, winter = datetime(2027, 5, 7, 12, 5, tzinfo=UTC), datetime(2027, 1, 7, 23, 5, tzinfo=UTC)
    assert formats.clock_time(summer, BERLIN, "de") == "14:05" and formats.clock_time(winter, BERLIN, "de") == "00:05"
    assert formats.moment(summer, BERLIN, "de") == "Fr., 7. Mai 2027, 14:05"
    assert formats.span(summer, summer + timedelta(minutes=85), BERLIN, "de") == "14:05–15:30"
    late = datetime(2027, 5, 7, 21, 0, tzinfo=UTC)
    assert formats.span(late, late + timedelta(hours=2, minutes=30), BERLIN, "de") == "23:00 – Sa., 8. Mai 01:30"


def test_english_dates_and_times():
    day = date(2027, 5, 7)
    assert formats.long_day(day, "en") == "Friday, 7 May 2027"
    assert formats.day(day, "en").startswith("Fri") and formats.day(day, "en").endswith("7 May 2027")
    assert formats.short_day(day, "en").startswith("Fri") and formats.short_day(day, "en").endswith(" 7 May")
    late = datetime(2027, 5, 7, 21, 0, tzinfo=UTC)
    assert formats.clock_time(late, BERLIN, "en") == "23:00"  # 24-hour clock in English too
    assert formats.span(late, late + timedelta(hours=2, minutes=30), BERLIN, "en") == \
        f"23:00 – {formats.short_day(date(2027, 5, 8), 'en')} 01:30"
    assert formats.day(day, "fr") == formats.day(day, "en")  # unknown languages read English


def test_english_days_as_documented():
    assert formats.day(date(2027, 5, 7), "en") == "Fri, 7 May 2027"
    assert formats.short_day(date(2027, 5, 7), "en") == "Fri 7 May"


@given(st.datetimes(min_value=datetime(2027, 1, 1), max_value=datetime(2028, 1, 1), timezones=st.just(UTC)),
       st.sampled_from(["en", "de"]))
def test_clock_time_is_berlin_wall_time(instant, lang):
    assert formats.clock_time(instant, BERLIN, lang) == instant.astimezone(BERLIN).strftime("%H:%M")


# -- planner/access.py: Editor, against a real database --------------------------------------


@pytest.fixture
def store(tmp_path) -> PlanStore:
    created = PlanStore(f"sqlite:///{tmp_path}/planner.db")
    yield created
    created.close()


def new_meeting(ident: str = "new-meeting") -> dict:
    return {"id": ident, "title": "Meeting", "kind": "meeting", "start": "2027-05-08T08:00", "end": "2027-05-08T08:30",
            "venue": "rathaus", "delegations": ["amiens"]}


def new_slot(ident: str = "new-slot") -> dict:
    return {"id": ident, "title": "Act", "kind": "festival_slot", "start": "2027-05-08T12:00",
            "end": "2027-05-08T12:30", "venue": "hansaplatz"}


def first(store: PlanStore, kind: str) -> tuple[Event, int]:
    return store.event(next(e.id for e in store.load_plan().events if e.kind == kind))


def test_a_fresh_install_is_admin_on_this_machine_only(store):
    here, remote = Editor(store, None, local=True), Editor(store, None, local=False)
    assert here.role() == "admin" and remote.role() is None
    with pytest.raises(Forbidden, match="without sign-in"):
        remote.edit_events("delegations", added=[new_meeting()])
    here.edit_events("delegations", added=[new_meeting()])
    assert store.audit("event", "new-meeting")[0].user == "local admin"
    with pytest.raises(PlanError, match="first account must be an admin"):
        here.add_user("vera", "viewer", PASSWORD)
    here.add_user("root", "admin", PASSWORD)
    # Once an account exists, this machine must sign in too.
    assert here.role() is None
    with pytest.raises(Forbidden):
        here.publish()


ALLOWED = {  # what each role may do, checked by doing it
    "admin": {"delegations", "golden_book", "festival", "share", "publish", "admin"},
    "protocol": {"delegations", "golden_book", "festival", "share", "publish"},
    "organiser": {"festival"},
    "viewer": set(),
}


@pytest.mark.parametrize("role", list(ALLOWED))
def test_each_role_may_do_exactly_its_actions(store, role):
    store.add_user("boss", "admin", PASSWORD)
    if role != "admin":
        store.add_user("someone", role, PASSWORD)
    editor = Editor(store, "boss" if role == "admin" else "someone", local=False)
    signing, signing_version = first(store, "golden_book")
    attempts = {
        "delegations": lambda: editor.edit_events("delegations", added=[new_meeting()]),
        "golden_book": lambda: editor.edit_events("golden_book", changed={signing.id: ({"title": "Signed"}, signing_version)}),
        "festival": lambda: editor.edit_events("festival", added=[new_slot()]),
        "share": lambda: editor.create_link("guest", "amiens", datetime.now(UTC) + timedelta(days=1)),
        "publish": lambda: editor.publish("r1"),
        "admin": lambda: editor.add_user("newbie", "viewer", PASSWORD),
    }
    for action, attempt in attempts.items():
        revision = store.revision()
        if action in ALLOWED[role]:
            attempt()
            assert store.revision() > revision, action
        else:
            with pytest.raises(Forbidden):
                attempt()
            assert store.revision() == revision, action
    more = [lambda: editor.add_entity("venue", {"id": "v2", "name": "V", "lat": 51.5, "lon": 7.4, "kind": "other"}),
            lambda: editor.import_plan(SAMPLE), lambda: editor.remove_user("boss" if role != "admin" else "someone")]
    if role != "admin":  # (an admin doing these is covered by the page tests)
        for attempt in more:
            with pytest.raises(Forbidden):
                attempt()


def test_an_organiser_may_touch_festival_slots_only(store):
    store.add_user("olga", "organiser", PASSWORD)
    olga = Editor(store, "olga", local=False)
    slot, slot_version = first(store, "festival_slot")
    signing, signing_version = first(store, "golden_book")
    before = store.export_document()
    refused = [
        {"added": [new_meeting()]},
        {"added": [new_slot(), new_meeting()]},                            # one non-slot spoils the batch
        {"added": [{k: v for k, v in new_slot().items() if k != "kind"}]},  # no kind given
        {"changed": {signing.id: ({"title": "Hijacked"}, signing_version)}},
        {"changed": {slot.id: ({"kind": "meeting"}, slot_version)}},       # a slot turned into a meeting
        {"removed": {signing.id: signing_version}},
        {"added": [new_slot()], "removed": {signing.id: signing_version}},
    ]
    for batch in refused:
        with pytest.raises(Forbidden, match="organiser"):
            olga.edit_events("festival", **batch)
    with pytest.raises(Forbidden):
        olga.edit_events("delegations", added=[new_slot()])
    assert store.export_document() == before
    result = olga.edit_events("festival", added=[new_slot()], changed={slot.id: ({"title": "Renamed"}, slot_version)})
    assert store.event(slot.id)[0].title == "Renamed" and result[slot.id] == slot_version + 1
    olga.edit_events("festival", removed={"new-slot": 1})
    with pytest.raises(NotFoundError):
        store.event("new-slot")
    assert {a.user for a in store.audit("event", slot.id)[:1]} == {"olga"}


def test_the_role_is_read_again_at_every_save(store):
    store.add_user("root", "admin", PASSWORD)
    store.add_user("pia", "protocol", PASSWORD)
    pia = Editor(store, "pia", local=True)  # even on this machine
    pia.edit_events("delegations", added=[new_meeting("one")])
    store.remove_user("pia")
    store.add_user("pia", "viewer", PASSWORD)
    with pytest.raises(Forbidden, match="'viewer'"):
        pia.edit_events("delegations", added=[new_meeting("two")])
    store.remove_user("pia")
    with pytest.raises(Forbidden, match="without sign-in"):
        pia.edit_events("delegations", added=[new_meeting("two")])
    with pytest.raises(NotFoundError):
        store.event("two")


def test_single_sign_on_roles(store):
    store.add_user("root", "admin", PASSWORD)
    mapping = {"*@dortmund.de": "protocol", "Chef@Dortmund.de": "admin", "x@example.org": "emperor"}
    assert Editor(store, "someone@dortmund.de", local=False, via="sso", sso_roles=mapping).role() == "protocol"
    assert Editor(store, "chef@dortmund.de", local=False, via="sso", sso_roles=mapping).role() == "admin"
    assert Editor(store, "x@example.org", local=False, via="sso", sso_roles=mapping).role() is None
    with pytest.raises(Forbidden):
        Editor(store, "someone@elsewhere.de", local=False, via="sso", sso_roles=mapping).publish()
    assert Editor(store, "someone@dortmund.de", local=False, via="sso", sso_roles=mapping).publish() == 1


def test_admins_cannot_remove_their_own_account(store):
    store.add_user("root", "admin", PASSWORD)
    with pytest.raises(PlanError, match="your own account"):
        Editor(store, "root", local=False).remove_user("root")
    assert store.users() == [("root", "admin")]


# -- PlanStore.edit_events: all or nothing ---------------------------------------------------


def test_a_batch_with_one_invalid_event_changes_nothing(store):
    before, revision = store.export_document(), store.revision()
    event_, version = first(store, "meeting")
    slot, slot_version = first(store, "festival_slot")
    bad_batches = [
        {"added": [new_meeting("ok-1"), {**new_meeting("bad"), "venue": "the-moon"}]},
        {"added": [new_meeting("ok-1")], "changed": {event_.id: ({"end": "2027-01-01T00:00"}, version)}},
        {"removed": {slot.id: slot_version}, "added": [{**new_meeting("bad"), "kind": "party"}]},
        {"changed": {event_.id: ({"title": "Renamed"}, version)}, "removed": {slot.id: slot_version + 5}},
        {"added": [new_meeting("dup"), new_meeting("dup")]},
        {"added": [new_meeting("ok-1"), {**new_meeting(event_.id)}]},  # an id that exists
        {"changed": {event_.id: ({"title": "Renamed"}, version), "no-such-event": ({"title": "x"}, 1)}},
    ]
    for batch in bad_batches:
        with pytest.raises((PlanError, StaleEditError, NotFoundError)):
            store.edit_events(**batch, user="test")
        assert store.export_document() == before, batch
        assert store.revision() == revision, batch
    with pytest.raises(PlanError, match=r"slot\[1\]\.venue"):
        store.edit_events([new_slot("s1"), {**new_slot("s2"), "venue": "the-moon"}], path="slot")


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(good=st.integers(0, 4), spoiled=st.integers(0, 4), flaw=st.sampled_from([
    {"venue": "the-moon"}, {"end": "2027-05-08T07:00"}, {"kind": "party"}, {"delegations": ["atlantis"]},
    {"people": ["nobody"]}, {"status": "maybe"}, {"title": 7}, {"start": "yesterday"}]), change=st.booleans())
def test_any_batch_with_a_flaw_changes_nothing(store, good, spoiled, flaw, change):
    before, revision = store.export_document(), store.revision()
    added = [new_meeting(f"ok-{i}") for i in range(good)]
    added.insert(min(spoiled, good), {**new_meeting("flawed"), **flaw})
    changed = {}
    if change:
        event_, version = first(store, "meeting")
        changed = {event_.id: ({"title": "Renamed in a failed batch"}, version)}
    with pytest.raises(PlanError):
        store.edit_events(added, changed, user="test")
    assert store.revision() == revision and store.export_document() == before


# -- guest links that expire -----------------------------------------------------------------


def test_guest_link_expiry(store, monkeypatch):
    with pytest.raises(PlanError, match="in the future"):
        store.create_feed_token("guest", "amiens", expires=datetime.now(UTC) - timedelta(seconds=1))
    with pytest.raises(PlanError, match="time zone"):
        store.create_feed_token("guest", "amiens", expires=datetime.now() + timedelta(days=1))
    with pytest.raises(NotFoundError):
        store.create_feed_token("guest", "atlantis")
    expires = datetime.now(UTC) + timedelta(hours=1)
    number, token = store.create_feed_token("guest", "amiens", expires=expires)
    _, forever = store.create_feed_token("guest", "leeds")
    assert store.feed_for_token(token) == ("guest", "amiens")
    [link, _] = store.feed_tokens()
    assert link["number"] == number and link["expires_at"] == expires
    end = micros(expires)
    monkeypatch.setattr(store_module, "now_micros", lambda: end - 1)
    assert store.feed_for_token(token) == ("guest", "amiens")
    monkeypatch.setattr(store_module, "now_micros", lambda: end)
    assert store.feed_for_token(token) is None
    monkeypatch.setattr(store_module, "now_micros", lambda: end + 10 * 365 * 86400 * 10**6)
    assert store.feed_for_token(token) is None
    assert store.feed_for_token(forever) == ("guest", "leeds")  # no expiry: until revoked


def test_revoked_and_wrong_tokens(store):
    number, token = store.create_feed_token("guest", "amiens")
    for wrong in ("", "short", token[:-1] + ("A" if token[-1] != "A" else "B"), token + "x", "x" * 200, None, 42):
        assert store.feed_for_token(wrong) is None
    store.revoke_feed_token(number)
    assert store.feed_for_token(token) is None
    with pytest.raises(NotFoundError):
        store.revoke_feed_token(number)
    assert store.feed_tokens()[0]["revoked_at"] is not None


def test_an_editor_creates_expiring_links(store):
    editor = Editor(store, None, local=True)
    number, token = editor.create_link("guest", "kumasi", datetime.now(UTC) + timedelta(days=30))
    assert store.feed_for_token(token) == ("guest", "kumasi")
    editor.revoke_link(number)
    assert store.feed_for_token(token) is None


# -- planner/formats.py: text typed by people, shown where Markdown is rendered --------------

UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # CommonMark: a backslash before ASCII punctuation


@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=80))
def test_markdown_literal_shows_exactly_what_was_typed(text):
    shown = markdown_literal(text)
    assert "\n" not in shown
    # As typed, but for the invisible word joiners (U+2060) that break emoji and icon codes.
    assert UNESCAPE.sub(r"\1", shown).replace("\u2060", "") == " ".join(text.splitlines()).replace("\u2060", "")
    # Nothing left that would start emphasis, code, a link, HTML, maths or an emoji code.
    bare = UNESCAPE.sub("", shown)
    assert not re.search(r"[*_`\[\]<>$~|{}&]|:[A-Za-z_/]|[wW]{3}\.", bare)
    assert not re.search(r":[\w+-][\w+/-]*:", UNESCAPE.sub(r"\1", shown))  # what Streamlit reads as text


def test_markdown_literal_examples():
    assert markdown_literal("[Log in](https://evil.example)") == "\\[Log in\\](https\\://evil.example)"
    assert markdown_literal("![x](https://t.example/p.png)").startswith("!\\[x\\]")
    assert markdown_literal("# Big") == "\\# Big" and markdown_literal("1. item") == "1\\. item"
    assert markdown_literal(":red[alarm] :smile:") == "\\:red\\[alarm\\] :\u2060smile:"
    assert markdown_literal(":material/home: :streamlit:") == ":\u2060material/home: :\u2060streamlit:"
    # Bare addresses would become links in GitHub-flavoured Markdown.
    assert markdown_literal("see https://t.example or www.t.example") == "see https\\://t.example or www\\.t.example"
    # Ordinary text stays as it is.
    for plain in ("Visit of Bolzano to the Rathaus", "14:00–15:30, Rathaus Dortmund", "anna@dortmund.de (viewer)"):
        assert markdown_literal(plain) == plain


# -- what the store refuses so that the app can always list and publish the plan -------------


def test_entities_need_an_id_and_a_name(store):
    base = {"city": "Bolzano", "country": "IT", "size": 4}
    with pytest.raises(PlanError, match=r"delegation\.id: expected a non-empty string id"):
        store.add_entity("delegation", {"id": "", **base})
    with pytest.raises(PlanError, match=r"delegation\.city: must not be empty"):
        store.add_entity("delegation", {"id": "bolzano", **base, "city": "  "})
    store.add_entity("delegation", {"id": "bolzano", **base})
    _, version = store.entity("delegation", "bolzano")
    with pytest.raises(PlanError, match=r"delegation\.city: must not be empty"):
        store.update_entity("delegation", "bolzano", {"city": ""}, expected_version=version)
    with pytest.raises(PlanError, match=r"person\.name: must not be empty"):
        store.add_entity("person", {"id": "x", "name": "", "role": "escort"})
    assert store.entity("delegation", "bolzano")[0].city == "Bolzano"


def test_a_release_that_would_not_read_back_is_refused(store):
    import sqlalchemy as sa

    with store.engine.begin() as connection:  # a row no form lets through, written behind the app's back
        connection.execute(sa.text("UPDATE delegations SET country = 'xx' WHERE id = 'amiens'"))
    with pytest.raises(PlanError, match=r"delegations\[0\]\.country"):
        store.publish("broken", user="test")
    assert store.releases() == []


def test_accounts_change_role_and_password(store):
    from planner.storage import NotFoundError

    store.add_user("root", "admin", PASSWORD)
    store.add_user("anna", "protocol", PASSWORD)
    for _ in range(5):
        assert store.authenticate("anna", "wrong password!") is None
    assert store.authenticate("anna", PASSWORD) is None  # locked out
    store.update_user("anna", role="viewer", password="a new long password", user="root")
    assert dict(store.users())["anna"] == "viewer"
    assert store.authenticate("anna", "a new long password") == "viewer"  # the lock is lifted too
    assert store.authenticate("anna", PASSWORD) is None
    with pytest.raises(PlanError, match="last admin"):
        store.update_user("root", role="viewer")
    with pytest.raises(PlanError, match="at least 10"):
        store.update_user("anna", password="short")
    with pytest.raises(NotFoundError):
        store.update_user("nobody", role="viewer")
    with pytest.raises(Forbidden):
        Editor(store, "anna", local=False).update_user("root", role="viewer")
    with pytest.raises(PlanError, match="lower your own role"):
        Editor(store, "root", local=False).update_user("root", role="protocol")
    assert store.audit("user", "anna")[0].after == {"role": "viewer", "password": "changed"}
