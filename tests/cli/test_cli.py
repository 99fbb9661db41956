"""`python -m planner check`: exit codes, output formats, and one clear line for any bad input."""

import json
import subprocess
import sys

import pytest
from support.paths import DATA, ROOT
from support.plans import event, plan


def run(*args, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "planner", *args], cwd=ROOT, capture_output=True, text=True, input=stdin, timeout=120
    )


def write(tmp_path, document, name="plan.json"):
    path = tmp_path / name
    if isinstance(document, (bytes, str)):
        path.write_bytes(document if isinstance(document, bytes) else document.encode("utf-8"))
    else:
        path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_exit_0_without_errors_even_with_warnings(tmp_path):
    doc = plan(event("a", "2027-05-07T10:00", "2027-05-07T11:00", venue="rathaus", kind="meeting", delegations=["leeds"]))
    result = run("check", str(write(tmp_path, doc)), "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["summary"] == {"errors": 0, "warnings": 1}
    assert report["conflicts"] == [
        {
            "rule": "interpreter_missing",
            "severity": "warning",
            "events": ["a"],
            "resource": "leeds",
            "message": report["conflicts"][0]["message"],
        }
    ]
    assert "Leeds" in report["conflicts"][0]["message"] and "10:00–11:00" in report["conflicts"][0]["message"]


def test_exit_1_with_errors_and_text_grouped_by_severity(tmp_path):
    doc = plan(
        event("a", "2027-05-07T14:00", "2027-05-07T14:30", venue="rathaus", title="Golden Book Amiens"),
        event("b", "2027-05-07T14:15", "2027-05-07T15:00", venue="rathaus", title="Reception Leeds"),
        event("c", "2027-05-07T10:00", "2027-05-07T11:00", venue="rathaus", kind="meeting", delegations=["leeds"]),
    )
    result = run("check", str(write(tmp_path, doc)))
    assert result.returncode == 1
    out = result.stdout
    assert out.startswith("Test plan: 1 error, 1 warning")
    assert out.index("Errors (1)") < out.index("Warnings (1)")
    assert 'Rathaus Dortmund: "Golden Book Amiens" Fri 7 May 2027 14:00–14:30 overlaps "Reception Leeds" 14:15–15:00' in out


def test_german_messages(tmp_path):
    doc = plan(
        event("a", "2027-05-07T14:00", "2027-05-07T14:30", venue="rathaus", title="Eintrag Amiens"),
        event("b", "2027-05-07T14:15", "2027-05-07T15:00", venue="rathaus", title="Empfang Leeds"),
    )
    result = run("check", str(write(tmp_path, doc)), "--lang", "de")
    assert result.returncode == 1
    assert "1 Fehler, 0 Warnungen" in result.stdout
    assert '"Eintrag Amiens" Fr 07.05.2027 14:00–14:30 überschneidet sich mit "Empfang Leeds" 14:15–15:00' in result.stdout


def test_sample_plan_checks(tmp_path):
    result = run("check", str(DATA / "dortbunt-2027.json"), "--format", "json")
    assert result.returncode == 1, result.stderr
    rules = {c["rule"] for c in json.loads(result.stdout)["conflicts"]}
    # The sample plan shows every rule once on purpose (docs/sample-plan.md).
    assert len(rules) == 13


VALID = plan(event("a", "2027-05-07T10:00", "2027-05-07T11:00"))


def broken(change):
    doc = json.loads(json.dumps(VALID))
    change(doc)
    return doc


MALFORMED = {
    "not json": ('{"format": ', "not valid JSON"),
    "text": ("hello", "not valid JSON"),
    "empty": ("", "is empty"),
    "blank": ("  \n\t", "is empty"),
    "list": ("[]", "expected an object"),
    "null": ("null", "expected an object"),
    "nan": (json.dumps(VALID).replace('"lat": 51.5121', '"lat": NaN'), "NaN is not a valid JSON number"),
    "infinity": (json.dumps(VALID).replace('"lat": 51.5121', '"lat": -Infinity'), "-Infinity is not a valid JSON number"),
    "overflow": (json.dumps(VALID).replace('"lat": 51.5121', '"lat": 1e400'), "venues[0].lat: expected a finite number"),
    "deep": ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    "deep objects": ('{"a":' * 50_000 + "1" + "}" * 50_000, "nested too deeply"),
    "huge int": (json.dumps(VALID).replace('"size": 6', '"size": 1' + "0" * 5000), "a number with more than 4,300 digits"),
    "bad utf8": (b'{"format": "dortbunt-plan/1", "name": "\xff"}', "not UTF-8"),
    "surrogate": (json.dumps(VALID).replace('"Test plan"', '"\\ud800"'), "name: text holds an unpaired UTF-16 surrogate"),
    "no format": (broken(lambda d: d.pop("format")), "format: required field is missing"),
    "wrong format": (broken(lambda d: d.update(format="dortbunt-plan/2")), "format: expected 'dortbunt-plan/1'"),
    "unknown top field": (broken(lambda d: d.update(evnts=[])), "evnts: unknown field"),
    "bad zone": (broken(lambda d: d.update(timezone="Europe/Dortmund")), "timezone: unknown time zone"),
    "events not list": (broken(lambda d: d.update(events={})), "events: expected a list, got an object"),
    "event not object": (broken(lambda d: d["events"].append(3)), "events[1]: expected an object"),
    "start number": (broken(lambda d: d["events"][0].update(start=1700000000)), "events[0].start: expected a date-time"),
    "start date only": (broken(lambda d: d["events"][0].update(start="2027-05-07")), "events[0].start: expected a date-time"),
    "start impossible": (
        broken(lambda d: d["events"][0].update(start="2027-02-30T10:00")),
        "events[0].start: not a valid date-time",
    ),
    "start in gap": (
        broken(lambda d: d["events"][0].update(start="2027-03-28T02:30", end="2027-03-28T04:00")),
        "events[0].start: 2027-03-28T02:30 does not exist",
    ),
    "end before start": (
        broken(lambda d: d["events"][0].update(end="2027-05-07T09:00")),
        "events[0].end: the event must end after it starts",
    ),
    "end equals start": (broken(lambda d: d["events"][0].update(end="2027-05-07T10:00")), "events[0].end"),
    "missing end": (broken(lambda d: d["events"][0].pop("end")), "events[0].end: required field is missing"),
    "missing title": (broken(lambda d: d["events"][0].pop("title")), "events[0].title: required field is missing"),
    "unknown venue": (broken(lambda d: d["events"][0].update(venue="rathaus2")), "events[0].venue: unknown venue 'rathaus2'"),
    "null venue": (broken(lambda d: d["events"][0].update(venue=None)), "events[0].venue: required field is missing"),
    "unknown person": (
        broken(lambda d: d["events"][0].update(people=["ob", "nobody"])),
        "events[0].people[1]: unknown person 'nobody'",
    ),
    "unknown delegation": (
        broken(lambda d: d["events"][0].update(delegations=["paris"])),
        "events[0].delegations[0]: unknown delegation 'paris'",
    ),
    "person twice": (
        broken(lambda d: d["events"][0].update(people=["ob", "ob"])),
        "events[0].people[1]: person 'ob' is listed twice",
    ),
    "people not list": (broken(lambda d: d["events"][0].update(people="ob")), "events[0].people: expected a list of ids"),
    "bad kind": (broken(lambda d: d["events"][0].update(kind="party")), "events[0].kind: expected one of"),
    "bad status": (broken(lambda d: d["events"][0].update(status="done")), "events[0].status: expected one of"),
    "public string": (broken(lambda d: d["events"][0].update(public="yes")), "events[0].public: expected true or false"),
    "negative sequence": (broken(lambda d: d["events"][0].update(sequence=-1)), "events[0].sequence: must be between 0 and"),
    "float attendance": (
        broken(lambda d: d["events"][0].update(attendance=2.5)),
        "events[0].attendance: expected a whole number",
    ),
    "unknown event field": (broken(lambda d: d["events"][0].update(room="x")), "events[0].room: unknown field"),
    "duplicate event id": (broken(lambda d: d["events"].append(dict(d["events"][0]))), "events[1].id: duplicate id 'a'"),
    "empty id": (broken(lambda d: d["events"][0].update(id="")), "events[0].id: expected a non-empty string id"),
    "long id": (broken(lambda d: d["events"][0].update(id="x" * 201)), "events[0].id: an id may have at most 200 characters"),
    "long venue id": (
        broken(lambda d: d["venues"].append({"id": "v" * 300, "name": "V", "lat": 1, "lon": 1, "kind": "other"})),
        "venues[3].id: an id may have at most 200",
    ),
    "duplicate venue id": (broken(lambda d: d["venues"].append(dict(d["venues"][0]))), "venues[3].id: duplicate id 'rathaus'"),
    "lat string": (broken(lambda d: d["venues"][0].update(lat="51.5")), "venues[0].lat: expected a number, got a string"),
    "lat range": (broken(lambda d: d["venues"][0].update(lat=91)), "venues[0].lat: must be between -90 and 90"),
    "lon range": (broken(lambda d: d["venues"][1].update(lon=-180.5)), "venues[1].lon: must be between -180 and 180"),
    "bool lat": (broken(lambda d: d["venues"][0].update(lat=True)), "venues[0].lat: expected a number"),
    "venue kind": (broken(lambda d: d["venues"][0].update(kind="castle")), "venues[0].kind: expected one of"),
    "capacity zero": (broken(lambda d: d["venues"][0].update(capacity=0)), "venues[0].capacity: must be between 1 and"),
    "max_parallel float": (
        broken(lambda d: d["venues"][0].update(max_parallel=1.5)),
        "venues[0].max_parallel: expected a whole number",
    ),
    "opening 25h": (
        broken(lambda d: d["venues"][0].update(opening_hours=[["08:00", "25:00"]])),
        "venues[0].opening_hours[0][1]: expected a time",
    ),
    "opening shape": (
        broken(lambda d: d["venues"][0].update(opening_hours=["08:00-20:00"])),
        "venues[0].opening_hours[0]: expected a window",
    ),
    "opening at 24": (
        broken(lambda d: d["venues"][0].update(opening_hours=[["24:00", "02:00"]])),
        "venues[0].opening_hours[0][0]: a window cannot open at 24:00",
    ),
    "size zero": (broken(lambda d: d["delegations"][0].update(size=0)), "delegations[0].size: must be between 1 and"),
    "size huge": (
        broken(lambda d: d["delegations"][0].update(size=10**20)),
        "delegations[0].size: must be between 1 and 1,000,000,000",
    ),
    "attendance huge": (
        broken(lambda d: d["events"][0].update(attendance=10**12)),
        "events[0].attendance: must be between 0 and",
    ),
    "sequence huge": (
        broken(lambda d: d["events"][0].update(sequence=2**31)),
        "events[0].sequence: must be between 0 and 2,147,483,647",
    ),
    "year 1": (
        broken(lambda d: d["events"][0].update(start="0001-01-01T00:30")),
        "events[0].start: 0001-01-01T00:30 is outside the years",
    ),
    "year 9999": (
        broken(lambda d: d["events"][0].update(end="9999-12-31T23:59Z")),
        "events[0].end: 9999-12-31T23:59Z is outside the years",
    ),
    "festival year": (broken(lambda d: d.update(festival={"start": "0001-01-01"})), "festival.start: 0001-01-01 is outside"),
    "size bool": (broken(lambda d: d["delegations"][0].update(size=True)), "delegations[0].size: expected a whole number"),
    "country": (broken(lambda d: d["delegations"][0].update(country="fra")), "delegations[0].country: expected an ISO 3166-1"),
    "language": (
        broken(lambda d: d["delegations"][0].update(languages=["fre"])),
        "delegations[0].languages[0]: expected an ISO 639-1",
    ),
    "departure before arrival": (
        broken(lambda d: d["delegations"][0].update(departure="2027-05-06T10:00")),
        "delegations[0].departure: departure must be after arrival",
    ),
    "unknown hotel": (broken(lambda d: d["delegations"][0].update(hotel="ritz")), "delegations[0].hotel: unknown venue 'ritz'"),
    "role": (broken(lambda d: d["people"][0].update(role="king")), "people[0].role: expected one of"),
    "travel unknown": (
        broken(lambda d: d.update(travel=[{"from": "rathaus", "to": "moon", "minutes": 5}])),
        "travel[0].to: unknown venue 'moon'",
    ),
    "travel negative": (
        broken(lambda d: d.update(travel=[{"from": "park", "to": "rathaus", "minutes": -5}])),
        "travel[0].minutes: must be between 0 and",
    ),
    "unknown rule disabled": (
        broken(lambda d: d.update(rules={"disabled": ["venue_overlaps"]})),
        "rules.disabled[0]: expected one of",
    ),
    "unknown rule severity": (
        broken(lambda d: d.update(rules={"severity": {"capacityy": "warning"}})),
        "rules.severity.capacityy: unknown rule",
    ),
    "bad severity": (
        broken(lambda d: d.update(rules={"severity": {"capacity": "fatal"}})),
        "rules.severity.capacity: expected one of error, warning",
    ),
    "zero speed": (broken(lambda d: d.update(rules={"walk_kmh": 0})), "rules.walk_kmh: must be between 0.01 and 1000, got 0"),
    "quiet shape": (broken(lambda d: d.update(festival={"quiet_hours": "22:00-07:00"})), "festival.quiet_hours: expected"),
    "festival dates": (
        broken(lambda d: d.update(festival={"start": "2027-05-09", "end": "2027-05-07"})),
        "festival.end: the festival ends before it starts",
    ),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_malformed_input_exit_2_with_one_clear_line(tmp_path, name):
    content, expected = MALFORMED[name]
    result = run("check", str(write(tmp_path, content)), "--format", "json")
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert expected in result.stderr, result.stderr


def test_missing_file_and_folder(tmp_path):
    for target, expected in ((tmp_path / "nope.json", "no such file"), (tmp_path, "is a folder")):
        result = run("check", str(target))
        assert result.returncode == 2 and result.stderr.count("\n") == 1
        assert expected in result.stderr


@pytest.mark.parametrize("args", [[], ["check"], ["check", "a.json", "--format", "xml"], ["frobnicate"]])
def test_usage_mistakes_exit_2_with_one_line(args):
    result = run(*args)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "see --help" in result.stderr


def test_byte_order_mark_and_crlf_text_are_read(tmp_path):
    doc = plan(event("a", "2027-05-07T10:00", "2027-05-07T11:00", title="Line one\r\nline two\rthree"))
    path = write(tmp_path, b"\xef\xbb\xbf" + json.dumps(doc).encode())
    from planner import load_plan

    assert load_plan(path).events[0].title == "Line one\nline two\nthree"
    assert run("check", str(path)).returncode == 0


@pytest.mark.parametrize(
    "field,value",
    [
        ("status", ""),
        ("status", False),
        ("sequence", False),
        ("sequence", 1.0),
        ("notes", 0),
        ("notes", False),
        ("public", 0),
        ("pinned", 1),
        ("delegations", 0),
        ("delegations", ""),
        ("people", {}),
        ("title", None),
        ("attendance", True),
        ("venue", ""),
        ("venue", ["park"]),
        ("kind", ["other"]),
        ("id", 5),
    ],
)
def test_falsy_and_odd_values_are_refused(field, value):
    from planner import PlanError, parse_plan

    doc = broken(lambda d: d["events"][0].update({field: value}))
    with pytest.raises(PlanError) as error:
        parse_plan(doc)
    assert error.value.path.startswith(f"events[0].{field}")


@pytest.mark.parametrize("field", ["status", "public", "attendance", "notes", "sequence", "pinned", "delegations", "people"])
def test_null_optional_fields_read_as_defaults(field):
    from planner import parse_plan

    doc = broken(lambda d: d["events"][0].update({field: None}))
    default = parse_plan(VALID).events[0]
    assert parse_plan(doc).events[0] == default


def test_null_sections_read_as_empty():
    from planner import parse_plan

    doc = broken(lambda d: d.update(travel=None, rules={"disabled": None, "severity": None}, festival=None))
    assert parse_plan(doc).rules.disabled == ()
    assert parse_plan(broken(lambda d: d.update(events=None))).events == []


def test_save_plan_writes_atomically(tmp_path):
    from planner import load_plan, save_plan

    original = load_plan(DATA / "dortbunt-2027.json")
    target = tmp_path / "copy.json"
    save_plan(original, target)
    assert load_plan(target) == original
    assert [p.name for p in tmp_path.iterdir()] == ["copy.json"]


@pytest.mark.parametrize(
    "name,content,expected",
    [
        (
            "duplicate key",
            '{"format": "dortbunt-plan/1", "events": [], "events": []}',
            "the key 'events' appears twice in one object",
        ),
        (
            "duplicate inner key",
            json.dumps(VALID)[:-1].replace('"end": "2027-05-07T11:00"', '"end": "2027-05-07T11:00", "end": "2027-05-07T12:00"')
            + "}",
            "the key 'end' appears twice",
        ),
        (
            "arabic digits",
            json.dumps(VALID).replace('"08:00"', '"\\u0660\\u0668:00"'),
            "venues[0].opening_hours[0][0]: expected a time",
        ),
        (
            "long number",
            '{"format": "dortbunt-plan/1", "name": 1' + "0" * 5000 + "}",
            "holds a number with more than 4,300 digits",
        ),
        (
            "tiny speed",
            json.dumps(broken(lambda d: d.update(rules={"walk_kmh": 1e-320}))),
            "rules.walk_kmh: must be between 0.01 and 1000",
        ),
        (
            "huge changeover",
            json.dumps(broken(lambda d: d["venues"][2].update(changeover_min=1e308))),
            "venues[2].changeover_min: must be between 0 and 525600",
        ),
        ("lon just out", json.dumps(broken(lambda d: d["venues"][0].update(lon=-180.0001))), "got -180.0001"),
    ],
)
def test_more_malformed_input(tmp_path, name, content, expected):
    result = run("check", str(write(tmp_path, content)))
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert expected in result.stderr, result.stderr


@pytest.mark.parametrize(
    "content,expected",
    [
        (json.dumps(VALID).replace('"title": "A"', '"title": "a\\u0000b"'), "events[0].title: text holds a NUL character"),
        (json.dumps(VALID).replace('"Test plan"', '"x\\u0000"'), "name: text holds a NUL character"),
    ],
)
def test_nul_characters_are_refused(tmp_path, content, expected):
    result = run("check", str(write(tmp_path, content)))
    assert result.returncode == 2 and expected in result.stderr


def test_offsets_with_seconds_round_trip(tmp_path):
    # Before 1893 Berlin kept local mean time, +00:53:28; an export writes that offset.
    doc = plan(event("old", "1800-01-01T00:00", "1800-01-01T01:00"))
    from planner import dump_plan, load_plan

    first = write(tmp_path, doc)
    text = dump_plan(load_plan(first))
    assert "1800-01-01T00:00:00+00:53:28" in text
    again = write(tmp_path, text, "again.json")
    assert load_plan(again) == load_plan(first)


def test_output_to_a_folder_is_a_clear_error(tmp_path):
    result = run("export-ics", str(DATA / "dortbunt-2027.json"), "--all", "-o", str(tmp_path))
    assert result.returncode == 2 and "is a folder; give a file name" in result.stderr
