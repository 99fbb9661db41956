"""Each rule of SPEC §3 on its hard cases, checked against hand-worked expectations."""

import pytest
from support.plans import BASE, event, plan, venue

from planner import PlanError, check, parse_plan


def found(document, rule=None):
    """(rule, events, resource) of each conflict, optionally of one rule."""
    return [(c.rule, c.events, c.resource) for c in check(parse_plan(document)) if rule in (None, c.rule)]


# -- overlaps ---------------------------------------------------------------------------------


def test_touching_events_do_not_overlap():
    doc = plan(
        event("a", "2027-05-07T13:00", "2027-05-07T14:00", people=["ob"]),
        event("b", "2027-05-07T14:00", "2027-05-07T15:00", people=["ob"]),
    )
    assert found(doc) == []


def test_overlap_reported_per_pair_and_shared_party():
    doc = plan(
        event("a", "2027-05-07T13:00", "2027-05-07T14:30", people=["ob", "esc"], delegations=["amiens"]),
        event("b", "2027-05-07T14:00", "2027-05-07T15:00", people=["ob", "esc"], delegations=["amiens"]),
    )
    assert sorted(found(doc)) == [
        ("delegation_overlap", ("a", "b"), "amiens"),
        ("person_overlap", ("a", "b"), "esc"),
        ("person_overlap", ("a", "b"), "ob"),
        ("venue_overlap", ("a", "b"), "park"),
    ]


def test_events_are_ordered_by_start_then_id():
    doc = plan(
        event("z", "2027-05-07T13:00", "2027-05-07T14:30"),
        event("b", "2027-05-07T13:00", "2027-05-07T14:00"),
        event("a", "2027-05-07T13:30", "2027-05-07T14:00"),
    )
    assert sorted(found(doc, "venue_overlap")) == [
        ("venue_overlap", ("b", "a"), "park"),
        ("venue_overlap", ("b", "z"), "park"),
        ("venue_overlap", ("z", "a"), "park"),
    ]


def test_cancelled_events_take_part_in_no_rule_and_tentative_ones_count():
    doc = plan(
        event("a", "2027-05-07T13:00", "2027-05-07T14:30"),
        event("b", "2027-05-07T14:00", "2027-05-07T15:00", status="cancelled"),
        event("c", "2027-05-07T14:00", "2027-05-07T15:00", status="tentative"),
    )
    assert found(doc) == [("venue_overlap", ("a", "c"), "park")]


def test_explicit_offsets_are_absolute_instants():
    # 12:00Z is 14:00 in Dortmund in May, so it overlaps a local 13:30–14:30.
    doc = plan(
        event("local", "2027-05-07T13:30", "2027-05-07T14:30"),
        event("utc", "2027-05-07T12:00Z", "2027-05-07T13:00Z"),
        event("plus1", "2027-05-07T14:00+01:00", "2027-05-07T14:30+01:00"),
    )
    assert sorted(found(doc)) == [("venue_overlap", ("local", "utc"), "park")]


def test_spring_forward_night_is_one_hour_shorter():
    # 01:30–03:30 local on 28 March 2027 lasts one hour: 00:30Z–01:30Z.
    doc = plan(event("night", "2027-03-28T01:30", "2027-03-28T03:30"), event("after", "2027-03-28T01:30Z", "2027-03-28T02:00Z"))
    assert found(doc) == []
    doc["events"][1].update(start="2027-03-28T01:29Z")
    assert found(doc) == [("venue_overlap", ("night", "after"), "park")]


def test_fall_back_ambiguous_time_means_first_occurrence():
    # 02:30 on 31 October 2027 happens twice; without offset it is the first (00:30Z).
    doc = plan(
        event("first", "2027-10-31T02:30", "2027-10-31T02:45"),
        event("second", "2027-10-31T02:30+01:00", "2027-10-31T02:45+01:00"),
        event("also-first", "2027-10-31T02:40+02:00", "2027-10-31T02:50+02:00"),
    )
    assert found(doc) == [("venue_overlap", ("first", "also-first"), "park")]


@pytest.mark.parametrize("text", ["2027-03-28T02:00", "2027-03-28T02:30", "2027-03-28T02:59:59"])
def test_nonexistent_wall_time_is_invalid(text):
    doc = plan(event("gap", text, "2027-03-28T04:00"))
    with pytest.raises(PlanError) as error:
        parse_plan(doc)
    assert error.value.path == "events[0].start"
    assert "does not exist" in str(error.value)


def test_max_parallel_reports_maximal_periods_with_all_events_in_them():
    venues = BASE["venues"] + [venue("hall", max_parallel=2)]
    doc = plan(
        event("a", "2027-05-07T10:00", "2027-05-07T12:00", venue="hall"),
        event("b", "2027-05-07T10:30", "2027-05-07T11:00", venue="hall"),
        event("c", "2027-05-07T10:45", "2027-05-07T11:30", venue="hall"),
        # b ends at 11:00 as d starts: still three at once, so the period goes on.
        event("d", "2027-05-07T11:00", "2027-05-07T11:15", venue="hall"),
        # A second, separate period.
        event("e", "2027-05-07T13:00", "2027-05-07T14:00", venue="hall"),
        event("f", "2027-05-07T13:00", "2027-05-07T14:00", venue="hall"),
        event("g", "2027-05-07T13:59", "2027-05-07T15:00", venue="hall"),
        # Only two at once: no conflict.
        event("h", "2027-05-07T16:00", "2027-05-07T17:00", venue="hall"),
        event("i", "2027-05-07T16:00", "2027-05-07T17:00", venue="hall"),
        venues=venues,
    )
    assert found(doc) == [
        ("venue_overlap", ("a", "b", "c", "d"), "hall"),
        ("venue_overlap", ("e", "f", "g"), "hall"),
    ]


def test_period_ends_where_count_drops_even_if_others_start_then():
    venues = BASE["venues"] + [venue("hall", max_parallel=2)]
    doc = plan(
        event("a", "2027-05-07T10:00", "2027-05-07T11:00", venue="hall"),
        event("b", "2027-05-07T10:00", "2027-05-07T11:00", venue="hall"),
        event("c", "2027-05-07T10:00", "2027-05-07T11:00", venue="hall"),
        event("d", "2027-05-07T11:00", "2027-05-07T12:00", venue="hall"),
        venues=venues,
    )
    assert found(doc) == [("venue_overlap", ("a", "b", "c"), "hall")]


# -- travel -----------------------------------------------------------------------------------


def _two_stops(gap_start: str, **changes):
    return plan(
        event("a", "2027-05-07T10:00", "2027-05-07T11:00", venue="rathaus", people=["esc"]),
        event("b", gap_start, "2027-05-07T13:00", venue="park", people=["esc"]),
        **changes,
    )


def test_travel_gap_equal_to_explicit_minutes_is_enough():
    travel = [{"from": "rathaus", "to": "park", "minutes": 20}]
    assert found(_two_stops("2027-05-07T11:20", travel=travel)) == []
    assert found(_two_stops("2027-05-07T11:19", travel=travel)) == [("travel_time", ("a", "b"), "esc")]


def test_one_way_travel_override_applies_both_ways_unless_reverse_given():
    back = plan(
        event("a", "2027-05-07T10:00", "2027-05-07T11:00", venue="park", people=["esc"]),
        event("b", "2027-05-07T11:25", "2027-05-07T13:00", venue="rathaus", people=["esc"]),
        travel=[{"from": "rathaus", "to": "park", "minutes": 30}],
    )
    assert found(back) == [("travel_time", ("a", "b"), "esc")]
    back["travel"].append({"from": "park", "to": "rathaus", "minutes": 25})
    assert found(back) == []


def test_later_travel_entry_for_the_same_trip_wins_and_self_travel_is_ignored():
    travel = [
        {"from": "rathaus", "to": "park", "minutes": 60},
        {"from": "park", "to": "park", "minutes": 99},
        {"from": "rathaus", "to": "park", "minutes": 20},
    ]
    assert found(_two_stops("2027-05-07T11:20", travel=travel)) == []
    assert found(_two_stops("2027-05-07T11:19", travel=travel)) == [("travel_time", ("a", "b"), "esc")]


def test_estimated_travel_uses_great_circle_and_driving_beyond_walk_limit():
    # Rathaus–Westfalenpark is 1.9006 km: driving, 1.9006 × 1.3 / 25 × 60 + 10 ≈ 15.93 min.
    assert found(_two_stops("2027-05-07T11:16")) == []
    assert found(_two_stops("2027-05-07T11:15")) == [("travel_time", ("a", "b"), "esc")]
    walk_everything = {"walk_max_km": 5}
    # Walking: 1.9006 × 1.3 / 4.8 × 60 ≈ 30.88 min.
    assert found(_two_stops("2027-05-07T11:30", rules=walk_everything)) == [("travel_time", ("a", "b"), "esc")]
    assert found(_two_stops("2027-05-07T11:31", rules=walk_everything)) == []


def test_travel_only_between_directly_following_events_and_venueless_events_break_the_chain():
    doc = plan(
        event("a", "2027-05-07T10:00", "2027-05-07T11:00", venue="rathaus", people=["ob"]),
        event("busy", "2027-05-07T11:00", "2027-05-07T11:05", venue=None, kind="unavailable", people=["ob"]),
        event("b", "2027-05-07T11:05", "2027-05-07T12:00", venue="park", people=["ob"]),
    )
    assert found(doc) == []
    doc["events"].pop(1)
    assert found(doc) == [("travel_time", ("a", "b"), "ob")]


def test_no_travel_conflict_for_overlapping_or_same_venue_events():
    doc = plan(
        event("a", "2027-05-07T10:00", "2027-05-07T11:00", venue="rathaus", people=["esc"]),
        event("b", "2027-05-07T10:30", "2027-05-07T12:00", venue="park", people=["esc"]),
        event("c", "2027-05-07T12:00", "2027-05-07T13:00", venue="park", people=["esc"]),
    )
    assert found(doc) == [("person_overlap", ("a", "b"), "esc")]


def test_travel_for_delegations_too():
    doc = plan(
        event("a", "2027-05-07T10:00", "2027-05-07T11:00", venue="rathaus", delegations=["leeds"]),
        event("b", "2027-05-07T11:05", "2027-05-07T12:00", venue="park", delegations=["leeds"]),
    )
    assert found(doc) == [("travel_time", ("a", "b"), "leeds")]


# -- stays, opening hours, capacity -----------------------------------------------------------


def test_outside_stay():
    doc = plan(
        event("early", "2027-05-07T09:00", "2027-05-07T10:30", delegations=["amiens"]),
        event("ok", "2027-05-07T10:30", "2027-05-09T15:00", delegations=["amiens"], venue="stage", kind="other"),
        event("late", "2027-05-09T14:00", "2027-05-09T15:01", delegations=["amiens"]),
    )
    assert found(doc, "outside_stay") == [("outside_stay", ("early",), "amiens"), ("outside_stay", ("late",), "amiens")]


def _at_club(start, end, hours):
    venues = BASE["venues"] + [venue("club", opening_hours=hours)]
    return plan(event("e", start, end, venue="club"), venues=venues)


@pytest.mark.parametrize(
    "start,end,hours,closed",
    [
        ("2027-05-07T08:00", "2027-05-07T20:00", [["08:00", "20:00"]], False),
        ("2027-05-07T07:59", "2027-05-07T09:00", [["08:00", "20:00"]], True),
        ("2027-05-07T19:00", "2027-05-07T20:01", [["08:00", "20:00"]], True),
        # Window past midnight: the night of the 7th covers an event after midnight on the 8th.
        ("2027-05-08T01:00", "2027-05-08T02:00", [["22:00", "02:00"]], False),
        ("2027-05-07T23:00", "2027-05-08T02:00", [["22:00", "02:00"]], False),
        ("2027-05-08T01:00", "2027-05-08T02:30", [["22:00", "02:00"]], True),
        # 24:00 closes at midnight.
        ("2027-05-07T20:00", "2027-05-08T00:00", [["08:00", "24:00"]], False),
        ("2027-05-07T20:00", "2027-05-08T00:01", [["08:00", "24:00"]], True),
        # The whole event must fit into one window, not two touching ones.
        ("2027-05-07T11:00", "2027-05-07T15:00", [["08:00", "12:00"], ["12:00", "18:00"]], True),
        ("2027-05-07T12:00", "2027-05-07T15:00", [["08:00", "12:00"], ["12:00", "18:00"]], False),
        # An empty list of windows: never open.
        ("2027-05-07T12:00", "2027-05-07T15:00", [], True),
        # The window of the start's local date, found across the spring-forward night.
        ("2027-03-28T01:00", "2027-03-28T04:00", [["22:00", "05:00"]], False),
        # Open equal to close: an empty window.
        ("2027-05-07T10:00", "2027-05-07T11:00", [["10:00", "10:00"]], True),
    ],
)
def test_venue_closed(start, end, hours, closed):
    assert found(_at_club(start, end, hours)) == ([("venue_closed", ("e",), "club")] if closed else [])


def test_no_opening_hours_means_always_open():
    venues = BASE["venues"] + [venue("club")]
    assert found(plan(event("e", "2027-05-07T03:00", "2027-05-07T04:00", venue="club"), venues=venues)) == []


def test_capacity_counts_delegations_and_people_unless_attendance_given():
    venues = BASE["venues"] + [venue("room", capacity=9)]
    fits = event(
        "fits",
        "2027-05-07T10:00",
        "2027-05-07T11:00",
        venue="room",
        delegations=["amiens"],
        people=["ob", "esc"],
        attendance=None,
    )
    over = event("over", "2027-05-07T12:00", "2027-05-07T13:00", venue="room", delegations=["amiens", "leeds"])
    given = event("given", "2027-05-07T14:00", "2027-05-07T15:00", venue="room", delegations=["amiens", "leeds"], attendance=9)
    doc = plan(fits, over, given, venues=venues)
    assert found(doc, "capacity") == [("capacity", ("over",), "room")]


# -- interpreters and the Golden Book ---------------------------------------------------------


def test_interpreter_missing_only_for_kinds_that_need_one():
    doc = plan(
        event("meet", "2027-05-07T12:00", "2027-05-07T13:00", kind="meeting", delegations=["amiens", "leeds"], people=["ob"]),
        event("slot", "2027-05-07T14:00", "2027-05-07T15:00", kind="festival_slot", delegations=["amiens"]),
        event("tour", "2027-05-07T16:00", "2027-05-07T17:00", kind="tour", delegations=["amiens"], people=["int-fr"]),
    )
    assert found(doc, "interpreter_missing") == [("interpreter_missing", ("meet",), "amiens")]


def test_german_speaking_delegation_needs_no_interpreter():
    doc = plan(
        event("meet", "2027-05-07T12:00", "2027-05-07T13:00", kind="meal", delegations=["zw"]),
        delegations=BASE["delegations"] + [{"id": "zw", "city": "Zwickau", "country": "DE", "size": 3, "languages": ["de"]}],
    )
    assert found(doc) == []


def test_golden_book_rules():
    doc = plan(
        event(
            "gb1",
            "2027-05-07T12:00",
            "2027-05-07T12:30",
            venue="rathaus",
            kind="golden_book",
            delegations=["leeds"],
            people=["ob"],
        ),
        event(
            "gb2", "2027-05-07T15:00", "2027-05-07T15:30", venue="park", kind="golden_book", delegations=["leeds"], people=["esc"]
        ),
        event(
            "gb3",
            "2027-05-08T11:00",
            "2027-05-08T11:30",
            venue="rathaus",
            kind="golden_book",
            delegations=["leeds"],
            people=["ob"],
        ),
        event(
            "gbx",
            "2027-05-08T09:00",
            "2027-05-08T09:30",
            venue="rathaus",
            kind="golden_book",
            delegations=["leeds"],
            status="cancelled",
        ),
    )
    assert sorted(found(doc)) == [
        ("golden_book_duplicate", ("gb1", "gb2", "gb3"), "leeds"),
        ("golden_book_signatory", ("gb2",), None),
        ("golden_book_venue", ("gb2",), "park"),
        ("interpreter_missing", ("gb2",), "leeds"),
    ]


def test_deputy_mayor_may_sign():
    people = BASE["people"] + [{"id": "dep", "name": "Deputy", "role": "deputy_mayor", "languages": ["de", "en"]}]
    doc = plan(
        event(
            "gb",
            "2027-05-07T12:00",
            "2027-05-07T12:30",
            venue="rathaus",
            kind="golden_book",
            delegations=["leeds"],
            people=["dep"],
        ),
        people=people,
    )
    assert found(doc) == []


# -- festival stages --------------------------------------------------------------------------


def test_changeover_gap_equal_to_minimum_is_enough():
    doc = plan(
        event("a", "2027-05-07T18:00", "2027-05-07T19:00", venue="stage"),
        event("b", "2027-05-07T19:15", "2027-05-07T20:00", venue="stage"),
        event("c", "2027-05-07T20:10", "2027-05-07T21:00", venue="stage"),
    )
    assert found(doc) == [("changeover", ("b", "c"), "stage")]


def test_quiet_hours_across_midnight_and_in_the_morning():
    doc = plan(
        event("late", "2027-05-07T21:00", "2027-05-07T22:01", venue="stage"),
        event("until", "2027-05-07T20:00", "2027-05-07T21:00", venue="stage"),
        event("early", "2027-05-08T06:30", "2027-05-08T07:00", venue="stage"),
        event("morning", "2027-05-08T07:00", "2027-05-08T08:00", venue="stage"),
        event("quiet-park", "2027-05-08T01:00", "2027-05-08T02:00", venue="park"),
        rules={"disabled": ["changeover"]},
    )
    assert found(doc) == [("quiet_hours", ("late",), "stage"), ("quiet_hours", ("early",), "stage")]


def test_quiet_hours_from_the_festival_and_on_any_night():
    doc = plan(
        event("a", "2027-09-01T22:30", "2027-09-01T23:00", venue="stage"),
        festival={"start": "2027-05-07", "end": "2027-05-09", "quiet_hours": ["23:00", "06:00"]},
    )
    assert found(doc) == []
    doc["events"][0]["end"] = "2027-09-01T23:30"
    assert found(doc) == [("quiet_hours", ("a",), "stage")]


# -- settings ---------------------------------------------------------------------------------


def test_disabled_rules_and_severity_overrides():
    doc = plan(
        event("a", "2027-05-07T13:00", "2027-05-07T14:30"),
        event("b", "2027-05-07T14:00", "2027-05-07T15:00", kind="golden_book", venue="rathaus", people=["esc"]),
        rules={"disabled": ["golden_book_signatory"], "severity": {"venue_overlap": "warning"}},
    )
    doc["events"][1]["venue"] = "park"
    conflicts = check(parse_plan(doc))
    assert [(c.rule, c.severity) for c in conflicts] == [("venue_overlap", "warning"), ("golden_book_venue", "error")]


def test_venueless_unavailable_event_takes_part_in_person_overlap_only():
    doc = plan(
        event("busy", "2027-05-07T09:00", "2027-05-07T18:00", venue=None, kind="unavailable", people=["ob"]),
        event(
            "gb",
            "2027-05-07T12:00",
            "2027-05-07T12:30",
            venue="rathaus",
            kind="golden_book",
            people=["ob", "int-fr"],
            delegations=["amiens"],
        ),
    )
    assert found(doc) == [("person_overlap", ("busy", "gb"), "ob")]


def test_times_far_from_now_are_exact():
    # Past 2255 float timestamps lose microseconds; the engine must still be exact.
    doc = plan(
        event("a", "2300-05-07T10:00:00.000001Z", "2300-05-07T11:00Z"),
        event("b", "2300-05-07T11:00Z", "2300-05-07T12:00Z"),
        event("c", "2300-05-07T10:59:59.999999Z", "2300-05-07T11:00:00.000001Z"),
    )
    assert sorted(found(doc)) == [("venue_overlap", ("a", "c"), "park"), ("venue_overlap", ("c", "b"), "park")]


def test_messages_name_things_in_both_languages():
    from planner.rules.report import conflict_records

    people = BASE["people"] + [{"id": "dep", "name": "Deputy", "role": "deputy_mayor", "languages": ["de"]}]
    venues = BASE["venues"] + [venue("hall", name="Hall", max_parallel=2, capacity=3, opening_hours=[["09:00", "12:00"]])]
    doc = plan(
        event("a", "2027-05-07T10:00", "2027-05-07T11:00", venue="hall", title="Alpha", delegations=["amiens"]),
        event("b", "2027-05-07T10:30", "2027-05-07T11:30", venue="hall", title="Beta", people=["esc"]),
        event(
            "c",
            "2027-05-07T10:45",
            "2027-05-07T12:30",
            venue="hall",
            title="Gamma",
            kind="golden_book",
            people=["esc"],
            delegations=["leeds"],
        ),
        event("h", "2027-05-07T12:31", "2027-05-07T13:00", venue="park", title="Hotel", people=["esc"]),
        event(
            "i",
            "2027-05-08T12:00",
            "2027-05-08T12:30",
            venue="rathaus",
            title="India",
            kind="golden_book",
            people=["ob"],
            delegations=["leeds"],
        ),
        event(
            "d",
            "2027-05-07T11:35",
            "2027-05-07T12:00",
            venue="rathaus",
            title="Delta",
            kind="golden_book",
            people=["dep"],
            delegations=["amiens"],
        ),
        event("e", "2027-05-07T21:30", "2027-05-07T23:00", venue="stage", title="Echo"),
        event("f", "2027-05-07T23:05", "2027-05-07T23:30", venue="stage", title="Foxtrot"),
        event("g", "2027-05-09T15:00", "2027-05-09T16:00", venue="park", title="Golf", delegations=["amiens"]),
        people=people,
        venues=venues,
    )
    conflicts = check(parse_plan(doc))
    assert {c.rule for c in conflicts} == {
        "venue_overlap",
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
    }
    for lang, words in (
        (
            "en",
            [
                "more than 2 events at once",
                "Hall",
                "Escort",
                "Delegation Amiens",
                "the trip takes",
                "ends after the departure",
                "outside the opening hours",
                "attendees, room for 3",
                "nobody present speaks",
                "not kept at Hall",
                "neither the Lord Mayor nor a deputy",
                "signs the Golden Book 2 times",
                "changeover needs 15 min",
                "quiet hours (22:00–07:00)",
            ],
        ),
        (
            "de",
            [
                "mehr als 2 Veranstaltungen gleichzeitig",
                "der Weg dauert",
                "Abreise",
                "Öffnungszeiten",
                "Platz für 3",
                "niemand spricht",
                "Goldene Buch wird nicht hier aufbewahrt (Hall)",
                "kein OB",
                "2-mal ins Goldene Buch",
                "Umbau braucht 15 min",
                "Nachtruhe (22:00–07:00)",
            ],
        ),
    ):
        text = "\n".join(r["message"] for r in conflict_records(parse_plan(doc), conflicts, lang))
        for word in words:
            assert word in text, (lang, word, text)


def test_message_times_show_seconds_offsets_in_the_fold_and_german_decimals():
    from planner.rules.report import conflict_records

    doc = plan(
        event("a", "2027-10-31T02:30", "2027-10-31T02:45", people=["esc"], venue="rathaus"),
        event("b", "2027-10-31T02:30+01:00", "2027-10-31T02:45+01:00", people=["esc"], venue="rathaus"),
        event("c", "2027-05-07T10:00", "2027-05-07T11:00:30", venue="rathaus", people=["ob"]),
        event("d", "2027-05-07T11:10", "2027-05-07T12:00", venue="park", people=["ob"]),
        rules={"disabled": ["venue_closed", "interpreter_missing"]},
    )
    records = {r["rule"]: r["message"] for r in conflict_records(parse_plan(doc), check(parse_plan(doc)), "en")}
    assert "11:00:30" in records["travel_time"] and "9.5 min" in records["travel_time"]
    german = {r["rule"]: r["message"] for r in conflict_records(parse_plan(doc), check(parse_plan(doc)), "de")}
    assert "9,5 min" in german["travel_time"]
    doc["events"][1]["start"] = "2027-10-31T02:40+02:00"
    doc["events"][1]["end"] = "2027-10-31T02:30+01:00"
    overlap = [
        r["message"] for r in conflict_records(parse_plan(doc), check(parse_plan(doc)), "en") if r["rule"] == "person_overlap"
    ][0]
    assert "02:30 (UTC+2)" in overlap and "02:30 (UTC+1)" in overlap


def test_equal_open_and_close_is_an_empty_window():
    assert found(_at_club("2027-05-07T08:00", "2027-05-07T09:00", [["08:00", "08:00"]])) == [("venue_closed", ("e",), "club")]
    assert found(_at_club("2027-05-07T08:00", "2027-05-07T09:00", [["08:00", "08:00"], ["00:00", "24:00"]])) == []


def test_interpreters_with_more_languages_than_bits():
    from collections import Counter

    from support.reference import reference_conflicts

    codes = [a + b for a in "abcdefghij" for b in "klmnopqrs"][:70]
    people = [
        {"id": f"i{n}", "name": f"Interpreter {n}", "role": "interpreter", "languages": ["de", code]}
        for n, code in enumerate(codes)
    ]
    delegations = [
        {"id": f"d{n}", "city": f"City {n}", "country": "FR", "size": 2, "languages": [code]} for n, code in enumerate(codes)
    ]
    events = [
        event(
            f"e{n}",
            "2027-05-07T10:00",
            "2027-05-07T11:00",
            kind="meeting",
            delegations=[f"d{n}"],
            people=[f"i{n if n % 3 else (n + 1) % 70}"],
            venue="park",
        )
        for n in range(70)
    ]
    doc = plan(*events, people=people, delegations=delegations, rules={"disabled": ["venue_overlap"]})
    got = Counter((c.rule, c.severity, c.events, c.resource) for c in check(parse_plan(doc)))
    assert got == Counter(reference_conflicts(doc))
    assert sum(1 for key in got if key[0] == "interpreter_missing") == 24
