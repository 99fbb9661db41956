"""Every way data comes in, fed hostile input: requests JSON, CSV and Excel programmes, .ics
calendars, and the store's writes behind the app's forms. Each gives one clear PlanError line
or a valid result — never a traceback, a hang or a partial write."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import tempfile
import time
import zipfile
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

import icalendar
import openpyxl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from support.paths import DATA, ROOT
from support.strategies import hostile_text, json_like, mutated, scalars

from planner import PlanError, load_plan, parse_plan
from planner.cli.main import main
from planner.imports.busy_time import busy_events
from planner.imports.festival_programme import read_programme
from planner.plan.model import Event
from planner.plan.reading import decode_json
from planner.scheduling.requests import load_requests, parse_requests
from planner.storage import NotFoundError, PlanStore, StaleEditError

SAMPLE = DATA / "dortbunt-2027.json"
REQUESTS = DATA / "requests-example.json"
OUTLOOK = ROOT / "tests" / "fixtures" / "outlook-busy.ics"
PLAN = load_plan(SAMPLE)


def examples(share: float) -> settings:
    """A share of the profile's examples, for the slower tests (a database write, a search run)."""
    return settings(
        max_examples=max(10, int(settings.default.max_examples * share)),
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def one_line(error: Exception) -> None:
    text = str(error)
    assert text and "\n" not in text and "\r" not in text, repr(text)
    assert "Traceback" not in text


# -- 1. scheduling requests -------------------------------------------------------------------

REQUESTS_DOCUMENT = json.loads(REQUESTS.read_text("utf-8"))


def _parse_requests(document):
    try:
        found = parse_requests(document, PLAN)
    except PlanError as error:
        one_line(error)
        return None
    assert isinstance(found, list) and len({r.id for r in found}) == len(found)
    for request in found:
        assert request.duration > timedelta(0) and request.venues and request.windows
        assert all(start < end for start, end in request.windows)
    return found


@given(mutated(REQUESTS_DOCUMENT))
def test_requests_any_field_value_gives_a_plan_error_or_requests(document):
    _parse_requests(document)
    try:
        text = json.dumps(document, allow_nan=True).encode("utf-8", "surrogatepass")
    except (TypeError, ValueError):
        return
    with contextlib.suppress(PlanError):
        _parse_requests(decode_json(text, "requests.json"))


@given(st.binary(max_size=300) | st.builds(lambda b: REQUESTS.read_bytes()[:b], st.integers(0, 800)))
def test_requests_random_and_truncated_bytes(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "requests.json"
        path.write_bytes(data)
        try:
            load_requests(path, PLAN)
        except PlanError as error:
            one_line(error)


@examples(0.1)
@given(mutated(REQUESTS_DOCUMENT))
def test_schedule_cli_refuses_bad_requests_with_one_line_and_writes_nothing(capsys, document):
    try:
        text = json.dumps(document, allow_nan=True).encode("utf-8", "surrogatepass")
    except (TypeError, ValueError):
        text = b"\xff not json"
    with contextlib.suppress(PlanError):
        assume(_parse_requests(decode_json(text)) is None)  # valid ones would run the search
    capsys.readouterr()
    with tempfile.TemporaryDirectory() as folder:
        requests, output = Path(folder) / "requests.json", Path(folder) / "out.json"
        requests.write_bytes(text)
        code = main(["schedule", str(SAMPLE), str(requests), "-o", str(output)])
        err = capsys.readouterr().err
        assert code == 2
        assert err.startswith("error: ") and err.count("\n") == 1, err
        assert not output.exists() and sorted(p.name for p in Path(folder).iterdir()) == ["requests.json"]


# -- 2. festival programmes from CSV and Excel ---------------------------------------------------

HEADERS = [
    "title",
    "Titel",
    "stage",
    "Bühne",
    "day",
    "Tag",
    "start",
    "Beginn",
    "end",
    "Ende",
    "performers",
    "public",
    "öffentlich",
    "status",
    "id",
    "",
    " ",
    "title",
    "extra",
    "\x00",
    "=cmd|' /C calc'!A0",
]
CELLS = st.one_of(
    hostile_text,
    st.sampled_from(
        [
            "friedensplatz",
            "Alter Markt",
            "alter-markt",
            "2027-05-08",
            "08.05.2027",
            "8/5/2027",
            "2027-05-08 00:00",
            "12:00",
            "12.45",
            "23:59",
            "00:00",
            "24:00",
            "12:00:00",
            "7:5",
            "yes",
            "ja",
            "nein",
            "x",
            "confirmed",
            "tentative",
            "cancelled",
            "perf-bigband",
            "a;b;;",
            "=SUM(A1:A9)",
            "@A1",
            "+1",
            "-1",
            "1" * 400,
            "1e309",
            "0x1F",
            "１２:００",
        ]
    ),
    st.integers(-(10**20), 10**20).map(str),
    st.floats().map(str),
)


@st.composite
def csv_bytes(draw):
    width = draw(st.integers(1, 8))
    header = draw(st.lists(st.sampled_from(HEADERS) | hostile_text, min_size=width, max_size=width))
    if draw(st.booleans()):  # mostly the required columns, so that rows get read
        header[:5] = ["title", "stage", "day", "start", "end"][:width]
    rows = draw(st.lists(st.lists(CELLS, min_size=0, max_size=width + 1), max_size=6))
    sep = draw(st.sampled_from([",", ";", "\t", "|"]))
    out = io.StringIO()
    writer = csv.writer(
        out, delimiter=sep, quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONE])), escapechar="\\"
    )
    try:
        writer.writerow(header)
        writer.writerows(rows)
    except csv.Error:
        pass
    text = out.getvalue()
    if draw(st.integers(0, 5)) == 0:  # a stray quote, NUL or line break somewhere
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(['"', "\x00", "\r", "\n\n", "\ufeff"])) + text[at:]
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "latin-1", "utf-16", "cp1252"]))
    return text.encode(encoding, "replace" if encoding not in ("utf-8", "utf-8-sig", "utf-16") else "surrogatepass")


def _read_programme(data: bytes, filename: str):
    try:
        documents = read_programme(data, filename, PLAN)
    except PlanError as error:
        one_line(error)
        return None
    assert documents
    # The store would take them: the whole plan with them added reads back.
    document = json.loads(json.dumps(parse_plan_document()))
    document["events"] += documents
    parse_plan(document)
    return documents


def parse_plan_document():
    from planner.plan.writing import plan_to_document

    return plan_to_document(PLAN)


@given(st.binary(max_size=400), st.sampled_from(["p.csv", "p.xlsx", "p.xlsm", "p.CSV", "p.txt"]))
def test_programme_random_bytes(data, filename):
    _read_programme(data, filename)


@given(csv_bytes())
def test_programme_random_csv_tables(data):
    _read_programme(data, "programme.csv")


XLSX_CELLS = st.one_of(
    CELLS,
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(date(1900, 3, 1), date(9999, 12, 31)),
    st.datetimes(datetime(1900, 3, 1), datetime(9999, 12, 31)),
    st.times(),
    st.sampled_from(["=1/0", "=NA()", "=A1", "=NOW()", "#DIV/0!", "#REF!", "x" * 32767, None]),
    st.timedeltas(timedelta(0), timedelta(days=10)),
)


def _xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, str):
                # openpyxl refuses control characters other than tab and line breaks
                value = "".join(c for c in value if c >= " " or c in "\t\n\r").encode("utf-8", "replace").decode()
            cells.append(value)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@st.composite
def xlsx_bytes(draw):
    width = draw(st.integers(1, 7))
    header = draw(st.lists(st.sampled_from(HEADERS[:15]) | XLSX_CELLS, min_size=width, max_size=width))
    if draw(st.booleans()):
        header[:5] = ["title", "stage", "day", "start", "end"][:width]
    rows = draw(st.lists(st.lists(XLSX_CELLS, max_size=width + 1), max_size=5))
    return _xlsx([header, *rows])


@examples(0.6)
@given(xlsx_bytes())
def test_programme_random_excel_files(data):
    _read_programme(data, "programme.xlsx")


GOOD_ROWS = [
    ["title", "stage", "day", "start", "end", "performers"],
    ["Brass", "friedensplatz", date(2027, 5, 8), clock_time(12, 0), clock_time(12, 45), None],
    ["Late jazz", "Alter Markt", "07.05.2027", "23:30", "00:30", "perf-bigband"],
]
GOOD_XLSX = _xlsx(GOOD_ROWS)


def test_a_good_excel_file_is_read():
    assert [d["title"] for d in _read_programme(GOOD_XLSX, "programme.xlsx")] == ["Brass", "Late jazz"]


@given(st.data())
def test_programme_truncated_or_corrupted_excel(data):
    raw = bytearray(GOOD_XLSX)
    how = data.draw(st.sampled_from(["truncate", "flip", "member"]))
    if how == "truncate":
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    elif how == "flip":
        for _ in range(data.draw(st.integers(1, 8))):
            raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    else:  # a well-formed zip whose parts are broken or missing
        source = zipfile.ZipFile(io.BytesIO(GOOD_XLSX))
        names = source.namelist()
        victim = data.draw(st.sampled_from(names))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for name in names:
                if name == victim:
                    if data.draw(st.booleans()):
                        target.writestr(
                            name,
                            data.draw(
                                st.binary(max_size=60)
                                | st.sampled_from([b"<?xml version='1.0'?><x/>", b"<!DOCTYPE x [<!ENTITY a 'aaaa'>]><x>&a;</x>"])
                            ),
                        )
                else:
                    target.writestr(name, source.read(name))
        raw = bytearray(out.getvalue())
    _read_programme(bytes(raw), "programme.xlsx")


# -- 3. busy time from .ics ---------------------------------------------------------------------

SPAN = (datetime(2027, 1, 1, tzinfo=UTC), datetime(2029, 1, 1, tzinfo=UTC))
OUTLOOK_LINES = OUTLOOK.read_bytes().decode("utf-8").split("\r\n")
ICS_VALUES = st.one_of(
    hostile_text,
    st.sampled_from(
        [
            "DTSTART:00010101T000000Z",
            "DTSTART:99991231T235959Z",
            "DTSTART:20270101",
            "DTSTART;VALUE=DATE:2027",
            "DTSTART;TZID=Mars/Olympus:20270101T100000",
            "DTSTART;TZID=W. Europe Standard Time:20270419T150000",
            "DTEND:20260101T000000Z",
            "DTEND:garbage",
            "DURATION:P99999999W",
            "DURATION:-PT1H",
            "DURATION:PT0S",
            "RRULE:FREQ=SECONDLY",
            "RRULE:FREQ=MINUTELY;COUNT=999999999",
            "RRULE:FREQ=DAILY;INTERVAL=0",
            "RRULE:FREQ=DAILY;INTERVAL=-3",
            "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
            "RRULE:FREQ=FOO",
            "RRULE:FREQ=WEEKLY;UNTIL=20270101",
            "RRULE:FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30",
            "RRULE:FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12;BYMINUTE=0,5,10,15,20,25,30,35,40,45,50,55",
            "RRULE:FREQ=MONTHLY;BYSETPOS=999;BYDAY=MO",
            "EXDATE:garbage",
            "EXDATE:20270503T150000",
            "RDATE:20270101T000000Z,20270102T000000Z",
            "RDATE;VALUE=PERIOD:20270101T000000Z/PT1H",
            "RECURRENCE-ID:20270426T150000",
            "STATUS:CANCELLED",
            "TRANSP:TRANSPARENT",
            "CLASS:PRIVATE",
            "BEGIN:VEVENT",
            "END:VEVENT",
            "BEGIN:VALARM",
            "END:VCALENDAR",
            "BEGIN:VTIMEZONE",
            "TZID:",
            "RRULE:FREQ=SECONDLY;UNTIL=99991231T235959Z",
            "X-MICROSOFT-CDO-BUSYSTATUS:FREE",
            " continued",
        ]
    ),
)


@st.composite
def mutated_calendars(draw) -> bytes:
    lines = list(OUTLOOK_LINES)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["replace", "insert", "delete", "value"]))
        if how == "delete":
            del lines[at]
        elif how == "value" and ":" in lines[at]:
            lines[at] = lines[at].split(":", 1)[0] + ":" + draw(hostile_text)
        else:
            new = draw(ICS_VALUES)
            lines[at : at + (how == "replace")] = [new]
        if not lines:
            break
    return "\r\n".join(lines).encode("utf-8", "surrogatepass")


def _busy(data: bytes):
    started = time.monotonic()
    try:
        found = busy_events(data, PLAN, "ob", *SPAN, source="cal.ics")
    except PlanError as error:
        one_line(error)
        found = None
    assert time.monotonic() - started < 10, "reading a calendar must not take this long"
    if found is not None:
        assert len({e.id for e in found}) == len(found)
        for event in found:
            assert isinstance(event, Event) and event.kind == "unavailable" and event.people == ("ob",)
            assert event.start.tzinfo is not None and event.start < event.end
            assert event.end > SPAN[0] and event.start < SPAN[1], (event.start, event.end)
    return found


@given(st.binary(max_size=300))
def test_busy_random_bytes(data):
    _busy(data)


@examples(1.2)
@given(mutated_calendars())
def test_busy_mutated_calendars(data):
    _busy(data)


def _calendar(*lines: str) -> bytes:
    body = ["BEGIN:VEVENT", "UID:u1", "DTSTAMP:20270101T000000Z", "SUMMARY:x", *lines, "END:VEVENT"]
    return "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//t//EN", *body, "END:VCALENDAR", ""]).encode()


RUNAWAY = [
    ("DTSTART:20270101T000000Z", "DTEND:20270101T000001Z", "RRULE:FREQ=SECONDLY"),
    ("DTSTART:00010101T000000Z", "DTEND:00010101T000001Z", "RRULE:FREQ=SECONDLY"),
    ("DTSTART:19000101T000000Z", "DTEND:19000101T000100Z", "RRULE:FREQ=MINUTELY"),
    ("DTSTART:00010101T000000Z", "DTEND:00010101T010000Z", "RRULE:FREQ=DAILY;COUNT=999999999"),
    ("DTSTART:19000101T000000Z", "DTEND:19000101T010000Z", "RRULE:FREQ=DAILY"),
    ("DTSTART:20270101T000000Z", "DTEND:20270101T010000Z", "RRULE:FREQ=DAILY;INTERVAL=0"),
    ("DTSTART:20270101T000000Z", "DTEND:20270101T010000Z", "RRULE:FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30"),
    ("DTSTART:20270101T000000Z", "DTEND:20270101T010000Z", "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"),
    ("DTSTART:20270104T000000Z", "DTEND:20270104T010000Z", "RRULE:FREQ=DAILY;INTERVAL=7;BYDAY=TU"),
    ("DTSTART:20270104T000000Z", "DTEND:20270104T010000Z", "RRULE:FREQ=HOURLY;INTERVAL=168;BYDAY=TU"),
    ("DTSTART:20270101T000000Z", "DTEND:20270101T010000Z", "RRULE:FREQ=WEEKLY;BYMONTH=2;BYMONTHDAY=30"),
    ("DTSTART:20270101T000000Z", "DTEND:20270101T010000Z", "RRULE:FREQ=MINUTELY;INTERVAL=60;BYMINUTE=5"),
    (
        "DTSTART:19900101T000000Z",
        "DTEND:19900101T000001Z",
        "RRULE:FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11;BYMINUTE=0,10,20,30,40,50;BYSECOND=0,30",
    ),
    ("DTSTART:20270101T100000Z", "DURATION:P99999999W"),
    ("DTSTART:99991231T230000Z", "DTEND:99991231T235959Z", "RRULE:FREQ=HOURLY"),
    ("DTSTART;TZID=Nowhere:20270101T100000", "RRULE:FREQ=WEEKLY;COUNT=3"),
]


@pytest.mark.parametrize("lines", RUNAWAY, ids=[" ".join(r)[:60] for r in RUNAWAY])
def test_busy_runaway_rules_are_bounded(lines):
    _busy(_calendar(*lines))


def test_busy_many_impossible_yearly_rules_share_one_bound():
    events = []
    for number in range(40):
        events += [
            "END:VEVENT",
            "BEGIN:VEVENT",
            f"UID:never-{number}",
            "DTSTAMP:20270101T000000Z",
            "DTSTART:20270101T000000Z",
            "DTEND:20270101T003000Z",
            "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
        ]
    started = time.monotonic()
    with pytest.raises(PlanError, match="no month has"):
        busy_events(_calendar("DTSTART:20270101T000000Z", *events), PLAN, "ob", *SPAN)
    assert time.monotonic() - started < 10


def test_a_real_diary_of_standing_meetings_is_read():
    """What Outlook and Google write for a Lord Mayor's diary: fifty weekly meetings running
    since 2015 (each on its weekday), monthly ones on the first Monday and on Friday the 13th,
    and a yearly one on the fourth Thursday of November: all read, quickly."""
    events, days = [], ["MO", "TU", "WE", "TH", "FR"]
    for number in range(50):
        events += [
            "END:VEVENT",
            "BEGIN:VEVENT",
            f"UID:weekly-{number}",
            "DTSTAMP:20270101T000000Z",
            f"DTSTART:201501{5 + number % 5:02d}T{8 + number % 9:02d}0000Z",
            f"DTEND:201501{5 + number % 5:02d}T{8 + number % 9:02d}3000Z",
            f"RRULE:FREQ=WEEKLY;BYDAY={days[number % 5]}",
        ]
    for rule in (
        "FREQ=MONTHLY;BYDAY=1MO",
        "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13",
        "FREQ=YEARLY;BYMONTH=11;BYDAY=4TH",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
    ):
        events += [
            "END:VEVENT",
            "BEGIN:VEVENT",
            f"UID:{rule}",
            "DTSTAMP:20270101T000000Z",
            "DTSTART:20150105T180000Z",
            "DTEND:20150105T190000Z",
            f"RRULE:{rule}",
        ]
    started = time.monotonic()
    found = busy_events(_calendar("DTSTART:20150105T070000Z", "DTEND:20150105T073000Z", *events), PLAN, "ob", *SPAN)
    assert time.monotonic() - started < 20
    weekly = sum(
        1
        for block in found
        if block.start.astimezone(UTC).minute == 0
        and block.start.year in (2027, 2028)
        and block.end - block.start == timedelta(minutes=30)
    )
    assert weekly >= 50 * 104  # two years of fifty weekly meetings


def test_busy_usual_rules_are_read():
    found = busy_events(
        _calendar(
            "DTSTART:20200106T080000Z", "DTEND:20200106T090000Z", "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20270201T000000Z"
        ),
        PLAN,
        "ob",
        *SPAN,
    )
    assert len(found) == 21
    found = busy_events(
        _calendar("DTSTART:20200115T080000Z", "DTEND:20200115T090000Z", "RRULE:FREQ=MONTHLY;BYMONTHDAY=15"), PLAN, "ob", *SPAN
    )
    assert len(found) == 24


def test_busy_many_rules_share_one_bound():
    events = []
    for number in range(40):
        events += [
            "END:VEVENT",
            "BEGIN:VEVENT",
            f"UID:many-{number}",
            "DTSTAMP:20270101T000000Z",
            "DTSTART:20200101T000000Z",
            "DTEND:20200101T003000Z",
            "RRULE:FREQ=HOURLY",
        ]
    with pytest.raises(PlanError, match="entries|steps"):
        busy_events(_calendar("DTSTART:20270101T000000Z", *events), PLAN, "ob", *SPAN)


def test_busy_a_daily_meeting_for_years_is_read_quickly():
    started = time.monotonic()
    found = busy_events(_calendar("DTSTART:20200101T080000Z", "DTEND:20200101T081500Z", "RRULE:FREQ=DAILY"), PLAN, "ob", *SPAN)
    assert len(found) == 731 and time.monotonic() - started < 5


@examples(0.4)
@given(st.integers(0, 4), st.sampled_from(["VEVENT", "VTODO", "VALARM", "VCALENDAR", "VTIMEZONE", "X-THING"]))
def test_busy_nested_components(depth, kind):
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//t//t//EN")
    calendar.add("version", "2.0")
    outer = icalendar.Event()
    outer.add("uid", "outer")
    outer.add("dtstart", datetime(2027, 5, 7, 10, tzinfo=UTC))
    outer.add("dtend", datetime(2027, 5, 7, 11, tzinfo=UTC))
    node = outer
    for level in range(depth):
        child = icalendar.cal.Component()
        child.name = kind
        child.add("uid", f"inner-{level}")
        child.add("dtstart", datetime(2027, 5, 8, 10, tzinfo=UTC))
        node.add_component(child)
        node = child
    calendar.add_component(outer)
    found = _busy(calendar.to_ical())
    assert found is None or len(found) >= 1


# -- 4. the store behind the forms: all or nothing -----------------------------------------------


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory):
    store = PlanStore(f"sqlite:///{tmp_path_factory.mktemp('fuzz-db')}/planner.db")
    yield store
    store.close()


def _state(store: PlanStore) -> tuple:
    return store.export_document(), store.revision(), len(store.audit()), store.users()


def _attempt(store: PlanStore, change) -> object:
    """Run `change`: it succeeds and the database reads back as a valid plan, or it is refused
    with a clear error and nothing at all changed."""
    before = _state(store)
    try:
        result = change()
    except (PlanError, StaleEditError, NotFoundError) as error:
        one_line(error)
        assert _state(store) == before, "a refused change must leave no trace"
        return error
    document = store.export_document()
    assert parse_plan(json.loads(json.dumps(document, ensure_ascii=False))) == store.load_plan()
    assert store.revision() > before[1] and len(store.audit()) >= before[2]
    return result


ENTITY_BASES = {
    "venue": {"id": "v-new", "name": "Hall", "lat": 51.5, "lon": 7.4, "kind": "other"},
    "person": {"id": "p-new", "name": "Ann", "role": "other", "languages": ["de"]},
    "delegation": {
        "id": "d-new",
        "city": "Town",
        "country": "FR",
        "size": 3,
        "languages": ["fr"],
        "arrival": "2027-05-06T10:00",
        "departure": "2027-05-09T10:00",
        "hotel": None,
    },
}
EVENT_BASE = {
    "id": "e-new",
    "title": "Visit",
    "kind": "meeting",
    "start": "2027-05-07T10:00",
    "end": "2027-05-07T11:00",
    "venue": "rathaus",
    "delegations": ["amiens"],
    "people": ["ob"],
}
ids = st.sampled_from(["amiens", "leeds", "ob", "rathaus", "friedensplatz", "gb-amiens", "nope", ""]) | hostile_text


@examples(0.8)
@given(st.data())
def test_store_add_entity_is_all_or_nothing(shared_store, data):
    kind = data.draw(st.sampled_from(sorted(ENTITY_BASES)))
    base = {**ENTITY_BASES[kind], "id": data.draw(ids | st.just(f"new-{data.draw(st.integers(0, 10**6))}"))}
    document = data.draw(mutated(base) | st.just(base) | json_like)
    _attempt(shared_store, lambda: shared_store.add_entity(kind, document, user="fuzz"))


@examples(0.8)
@given(st.data())
def test_store_update_entity_is_all_or_nothing(shared_store, data):
    kind = data.draw(st.sampled_from(sorted(ENTITY_BASES)))
    pool = list({"venue": PLAN.venues, "person": PLAN.people, "delegation": PLAN.delegations}[kind])
    entity_id = data.draw(st.sampled_from(pool) | ids)
    try:
        version = shared_store.entity(kind, entity_id)[1]
    except NotFoundError:
        version = 1
    version = data.draw(st.sampled_from([version, version, version - 1, 10**20, -1, "1", None]))
    changes = data.draw(
        st.dictionaries(
            st.sampled_from(sorted(set(ENTITY_BASES[kind]) | {"notes", "capacity", "opening_hours", "email"})) | hostile_text,
            json_like,
            max_size=3,
        )
        | json_like
    )
    _attempt(shared_store, lambda: shared_store.update_entity(kind, entity_id, changes, expected_version=version, user="fuzz"))


@examples(0.8)
@given(st.data())
def test_store_edit_events_is_all_or_nothing(shared_store, data):
    event_ids = [e.id for e in PLAN.events]  # not the store's: examples must not depend on earlier ones
    versions = shared_store.event_versions(event_ids)
    added = data.draw(
        st.lists(
            mutated({**EVENT_BASE, "id": f"e-{data.draw(st.integers(0, 10**6))}"})
            | st.just({**EVENT_BASE, "id": f"ok-{data.draw(st.integers(0, 10**6))}"})
            | json_like,
            max_size=3,
        )
    )
    changed = {}
    for event_id in data.draw(st.lists(st.sampled_from(event_ids) | ids, max_size=2, unique=True)):
        changes = data.draw(
            st.dictionaries(
                st.sampled_from(sorted(EVENT_BASE) + ["status", "public", "attendance", "notes", "sequence", "pinned"])
                | hostile_text,
                json_like,
                max_size=3,
            )
            | json_like
        )
        version = versions.get(event_id, 1)
        changed[event_id] = (changes, data.draw(st.sampled_from([version, version, version + 1, "x"])))
    removed = {}
    for event_id in data.draw(st.lists(st.sampled_from(event_ids) | ids, max_size=2, unique=True)):
        removed[event_id] = data.draw(st.sampled_from([versions.get(event_id, 1), 0]))
    path = data.draw(st.sampled_from(["event", "slot"]))
    _attempt(shared_store, lambda: shared_store.edit_events(added, changed, removed, user="fuzz", path=path))


@examples(0.4)
@given(st.data())
def test_store_add_user_is_all_or_nothing(shared_store, data):
    name = data.draw(hostile_text | st.sampled_from(["anna", "Anna Lee", "x" * 101]) | scalars)
    role = data.draw(st.sampled_from(["admin", "protocol", "organiser", "viewer", "root", "", None]) | scalars)
    password = data.draw(st.sampled_from(["correct horse battery", "short"]) | hostile_text | scalars)
    _attempt(shared_store, lambda: shared_store.add_user(name, role, password, user="fuzz"))


# -- 5. the forms in the app ---------------------------------------------------------------------

HOSTILE_TYPED = [
    "a\x00b",
    '=HYPERLINK("http://x")',
    "x" * 5000,
    "<img src=x onerror=alert(1)>",
    "\u202eevil",
    " \t ",
    "ＦＲ",
    "**bold** [link](http://x)",
]


@pytest.fixture
def app_store(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANNER_DB_URL", f"sqlite:///{tmp_path}/planner.db")
    store = PlanStore()
    yield store
    store.close()


def _app():
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(ROOT / "home.py"), default_timeout=60)
    app.run()
    assert not app.exception, app.exception
    return app


def _switch(app, page: str):
    app.switch_page(str(ROOT / "views" / f"{page}.py")).run()
    assert not app.exception, app.exception
    return app


def _messages(app) -> list[str]:
    return [e.value for e in app.error] + [w.value for w in app.warning]


def test_delegation_form_refuses_hostile_values_clearly(app_store):
    app = _switch(_app(), "delegations")
    app.selectbox(key="delegation").set_value("\u0000new").run()
    before = _state(app_store)
    for city, country, languages in [
        ("a\x00b", "FR", "fr"),
        ("Town", "１２", "fr"),
        ("Town", "FR", "fr, english"),
        (" \t ", "FR", "fr"),
        ("x" * 5000, "F\x00", "\u202e"),
    ]:
        app.text_input(key="new-delegation-id").input("fuzz-town")
        app.text_input(key="new-delegation-city").input(city)
        app.text_input(key="new-delegation-country").input(country)
        app.text_input(key="new-delegation-languages").input(languages)
        app.run()
        assert not app.exception, app.exception
        create = next(b for b in app.button if b.label == "Create delegation")
        if not create.disabled:
            create.click().run()
            assert not app.exception, app.exception
            assert any(e.value.startswith("Not saved: ") and "\n" not in e.value for e in app.error), _messages(app)
        assert _state(app_store) == before


def test_event_form_refuses_hostile_values_clearly(app_store):
    app = _switch(_app(), "delegations")
    key = "delegation-event-amiens-new-0"
    before = _state(app_store)
    for title in HOSTILE_TYPED:
        app.text_input(key=f"{key}-title").input(title)
        app.run()
        assert not app.exception, app.exception
        save = [b for b in app.button if b.label == "Add event" and not b.disabled]
        if "\x00" in title or not title.strip():
            assert not save and (any("NUL" in m for m in _messages(app)) or not title.strip()), _messages(app)
            assert _state(app_store) == before
            continue
        save[0].click().run()
        assert not app.exception, app.exception
        saved = next(e for e in app_store.load_plan().events if e.title == title)
        assert saved.delegations == ("amiens",)
        before = _state(app_store)
        key = key[:-1] + str(int(key[-1]) + 1)  # the form is fresh after a booking ...
        app.selectbox(key="event-amiens").set_value("\u0000new").run()  # ... which opened the new event
