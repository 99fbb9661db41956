"""The preview of a change (planner.rules.change_preview): the conflicts a new, moved or removed
event would create or solve, and the changed plan it is checked on."""

from __future__ import annotations

from dataclasses import replace

from support.plans import event, plan

from planner import parse_plan
from planner.rules.change_preview import changed_plan, preview, read_event
from planner.rules.engine import check

# -- the preview of a change -----------------------------------------------------------------


def rules_of(conflicts) -> set[tuple]:
    return {(c.rule, c.events, c.resource) for c in conflicts}


def test_preview_names_the_conflicts_a_new_event_would_create():
    base = parse_plan(plan(event("a", "2027-05-07T10:00", "2027-05-07T11:00", venue="park")))
    clash = read_event(base, event("b", "2027-05-07T10:30", "2027-05-07T11:30", venue="park"))
    outcome = preview(base, [clash])
    assert rules_of(outcome.new) == {("venue_overlap", ("a", "b"), "park")}
    assert outcome.solved == []
    assert [e.id for e in outcome.plan.events] == ["a", "b"] and [e.id for e in base.events] == ["a"]


def test_preview_names_the_conflicts_a_move_or_removal_would_solve():
    base = parse_plan(
        plan(
            event("a", "2027-05-07T10:00", "2027-05-07T11:00", venue="park"),
            event("b", "2027-05-07T10:30", "2027-05-07T11:30", venue="park"),
        )
    )
    before = check(base)
    assert rules_of(before) == {("venue_overlap", ("a", "b"), "park")}
    moved = read_event(base, event("b", "2027-05-07T11:00", "2027-05-07T12:00", venue="park"))
    outcome = preview(base, [moved], before=before)
    assert outcome.new == [] and rules_of(outcome.solved) == rules_of(before)
    assert preview(base, removed={"b"}).solved == before
    # Still overlapping after a small move: neither new nor solved.
    nudged = read_event(base, event("b", "2027-05-07T10:45", "2027-05-07T11:30", venue="park"))
    assert (preview(base, [nudged]).new, preview(base, [nudged]).solved) == ([], [])
    # One move can solve one conflict and make another.
    elsewhere = read_event(base, event("b", "2027-05-07T10:30", "2027-05-07T11:30", venue="stage", people=["esc"]))
    busy = replace(
        base,
        events=[
            *base.events,
            read_event(base, event("c", "2027-05-07T10:00", "2027-05-07T12:00", venue="rathaus", people=["esc"])),
        ],
    )
    both = preview(busy, [elsewhere])
    assert rules_of(both.solved) == {("venue_overlap", ("a", "b"), "park")}
    assert ("person_overlap", ("b", "c"), "esc") in rules_of(both.new) or ("person_overlap", ("c", "b"), "esc") in rules_of(
        both.new
    )


def test_changed_plan_replaces_by_id_and_keeps_the_order():
    base = parse_plan(
        plan(event("a", "2027-05-07T10:00", "2027-05-07T11:00"), event("b", "2027-05-07T12:00", "2027-05-07T13:00"))
    )
    renamed = replace(base.events[0], title="A2")
    extra = replace(base.events[1], id="c")
    result = changed_plan(base, [extra, renamed], removed={"b"})
    assert [(e.id, e.title) for e in result.events] == [("a", "A2"), ("c", "B")]
    assert [e.title for e in base.events] == ["A", "B"]
