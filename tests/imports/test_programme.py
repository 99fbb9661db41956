"""Festival programmes from CSV and Excel files and the Festival page's table editor
(planner.imports.festival_programme): what a file or a table edit becomes, and every bad row
named as a spreadsheet shows it."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.paths import DATA

from planner import PlanError, load_plan
from planner.imports.festival_programme import (
    ProgrammeError,
    read_programme,
    slot_document,
    slot_rows,
    table_changes,
)
from planner.plan.clock import WallClock
from planner.rules.change_preview import read_event

SAMPLE = load_plan(DATA / "dortbunt-2027.json")
BERLIN = ZoneInfo("Europe/Berlin")
WALL = WallClock(BERLIN)


def walls(document: dict) -> tuple[datetime, datetime]:
    return datetime.fromisoformat(document["start"]), datetime.fromisoformat(document["end"])


# -- reading a programme file -----------------------------------------------------------------------


def xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def test_csv_with_english_headers():
    data = (
        "title,stage,day,start,end,performers,public,status\n"
        "Brass at noon,friedensplatz,2027-05-08,12:00,12:45,perf-bigband,yes,tentative\n"
        "Choir,Alter Markt,2027-05-08,13:00,13:45,youth choir of the dortmund music school; DJ collective (Nordstadt),no,\n"
    )
    first, second = read_programme(data.encode(), "programme.csv", SAMPLE)
    assert first == {
        "id": "slot-friedensplatz-1",
        "title": "Brass at noon",
        "kind": "festival_slot",
        "venue": "friedensplatz",
        "start": "2027-05-08T12:00",
        "end": "2027-05-08T12:45",
        "people": ["perf-bigband"],
        "public": True,
        "status": "tentative",
    }
    assert (second["venue"], second["people"], second["public"], second["status"]) == (
        "alter-markt",
        ["perf-choir", "perf-dj"],
        False,
        "confirmed",
    )
    # Every document is a valid event of the plan.
    assert read_event(SAMPLE, first).venue == "friedensplatz"


def test_semicolon_csv_with_german_headers_dates_and_a_bom():
    data = (
        "\ufeffTitel;Bühne;Tag;Beginn;Ende;Mitwirkende;Öffentlich;Status\n"
        "Blaskapelle, mit Gästen;friedensplatz;08.05.2027;12.00;12:45;;ja;\n"
        "Chor;alter-markt;9.5.27;13:00;13:45:00;perf-choir;nein;cancelled\n"
    )
    first, second = read_programme(data.encode("utf-8"), "Programm.CSV", SAMPLE)
    assert first["title"] == "Blaskapelle, mit Gästen" and first["public"] is True
    assert walls(first) == (datetime(2027, 5, 8, 12, 0), datetime(2027, 5, 8, 12, 45))
    assert walls(second) == (datetime(2027, 5, 9, 13, 0), datetime(2027, 5, 9, 13, 45))
    assert (second["status"], second["public"], second["people"]) == ("cancelled", False, ["perf-choir"])


def test_excel_file_with_german_headers_and_real_date_and_time_cells():
    data = xlsx(
        [
            ["Titel", "Bühne", "Datum", "Von", "Bis", "Öffentlich", "ID"],
            ["Big band", "Friedensplatz (main stage)", date(2027, 5, 7), time(19, 30), time(20, 15), True, None],
            ["Late set", "alter-markt", datetime(2027, 5, 7), time(23, 30), time(0, 45), 0, "my-own-id"],
            [None, None, None, None, None, None, None],  # an empty line is skipped
            ["Matinee", "hansaplatz", "08.05.2027", "11:00", "12:00", "x", None],
        ]
    )
    documents = read_programme(data, "programme.xlsx", SAMPLE)
    assert [d["title"] for d in documents] == ["Big band", "Late set", "Matinee"]
    assert documents[0]["venue"] == "friedensplatz" and documents[0]["public"] is True
    assert walls(documents[0]) == (datetime(2027, 5, 7, 19, 30), datetime(2027, 5, 7, 20, 15))
    # A slot past midnight ends the next day.
    assert documents[1]["id"] == "my-own-id" and documents[1]["public"] is False
    assert walls(documents[1]) == (datetime(2027, 5, 7, 23, 30), datetime(2027, 5, 8, 0, 45))
    assert documents[2]["public"] is True and documents[2]["venue"] == "hansaplatz"


def test_every_bad_row_is_named_with_its_spreadsheet_row_and_nothing_is_taken():
    data = xlsx(
        [
            ["title", "stage", "day", "start", "end", "performers", "public", "status", "id"],
            ["Fine", "friedensplatz", "2027-05-08", "12:00", "12:45", None, None, None, None],  # row 2
            ["No stage", "the moon", "2027-05-08", "12:00", "12:45", None, None, None, None],  # row 3
            [None, "friedensplatz", "2027-05-08", "12:00", "12:45", None, None, None, None],  # row 4
            ["Bad day", "friedensplatz", "31.02.2027", "12:00", "12:45", None, None, None, None],  # row 5
            ["Bad time", "friedensplatz", "2027-05-08", "12:60", "12:45", None, None, None, None],  # row 6
            ["Stranger", "friedensplatz", "2027-05-08", "12:00", "12:45", "Elvis", None, None, None],  # row 7
            ["Maybe", "friedensplatz", "2027-05-08", "12:00", "12:45", None, "perhaps", None, None],  # row 8
            ["Status", "friedensplatz", "2027-05-08", "12:00", "12:45", None, None, "done", None],  # row 9
            ["Taken", "friedensplatz", "2027-05-08", "12:00", "12:45", None, None, None, "gb-amiens"],  # row 10
            ["Twice", "friedensplatz", "2027-05-08", "14:00", "14:45", None, None, None, "mine"],  # row 11
            ["Twice", "friedensplatz", "2027-05-08", "15:00", "15:45", None, None, None, "mine"],  # row 12
        ]
    )
    with pytest.raises(ProgrammeError) as raised:
        read_programme(data, "programme.xlsx", SAMPLE)
    problems = raised.value.problems
    assert [p.split(":")[0] for p in problems] == [
        "row 3 (No stage)",
        "row 4",
        "row 5 (Bad day)",
        "row 6 (Bad time)",
        "row 7 (Stranger)",
        "row 8 (Maybe)",
        "row 9 (Status)",
        "row 10 (Taken)",
        "row 12 (Twice)",
    ]
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


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"title,stage,day\nA,friedensplatz,2027-05-08\n", "p.csv", "missing column(s) start, end"),
        (b"title,stage,day,start,end\n", "p.csv", "no rows to import"),
        ("title,stage,day,start,end\nÄ,friedensplatz,2027-05-08,12:00,13:00\n".encode("latin-1"), "p.csv", "not UTF-8"),
        (b"whatever", "p.ods", "expected a .csv or .xlsx file"),
        (b"PK\x03\x04 not really a workbook", "p.xlsx", "cannot be read as a table"),
    ],
)
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
@given(
    rows=st.lists(
        st.tuples(
            TITLE, st.sampled_from(STAGES), st.sampled_from([date(2027, 5, 7), date(2027, 5, 8)]), FIVE, FIVE, st.booleans()
        ).filter(lambda row: row[3] != row[4]),
        min_size=1,
        max_size=8,
    ),
    delimiter=st.sampled_from([",", ";"]),
    german=st.booleans(),
)
def test_any_written_csv_reads_back(rows, delimiter, german):
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter)
    writer.writerow(
        ["Titel", "Bühne", "Tag", "Beginn", "Ende", "Öffentlich"]
        if german
        else ["title", "stage", "day", "start", "end", "public"]
    )
    for title, stage, day, start, end, public in rows:
        writer.writerow(
            [
                title,
                stage,
                day.strftime("%d.%m.%Y") if german else day.isoformat(),
                start.strftime("%H:%M"),
                end.strftime("%H:%M"),
                ("ja" if public else "nein") if german else public,
            ]
        )
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
            slot_document(
                SAMPLE,
                title="T",
                stage="friedensplatz",
                day=date(2027, 5, 7),
                start=start,
                end=end,
                performers=[],
                public=False,
                status="confirmed",
                event_id="x",
            )
        return
    document = slot_document(
        SAMPLE,
        title="T",
        stage="friedensplatz",
        day=date(2027, 5, 7),
        start=start,
        end=end,
        performers=[],
        public=False,
        status="confirmed",
        event_id="x",
    )
    begins, ends = walls(document)
    assert begins == datetime(2027, 5, 7, start.hour, start.minute)
    assert timedelta(0) < ends - begins <= timedelta(days=1)
    assert ends.time() == end and (ends.date() == date(2027, 5, 8)) == (end < start)


# -- the table editor's changes ---------------------------------------------------------------------


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
    after.at[1, "end"] = time(0, 30)  # now past midnight
    after.at[2, "performers"] = ["perf-dj"]
    removed = after.loc[3, "id"]
    after = after.drop(index=3)
    new = {
        "id": None,
        "title": "Encore",
        "stage": "alter-markt",
        "day": date(2027, 5, 8),
        "start": time(22, 0),
        "end": time(22, 30),
        "performers": None,
        "public": True,
        "status": None,
    }
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
