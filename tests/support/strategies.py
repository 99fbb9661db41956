"""Hypothesis strategies for random `dortbunt-plan/1` documents full of the spec's traps:
touching intervals, both clock changes, explicit offsets, gaps equal to travel times,
one-way travel overrides, windows past midnight and 24:00, max_parallel > 1, cancelled and
tentative events, venue-less `unavailable` events."""

from __future__ import annotations

import copy
from datetime import UTC, date, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

ZONE = ZoneInfo("Europe/Berlin")
# Around both clock changes of 2027, a festival day, and a day far ahead.
DAYS = [date(2027, 3, 27), date(2027, 3, 28), date(2027, 5, 7), date(2027, 10, 30), date(2027, 10, 31), date(2040, 3, 25)]
WINDOWS = [
    ["09:00", "17:00"],
    ["22:00", "02:00"],
    ["08:00", "24:00"],
    ["00:00", "24:00"],
    ["18:00", "03:00"],
    ["02:30", "04:00"],
    ["10:00", "10:00"],
    ["01:00", "02:15"],
]
QUIET = [None, ["22:00", "07:00"], ["23:00", "06:00"], ["20:00", "24:00"], ["01:00", "05:00"], ["02:00", "03:00"]]
KINDS = ["golden_book", "reception", "meeting", "tour", "meal", "press", "festival_slot", "transfer", "unavailable", "other"]
RULE_IDS = [
    "venue_overlap",
    "delegation_overlap",
    "person_overlap",
    "travel_time",
    "outside_stay",
    "venue_closed",
    "capacity",
    "interpreter_missing",
    "golden_book_venue",
    "golden_book_signatory",
    "golden_book_duplicate",
    "changeover",
    "quiet_hours",
]
LANGS = ["de", "en", "fr", "tr", "zh"]


@st.composite
def date_times(draw, around: date) -> str:
    """A date-time string near `around`: local wall time (maybe in a gap or a fold), or an
    absolute one with an offset."""
    day = around + timedelta(days=draw(st.sampled_from([0, 0, 0, -1, 1])))
    # Crowd most times into a few hours (around the clock change, or midday) so that
    # overlaps, touching events and tight gaps are common.
    low, high = draw(st.sampled_from([(0, 95), (4, 16), (48, 60), (48, 60)]))
    minute = draw(st.integers(low, high)) * 15
    text = f"{day.isoformat()}T{minute // 60:02d}:{minute % 60:02d}"
    style = draw(st.sampled_from(["local", "local", "local", "seconds", "offset", "utc"]))
    if style == "seconds":
        return text + ":00"
    if style in ("offset", "utc"):
        offset = timedelta(hours=draw(st.sampled_from([1, 2, 0, -5]))) if style == "offset" else timedelta(0)
        aware = __import__("datetime").datetime.fromisoformat(text).replace(tzinfo=timezone(offset))
        return aware.isoformat().replace("+00:00", "Z") if style == "utc" else aware.isoformat()
    return text


@st.composite
def plan_documents(draw) -> dict:
    around = draw(st.sampled_from(DAYS))
    venue_count = draw(st.integers(1, 4))
    venues = []
    for index in range(venue_count):
        venue = {
            "id": f"v{index}",
            "name": f"Venue {index}",
            # Within a few km of the Rathaus: both walking and driving distances occur.
            "lat": 51.5126 + draw(st.integers(-30, 30)) * 0.001,
            "lon": 7.4655 + draw(st.integers(-30, 30)) * 0.001,
            "kind": draw(st.sampled_from(["city_hall", "stage", "museum", "park", "other"])),
            "max_parallel": draw(st.sampled_from([1, 1, 2, 3])),
            "golden_book": draw(st.booleans()),
            "amplified": draw(st.booleans()),
            "changeover_min": draw(st.sampled_from([0, 0, 15, 30, 7.5])),
        }
        hours = draw(st.sampled_from(["absent", "absent", "empty", "some"]))
        if hours == "empty":
            venue["opening_hours"] = []
        elif hours == "some":
            venue["opening_hours"] = draw(st.lists(st.sampled_from(WINDOWS), min_size=1, max_size=2))
        if draw(st.booleans()):
            venue["capacity"] = draw(st.integers(1, 40))
        venues.append(venue)
    venue_ids = [v["id"] for v in venues]

    travel = []
    if venue_count > 1:
        # Repeated and self-referencing entries too: the last one for a trip wins.
        pairs = draw(st.lists(st.tuples(st.sampled_from(venue_ids), st.sampled_from(venue_ids)), max_size=5))
        for source, target in pairs:
            travel.append({"from": source, "to": target, "minutes": draw(st.sampled_from([0, 15, 30, 45, 12.5, 60]))})

    people = [
        {
            "id": f"p{index}",
            "name": f"Person {index}",
            "role": draw(st.sampled_from(["mayor", "deputy_mayor", "interpreter", "escort", "other"])),
            "languages": draw(st.lists(st.sampled_from(LANGS), max_size=2, unique=True)),
        }
        for index in range(draw(st.integers(1, 4)))
    ]
    delegations = []
    for index in range(draw(st.integers(1, 3))):
        delegation = {
            "id": f"d{index}",
            "city": f"City {index}",
            "country": "FR",
            "size": draw(st.integers(1, 12)),
            "languages": draw(st.lists(st.sampled_from(LANGS), max_size=2, unique=True)),
        }
        if draw(st.booleans()):
            delegation["arrival"] = draw(date_times(around - timedelta(days=1)))
            delegation["departure"] = draw(date_times(around + timedelta(days=2)))
        delegations.append(delegation)

    events = []
    for index in range(draw(st.integers(0, 18))):
        start = draw(date_times(around))
        kind = draw(st.sampled_from(KINDS))
        event = {
            "id": f"e{index:02d}" if draw(st.booleans()) else f"x{index}",
            "title": f"Event {index}",
            "kind": kind,
            "start": start,
            "duration": draw(st.sampled_from([15, 30, 45, 60, 90, 120, 240, 600])),
            "venue": draw(st.sampled_from(venue_ids)),
            "delegations": draw(st.lists(st.sampled_from([d["id"] for d in delegations]), max_size=2, unique=True)),
            "people": draw(st.lists(st.sampled_from([p["id"] for p in people]), max_size=2, unique=True)),
            "status": draw(st.sampled_from(["confirmed", "confirmed", "tentative", "cancelled"])),
        }
        if kind == "unavailable" and draw(st.booleans()):
            event["venue"] = None
        if draw(st.integers(0, 4)) == 0:
            event["attendance"] = draw(st.integers(0, 60))
        events.append(event)
    # Ends derived from starts keep most events valid; written in local wall time, so some
    # land in a gap or a fold as well.
    for event in events:
        event["end"] = _later(event["start"], event.pop("duration"))
    seen = set()
    events = [e for e in events if not (e["id"] in seen or seen.add(e["id"]))]

    document = {
        "format": "dortbunt-plan/1",
        "name": "random",
        "timezone": "Europe/Berlin",
        "venues": venues,
        "travel": travel,
        "people": people,
        "delegations": delegations,
        "events": events,
    }
    quiet = draw(st.sampled_from(QUIET))
    if quiet is not None:
        document["festival"] = {"start": around.isoformat(), "end": around.isoformat(), "quiet_hours": quiet}
    rules = {}
    if draw(st.integers(0, 3)) == 0:
        rules["disabled"] = draw(st.lists(st.sampled_from(RULE_IDS), max_size=3, unique=True))
    if draw(st.integers(0, 3)) == 0:
        rules["severity"] = draw(st.dictionaries(st.sampled_from(RULE_IDS), st.sampled_from(["error", "warning"]), max_size=3))
    if draw(st.integers(0, 3)) == 0:
        rules["walk_max_km"] = draw(st.sampled_from([0.5, 1.5, 3.0]))
    if rules:
        document["rules"] = rules
    # Fresh lists throughout: the windows above are shared constants.
    return copy.deepcopy(document)


def _later(start: str, minutes: int) -> str:
    """`start` plus `minutes` of absolute time, written like `start` (local or with offset)."""
    from datetime import datetime

    value = datetime.fromisoformat(start.replace("Z", "+00:00"))
    if value.tzinfo is None:
        local = value.replace(tzinfo=ZONE)
        later = (local.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(ZONE)
        return later.replace(tzinfo=None).isoformat(timespec="minutes")
    return (value + timedelta(minutes=minutes)).isoformat()


# -- hostile values anywhere in a document (the fuzz tests) ------------------------------------

hostile_text = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "a\x00b",
            "\ud800",
            "x\udfff",
            "\n\r\u2028",
            "=1+1",
            '=HYPERLINK("x")',
            "\ufeff",
            "'",
            '"',
            ";",
            ",",
            "NaN",
            "inf",
            "-0",
            "1e400",
            "9" * 5000,
            "x" * 10_000,
            "2027-05-07T25:00",
            "0000-01-01T00:00",
            "9999-12-31T23:59",
            "2027-13-40",
            "rathaus",
            "ob",
            "amiens",
            "friedensplatz",
            "<script>",
            "${x}",
            "%s%n",
            "\u202e",
            "🎺",
            "Ａ",
            "2027-03-28T02:30",
            "24:00",
            "v0",
            "d0",
            "p0",
            "de",
        ]
    ),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    hostile_text,
)
json_like = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(hostile_text, inner, max_size=3), max_leaves=6
)


@st.composite
def mutated(draw, document):
    """`document` with one value somewhere replaced, added or removed."""
    document = copy.deepcopy(document)
    node = document
    for _ in range(draw(st.integers(0, 4))):
        children = [v for v in (node.values() if isinstance(node, dict) else node) if isinstance(v, (dict, list)) and v]
        if not children:
            break
        node = draw(st.sampled_from(children))
    value = draw(json_like)
    if isinstance(node, dict):
        key = draw(st.sampled_from(sorted(node) + ["extra"]) | hostile_text)
        if key in node and draw(st.integers(0, 4)) == 0:
            del node[key]
        else:
            node[key] = value
    elif node:
        index = draw(st.integers(0, len(node) - 1))
        if draw(st.integers(0, 4)) == 0:
            del node[index]
        else:
            node[index] = value
    return document
