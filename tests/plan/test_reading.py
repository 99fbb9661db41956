"""The plan reader has one set of checks: the quick reader of events takes only what the
careful one (`parse_event`) would read the same way. For any raw event, valid or broken,
whatever `quick_event_reader` returns equals what `parse_event` returns."""

from hypothesis import given, settings
from hypothesis import strategies as st

from planner import PlanError, parse_plan
from planner.plan.clock import WallClock, zone_named
from planner.plan.model import MAX_SEQUENCE
from planner.plan.reading import Doubt, parse_event, quick_event_reader

PLAN = parse_plan(
    {
        "format": "dortbunt-plan/1",
        "venues": [{"id": v, "name": v, "lat": 51.5, "lon": 7.46, "kind": "city_hall"} for v in ("rathaus", "u")],
        "people": [{"id": p, "name": p, "role": "escort"} for p in ("anna", "ben")],
        "delegations": [{"id": d, "city": d, "country": "FR", "size": 3} for d in ("amiens", "leeds")],
    }
)
CLOCK = WallClock(zone_named(PLAN.timezone, "timezone"))

odd = st.one_of(
    st.none(),
    st.integers(-3, 3),
    st.floats(allow_nan=False),
    st.booleans(),
    st.text(max_size=4),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=1),
)
times = st.sampled_from(
    [
        "2027-05-07T10:00",
        "2027-05-07T11:30",
        "2027-05-07T10:00:00+02:00",
        "2027-05-07T08:00Z",
        "2027-03-28T02:30",
        "2027-10-31T02:30",
        "2027-05-07",
        "7.5.2027 10:00",
        "",
        "2027-05-07T25:00",
    ]
)
tricky = st.text(alphabet=st.sampled_from("ab\r\n\x00é\ud800"), min_size=1, max_size=4)
ids = st.one_of(st.sampled_from(["e1", "x" * 200, "x" * 201, "", "a\x00b", "\ud800"]), tricky, odd)
texts = st.one_of(st.sampled_from(["Empfang", "a\r\nb", "a\rb", "\x00", "\ud800", "Café"]), tricky, odd)
refs = lambda known: st.one_of(  # noqa: E731
    st.lists(st.sampled_from([*known, "nobody", 3]), max_size=3), st.none(), st.just([]), odd
)
fields = {
    "id": ids,
    "title": texts,
    "kind": st.one_of(st.sampled_from(["reception", "festival_slot", "unavailable", "gala"]), odd),
    "start": st.one_of(times, odd),
    "end": st.one_of(times, odd),
    "venue": st.one_of(st.sampled_from(["rathaus", "u", "elsewhere"]), odd),
    "delegations": refs(["amiens", "leeds"]),
    "people": refs(["anna", "ben"]),
    "status": st.one_of(st.sampled_from(["confirmed", "tentative", "cancelled", "maybe"]), odd),
    "public": st.one_of(st.booleans(), odd),
    "pinned": st.one_of(st.booleans(), odd),
    "attendance": st.one_of(st.sampled_from([0, 5, 1_000_000_000, 1_000_000_001, -1]), odd),
    "notes": texts,
    "sequence": st.one_of(st.sampled_from([0, 1, MAX_SEQUENCE, MAX_SEQUENCE + 1, -1]), odd),
    "colour": odd,
}
raw_events = st.fixed_dictionaries({}, optional=fields).map(dict)
USUAL = {
    "id": "e1",
    "title": "Empfang",
    "kind": "reception",
    "start": "2027-05-07T10:00",
    "end": "2027-05-07T11:30",
    "venue": "rathaus",
}
# Mostly valid events with a few fields changed, so that the quick reader takes many of them.
valid_leaning = (
    st.lists(st.sampled_from(sorted(fields)), min_size=1, max_size=2, unique=True)
    .flatmap(lambda keys: st.fixed_dictionaries({key: fields[key] for key in keys}))
    .map(lambda changed: {**USUAL, **changed})
)


def careful(raw):
    try:
        return parse_event(raw, "events[0]", PLAN, CLOCK)
    except PlanError as error:
        return error


# Each example takes microseconds; many are needed to reach every field's odd values.
@settings(max_examples=1500)
@given(st.one_of(raw_events, valid_leaning, valid_leaning, valid_leaning))
def test_what_the_quick_reader_takes_the_careful_reader_reads_the_same(raw):
    vouch = quick_event_reader(PLAN, CLOCK)
    try:
        quick = vouch(raw)
    except (Doubt, KeyError, TypeError, PlanError):
        return
    assert careful(raw) == quick


def test_the_quick_reader_takes_the_usual_event_and_doubts_the_odd_one():
    """Without this, the property above would hold for a reader that doubts everything."""
    vouch = quick_event_reader(PLAN, CLOCK)
    usual = {**USUAL, "delegations": ["amiens"], "people": ["anna", "ben"]}
    assert vouch(usual) == careful(usual)
    for odd_one in (
        {**usual, "title": "a\r\nb"},
        {**usual, "notes": None},
        {**usual, "people": ["anna", "anna"]},
        {**usual, "sequence": MAX_SEQUENCE + 1},
        {**usual, "colour": "red"},
    ):
        try:
            vouch(odd_one)
        except (Doubt, KeyError, TypeError, PlanError):
            continue
        raise AssertionError(f"the quick reader took {odd_one}")
