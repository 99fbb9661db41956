"""Free-slot suggestions (planner/scheduling/free_slots.py): every suggestion is free by the rules of `check`,
and the first one is the earliest free five-minute start a brute-force search finds."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.plans import event, plan

from planner import PlanError, parse_plan
from planner.plan.clock import WallClock, zone_named
from planner.rules.change_preview import changed_plan
from planner.rules.engine import check
from planner.scheduling.free_slots import Want, free_slots

DAY = date(2027, 5, 7)
WALL = WallClock(zone_named("Europe/Berlin", "timezone"))


def at(hhmm: str, day: date = DAY):
    hours, minutes = map(int, hhmm.split(":"))
    return WALL.at(day, hours * 60 + minutes)


def want(**fields) -> Want:
    base = {
        "title": "Golden Book",
        "kind": "golden_book",
        "duration": timedelta(minutes=30),
        "windows": ((at("08:00"), at("20:00")),),
        "venues": ("rathaus",),
        "delegations": ("amiens",),
        "people": (),
        "one_of": (("ob",),),
    }
    return Want(**{**base, **fields})


def errors_with(plan_, slot, wanted) -> list:
    added = changed_plan(plan_, [slot.event(wanted, "suggested")])
    return [c for c in check(added) if "suggested" in c.events and c.severity == "error"]


def brute_force_earliest(plan_, wanted):
    """The earliest start on the five-minute grid at which some venue and choice of people
    gives no error conflict with the new event (checking the whole plan each time)."""
    import itertools

    from planner.scheduling.free_slots import Slot

    best = None
    for venue, chosen in itertools.product(wanted.venues, itertools.product(*wanted.one_of)):
        people = tuple(dict.fromkeys(wanted.people + chosen))
        for begins, finishes in wanted.windows:
            start = begins
            while start + wanted.duration <= finishes and (best is None or start < best):
                if not errors_with(plan_, Slot(start, start + wanted.duration, venue, people, 0), wanted):
                    best = start
                    break
                start += timedelta(minutes=5)
    return best


def test_the_lord_mayor_busy_moves_the_signing_after_his_meeting():
    p = parse_plan(plan(event("council", "2027-05-07T09:00", "2027-05-07T11:40", venue="park", people=["ob"], title="Council")))
    wanted = want(people=("int-fr",))
    first, second, *_ = free_slots(p, wanted, 3)
    # Right when the council ends, with too little time to get there (a warning, not an error) ...
    assert first.start == at("11:40") and [c.rule for c in first.warnings] == ["travel_time"]
    assert "Council" in first.reason and "Lord Mayor" in first.reason
    # ... then once the Lord Mayor can be there.
    assert at("11:40") < second.start < at("12:05") and second.warnings == [] and "travel" in second.reason
    assert first.venue == second.venue == "rathaus" and first.people == ("int-fr", "ob")
    assert not errors_with(p, first, wanted) and not errors_with(p, second, wanted)


def test_one_of_takes_whoever_is_free():
    p = parse_plan(plan(event("council", "2027-05-07T09:00", "2027-05-07T12:00", venue="park", people=["ob"])))
    p.people["dep"] = type(p.people["ob"])("dep", "Deputy Mayor", "deputy_mayor", ("de",))
    [first, *_] = free_slots(p, want(one_of=(("ob", "dep"),)), 3)
    assert first.start == at("10:00") and first.people == ("dep",)  # when Amiens has arrived
    assert "arrived" in first.reason


def test_the_venue_must_be_open_and_the_window_respected():
    p = parse_plan(plan())
    wanted = want(delegations=("leeds",), windows=((at("06:00"), at("09:00")),))
    [first, *_] = free_slots(p, wanted, 1)
    assert first.start == at("08:00") and "opens" in first.reason  # the Rathaus opens at 08:00
    late = want(delegations=("leeds",), windows=((at("19:45"), at("21:00")),))
    assert free_slots(p, late, 3) == []  # closes at 20:00: 30 minutes do not fit


def test_the_stage_changeover_and_quiet_hours():
    p = parse_plan(plan(event("band", "2027-05-07T20:00", "2027-05-07T21:00", venue="stage", kind="festival_slot")))
    wanted = want(
        kind="festival_slot",
        venues=("stage",),
        delegations=(),
        one_of=(),
        duration=timedelta(minutes=45),
        windows=((at("20:00"), at("23:30")),),
    )
    [first, *_] = free_slots(p, wanted, 2)
    assert first.start == at("21:15")  # after the band and the 15 min changeover; 22:00 is quiet
    assert free_slots(p, replace_window(wanted, "21:30", "23:30"), 2) == []


def replace_window(wanted: Want, begins: str, ends: str) -> Want:
    from dataclasses import replace

    return replace(wanted, windows=((at(begins), at(ends)),))


def test_warnings_are_reported_and_ranked_after_errors_are_excluded():
    # Amiens speaks French: without an interpreter the signing is possible, with a warning.
    p = parse_plan(plan())
    [first] = free_slots(p, want(), 1)
    assert [c.rule for c in first.warnings] == ["interpreter_missing"]
    [with_interpreter] = free_slots(p, want(people=("int-fr",)), 1)
    assert with_interpreter.warnings == []


def test_bad_wants_are_explained():
    p = parse_plan(plan())
    with pytest.raises(PlanError, match="unknown venue 'nowhere'"):
        free_slots(p, want(venues=("nowhere",)))
    with pytest.raises(PlanError, match="unknown person 'nobody'"):
        free_slots(p, want(one_of=(("nobody",),)))
    with pytest.raises(PlanError, match="duration: must be positive"):
        free_slots(p, want(duration=timedelta(0)))
    with pytest.raises(PlanError, match="windows"):
        free_slots(p, want(windows=((at("12:00"), at("11:00")),)))


FIVE = st.integers(8 * 12, 19 * 12).map(lambda n: f"{n // 12:02d}:{n % 12 * 5:02d}")


@st.composite
def busy_plans(draw):
    events = []
    for number in range(draw(st.integers(0, 8))):
        begins = draw(FIVE)
        length = draw(st.sampled_from([15, 30, 45, 60, 90]))
        start = at(begins)
        events.append(
            event(
                f"e{number}",
                WALL.wall(start).isoformat(timespec="minutes"),
                WALL.wall(start + timedelta(minutes=length)).isoformat(timespec="minutes"),
                venue=draw(st.sampled_from(["rathaus", "park", "stage"])),
                people=draw(st.lists(st.sampled_from(["ob", "int-fr", "esc"]), unique=True, max_size=2)),
                delegations=draw(st.lists(st.sampled_from(["amiens", "leeds"]), unique=True, max_size=1)),
            )
        )
    return parse_plan(plan(*events))


@settings(max_examples=200, deadline=None)
@given(
    p=busy_plans(),
    begins=FIVE,
    hours=st.integers(1, 6),
    duration=st.sampled_from([15, 30, 45]),
    venues=st.sampled_from([("rathaus",), ("park",), ("rathaus", "park")]),
    one_of=st.sampled_from([(("ob",),), (("ob", "esc"),), ()]),
)
def test_suggestions_are_free_and_the_first_is_the_earliest(p, begins, hours, duration, venues, one_of):
    wanted = want(
        kind="meeting",
        duration=timedelta(minutes=duration),
        venues=venues,
        one_of=one_of,
        people=("int-fr",),
        windows=((at(begins), at(begins) + timedelta(hours=hours)),),
    )
    slots = free_slots(p, wanted, 3)
    for slot in slots:
        assert not errors_with(p, slot, wanted), slot
        assert any(b <= slot.start and slot.end <= e for b, e in wanted.windows)
    assert [s.start for s in slots] == sorted(s.start for s in slots)
    earliest = brute_force_earliest(p, wanted)
    assert (slots[0].start if slots else None) == earliest


def test_the_command_line(tmp_path):
    import json
    import subprocess
    import sys

    from support.paths import DATA, ROOT

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "planner", "slots", str(DATA / "dortbunt-2027.json"), *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )

    common = [
        "--duration",
        "30",
        "--kind",
        "golden_book",
        "--venue",
        "rathaus",
        "--delegation",
        "leeds",
        "--person",
        "int-en-1",
        "--one-of",
        "ob,dep-becker,dep-schulte",
    ]
    result = run(*common, "--window", "2027-05-08T09:00/2027-05-08T18:00", "-k", "2", "--format", "json")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert len(found) == 2 and all(s["venue"] == "rathaus" for s in found)
    assert found[0]["start"] <= found[1]["start"] and found[0]["start"].startswith("2027-05-08T")
    assert {"int-en-1"} < set(found[0]["people"]) and found[0]["reason"].startswith(("after", "at the start", "once"))
    text = run(*common, "--window", "2027-05-08T09:00/2027-05-08T18:00", "-k", "1")
    assert text.returncode == 0 and text.stdout.startswith("1. Sat, 8 May 2027, ") and "Rathaus Dortmund" in text.stdout
    none = run(*common, "--window", "2027-05-08T23:00/2027-05-08T23:20")
    assert none.returncode == 1 and none.stdout == "" and "no free time" in none.stderr
    bad = run(*common, "--window", "2027-05-08T09:00")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "--window[0]" in bad.stderr
