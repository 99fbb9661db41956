"""The festival table's stages and slots (planner.imports.festival_programme): which venues are
stages, the slots shown for days and stages, and what the table offers an organiser."""

from __future__ import annotations

from datetime import date

from support.plans import festival

from planner import parse_plan
from planner.imports.festival_programme import (
    editable_slots,
    festival_slots,
    performer_choices,
    slots_per_stage,
    slots_shown,
    stage_choices,
    stages,
)
from planner.sharing.access import OrganiserLimits

# -- the festival table ----------------------------------------------------------------------------


FESTIVAL = parse_plan(festival())


def test_stages_and_slots_of_the_festival():
    assert stages(FESTIVAL) == ["park", "stage", "hall"]  # stage kinds, or amplified
    slots = festival_slots(FESTIVAL)
    assert [e.id for e in slots] == ["s1", "s2", "s3"]  # by start, then stage, then id
    assert slots_per_stage(slots, ["stage", "park", "hall"]) == [2, 1, 0]


def test_slots_shown_for_days_and_stages():
    slots = festival_slots(FESTIVAL)
    assert slots_shown(FESTIVAL, slots, [], []) == slots
    assert [e.id for e in slots_shown(FESTIVAL, slots, [date(2027, 5, 8)], [])] == ["s1", "s2"]
    assert [e.id for e in slots_shown(FESTIVAL, slots, [], ["stage"])] == ["s2", "s3"]
    assert [e.id for e in slots_shown(FESTIVAL, slots, [date(2027, 5, 9)], ["park"])] == []


def test_what_the_table_offers_an_organiser():
    limits = OrganiserLimits(venues=frozenset({"museum"}))
    assert stage_choices(FESTIVAL) == stages(FESTIVAL)
    assert stage_choices(FESTIVAL, limits) == ["park", "stage", "museum"]  # not the Rathaus, not "hall"
    assert performer_choices(FESTIVAL) == ["ob", "int-fr", "esc"]
    assert performer_choices(FESTIVAL, limits) == []  # no performers in this plan
    assert performer_choices(FESTIVAL, OrganiserLimits(roles=frozenset({"escort", "mayor"}))) == ["esc"]


def test_slots_in_the_offices_diary_are_kept_out_of_an_organisers_table():
    slots = festival_slots(FESTIVAL)
    editable, locked = editable_slots(FESTIVAL, slots, OrganiserLimits())
    assert ([e.id for e in editable], [e.id for e in locked]) == (["s1", "s3"], ["s2"])  # s2: the Lord Mayor
    assert editable_slots(FESTIVAL, slots) == (slots, [])
