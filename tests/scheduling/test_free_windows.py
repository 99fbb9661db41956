"""Free time of a person on a day (planner.scheduling.free_windows), against a minute-by-minute
count, on the sample plan and on both clock-change days."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.paths import DATA
from support.plans import plan

from planner import PlanError, load_plan, parse_plan
from planner.plan.clock import WallClock
from planner.plan.model import Event
from planner.scheduling.free_windows import day_events, free_windows

SAMPLE = load_plan(DATA / "dortbunt-2027.json")
BERLIN = ZoneInfo("Europe/Berlin")
WALL = WallClock(BERLIN)


# -- free windows --------------------------------------------------------------------------

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
@given(
    day=st.sampled_from(AVAILABILITY_DAYS),
    spans=st.lists(
        st.tuples(
            st.integers(-6 * 60, 30 * 60),
            st.integers(1, 8 * 60),
            st.sampled_from(["ob", "ob", "esc"]),
            st.sampled_from(["confirmed", "tentative", "cancelled"]),
        ),
        max_size=8,
    ),
    window=st.tuples(st.integers(0, 24 * 60), st.integers(0, 24 * 60)).filter(lambda w: w[0] < w[1]),
    at_least=st.integers(0, 90),
)
def test_free_windows_match_a_minute_by_minute_count(day, spans, window, at_least):
    midnight = WALL.at(day, 0)
    events = [
        Event(
            f"e{i}",
            "E",
            "meeting",
            midnight + timedelta(minutes=offset),
            midnight + timedelta(minutes=offset + length),
            "park",
            (),
            (person,),
            status,
        )
        for i, (offset, length, person, status) in enumerate(spans)
    ]
    events.append(
        Event("busy", "Busy", "unavailable", midnight + timedelta(hours=13), midnight + timedelta(hours=14), None, (), ("ob",))
    )
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
