"""The plan day by day (planner.exports.agenda): the days of events, the first day shown, a day's
programme, arrivals and departures, a delegation's programme; and what a filtered timeline
leaves out (planner.exports.timelines `outside_view`)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st
from support.paths import DATA
from support.plans import event, plan

from planner import load_plan, parse_plan
from planner.exports import agenda
from planner.exports.timelines import outside_view

SAMPLE = load_plan(DATA / "dortbunt-2027.json")


# -- the plan day by day --------------------------------------------------------------------------


DAY_PLAN = parse_plan(
    plan(
        event("late", "2027-05-07T23:30", "2027-05-08T00:30", kind="meeting"),
        event("gone", "2027-05-09T10:00", "2027-05-09T11:00", status="cancelled"),
        event("busy", "2027-05-10T10:00", "2027-05-10T11:00", venue=None, kind="unavailable", people=["ob"]),
        event("slot", "2027-05-08T20:00", "2027-05-08T21:00", venue="stage", kind="festival_slot"),
        event("b", "2027-05-08T09:00", "2027-05-08T10:00", delegations=["amiens"]),
        event("a", "2027-05-08T09:00", "2027-05-08T10:00", delegations=["amiens"], status="cancelled"),
    )
)


def test_days_of_events_are_local_days():
    assert agenda.event_days(DAY_PLAN) == [date(2027, 5, 7), date(2027, 5, 8), date(2027, 5, 9), date(2027, 5, 10)]
    assert agenda.live_days(DAY_PLAN) == [date(2027, 5, 7), date(2027, 5, 8), date(2027, 5, 10)]
    assert agenda.live_days(DAY_PLAN, busy_time=False) == [date(2027, 5, 7), date(2027, 5, 8)]
    assert agenda.event_days(DAY_PLAN, [DAY_PLAN.events[3]]) == [date(2027, 5, 8)]
    assert agenda.event_days(DAY_PLAN, []) == []


@given(
    st.lists(st.dates(date(2027, 1, 1), date(2027, 12, 31)), unique=True).map(sorted),
    st.dates(date(2027, 1, 1), date(2027, 12, 31)),
)
def test_the_first_day_shown_is_today_or_the_next_planned_day(days, today):
    first = agenda.first_day_shown(days, today)
    later = [d for d in days if d >= today]
    assert first == (later[0] if later else days[0] if days else today)


def test_a_new_event_starts_on_the_festival_or_the_first_planned_day():
    assert agenda.first_day(SAMPLE, date(2000, 1, 1)) == SAMPLE.festival.start
    assert agenda.first_day(DAY_PLAN, date(2000, 1, 1)) == date(2027, 5, 7)
    assert agenda.first_day(parse_plan(plan()), date(2030, 2, 3)) == date(2030, 2, 3)


def test_a_days_programme_and_its_slots():
    day = date(2027, 5, 8)
    assert [e.id for e in agenda.events_on(DAY_PLAN, day)] == ["slot", "b", "a"]  # plan order
    assert [e.id for e in agenda.day_programme(DAY_PLAN, day)] == ["a", "b"]  # by start, then id
    assert agenda.day_programme(DAY_PLAN, date(2027, 5, 10)) == []  # busy time is no programme
    assert agenda.festival_slot_count(DAY_PLAN, day) == 1
    assert agenda.festival_slot_count(DAY_PLAN, date(2027, 5, 7)) == 0


def test_arrivals_and_departures_on_a_day():
    assert [d.id for d in agenda.arrivals(DAY_PLAN, date(2027, 5, 7))] == ["amiens"]
    assert agenda.arrivals(DAY_PLAN, date(2027, 5, 9)) == []
    assert [d.id for d in agenda.departures(DAY_PLAN, date(2027, 5, 9))] == ["amiens"]  # leeds has no dates


def test_a_delegations_programme_is_sorted_with_cancelled_events():
    assert [e.id for e in agenda.delegation_programme(DAY_PLAN, "amiens")] == ["a", "b"]
    assert agenda.delegation_programme(DAY_PLAN, "leeds") == []


# -- what a filtered timeline leaves out --------------------------------------------------------


def test_a_filtered_timeline_leaves_out_what_does_not_match():
    begins, ends = DAY_PLAN.events[4].start, DAY_PLAN.events[4].end  # 8 May 09:00-10:00
    everything = {e.id for e in DAY_PLAN.events}
    assert outside_view(DAY_PLAN, [], [], begins, ends) == everything - {"a", "b"}
    assert outside_view(DAY_PLAN, [], [], begins - timedelta(days=9), ends + timedelta(days=9)) == set()
    wide = (begins - timedelta(days=9), ends + timedelta(days=9))
    assert outside_view(DAY_PLAN, ["stage"], [], *wide) == everything - {"slot"}
    assert outside_view(DAY_PLAN, [], ["amiens"], *wide) == everything - {"a", "b"}
    assert outside_view(DAY_PLAN, ["stage"], ["amiens"], *wide) == everything


def test_a_new_event_starts_within_the_delegations_stay():
    from dataclasses import replace
    from datetime import UTC, date, datetime
    from zoneinfo import ZoneInfo

    from planner.exports.agenda import new_event_start

    plan = load_plan(DATA / "dortbunt-2027.json")
    berlin = ZoneInfo("Europe/Berlin")
    today = date(2026, 12, 4)

    def local(delegation):
        return new_event_start(plan, delegation, today).astimezone(berlin).strftime("%a %d %H:%M")

    assert local("amiens") == "Fri 07 10:00"  # arrives at 10:00 local: the usual time
    assert local("novi-sad") == "Fri 07 13:00"  # arrives 12:30
    assert local("kumasi") == "Fri 07 15:00"  # arrives 14:00
    assert local(None) == "Fri 07 10:00"  # the festival's first day
    late = replace(plan.delegations["leeds"], arrival=datetime(2027, 5, 8, 21, 40, tzinfo=UTC))  # 23:40 local
    plan.delegations["leeds"] = late
    assert local("leeds") == "Sun 09 10:00"
    plan.delegations["leeds"] = replace(late, arrival=None)
    assert local("leeds") == "Fri 07 10:00"
