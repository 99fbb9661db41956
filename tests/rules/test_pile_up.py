"""Bounded work for the app's pages: a pile-up of overlaps is one conflict, not n² pairs.

An organiser's file of 1,500 slots at one stage at one hour made 1.1 million `venue_overlap`
pairs (the Conflicts page took 481 s and 5.1 GB); 4,000 made 16 million. With `pile_up` the
pages see one conflict per period of overlap that holds more pairs than the bound, listing its
events, and every other conflict exactly as before.
"""

import tracemalloc
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.strategies import plan_documents

from planner import check, parse_plan
from planner.plan.model import Event
from planner.plan.reading import load_plan
from planner.rules.change_preview import preview
from planner.rules.engine import PAGE_PILE_UP
from planner.rules.index import overlapping_pairs
from planner.rules.messages import Describer
from planner.rules.rulebook import overlap_count

SAMPLE = "data/dortbunt-2027.json"
OVERLAP_RULES = ("venue_overlap", "delegation_overlap", "person_overlap")
CEST = timezone(timedelta(hours=2))


def pile_up(n: int, *, people: tuple[str, ...] = ()) -> list[Event]:
    """`n` slots of an open stage on Hansaplatz, all at 20:00–21:00 on Saturday, as in the
    organiser's file (`Open stage act N,hansaplatz,2027-05-08,20:00,21:00`)."""
    return [
        Event(
            f"open-{i}",
            f"Open stage act {i}",
            "festival_slot",
            datetime(2027, 5, 8, 20, tzinfo=CEST),
            datetime(2027, 5, 8, 21, tzinfo=CEST),
            "hansaplatz",
            (),
            people,
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("n", [1500, 4000])
def test_a_pile_up_at_one_stage_is_one_conflict_in_bounded_memory(n):
    plan = load_plan(SAMPLE)
    plan = replace(plan, events=plan.events + pile_up(n))
    tracemalloc.start()
    try:
        conflicts = check(plan, pile_up=PAGE_PILE_UP)
        texts = [Describer(plan, lang).describe(c) for c in conflicts for lang in ("en", "de")]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    piles = [c for c in conflicts if "pairs" in c.facts]
    assert len(piles) == 1
    pile = piles[0]
    assert pile.rule == "venue_overlap" and pile.resource == "hansaplatz"
    # Every slot of the file is in it, and so is the sample's own slot at that hour.
    assert {f"open-{i}" for i in range(n)} <= set(pile.events)
    assert pile.facts["pairs"] == len(pile.events) * (len(pile.events) - 1) // 2
    assert len(conflicts) < 50  # the sample's own conflicts and the pile-up, not n² pairs
    assert peak < 50 * 2**20  # the unbounded check needed gigabytes
    english = next(text for text in texts if "events overlap" in text)
    assert f"{n + 1:,} events overlap" in english and f"and {n + 1 - 5:,} more" in english
    assert len(english) < 500


def test_a_performer_booked_on_many_slots_at_once_is_one_conflict():
    plan = load_plan(SAMPLE)
    performer = next(p.id for p in plan.people.values() if p.role == "performer")
    # At four stages in turn: the stages' own pile-ups are smaller, the performer's is whole.
    stages = ("hansaplatz", "friedensplatz", "alter-markt", "westfalenpark")
    slots = [replace(e, venue=stages[i % 4]) for i, e in enumerate(pile_up(600, people=(performer,)))]
    conflicts = check(replace(plan, events=plan.events + slots), pile_up=PAGE_PILE_UP)
    assert [c.resource for c in conflicts if c.rule == "person_overlap" and "pairs" in c.facts] == [performer]


def test_without_a_bound_every_pair_is_listed_as_the_spec_says():
    plan = load_plan(SAMPLE)
    plan = replace(plan, events=plan.events + pile_up(60))
    pairs = [c for c in check(plan) if c.rule == "venue_overlap" and all(i.startswith("open-") for i in c.events)]
    assert len(pairs) == 60 * 59 // 2 and all(len(c.events) == 2 and "pairs" not in c.facts for c in pairs)


def test_the_sample_plan_reads_the_same_with_the_pages_bound():
    plan = load_plan(SAMPLE)
    assert [(c.rule, c.events, c.resource) for c in check(plan, pile_up=PAGE_PILE_UP)] == [
        (c.rule, c.events, c.resource) for c in check(plan)
    ]


def test_a_preview_next_to_a_pile_up_stays_bounded():
    plan = load_plan(SAMPLE)
    plan = replace(plan, events=plan.events + pile_up(1500))
    before = check(plan, pile_up=PAGE_PILE_UP)
    extra = replace(pile_up(1)[0], id="one-more", title="One more act")
    shown = preview(plan, [extra], before=before, pile_up=PAGE_PILE_UP)
    assert len(shown.new) < 10 and any("one-more" in c.events for c in shown.new)


@settings(max_examples=150)
@given(plan_documents(), st.integers(0, 4))
def test_a_bound_only_folds_pairs_into_pile_ups(document, bound):
    """With any bound: the rules other than the overlaps are unchanged; each pair of the full
    check is listed, or lies in exactly one pile-up of its rule and resource; a pile-up holds
    more pairs than the bound and counts them right; nothing is reported that is not there."""
    try:
        plan = parse_plan(document)
    except ValueError:
        return
    full, bounded = check(plan), check(plan, pile_up=bound)
    key = lambda c: (c.rule, c.severity, c.events, c.resource)  # noqa: E731
    others = lambda found: Counter(key(c) for c in found if c.rule not in OVERLAP_RULES or "limit" in c.facts)  # noqa: E731
    assert others(bounded) == others(full)
    listed = Counter(key(c) for c in bounded if c.rule in OVERLAP_RULES and "limit" not in c.facts and "pairs" not in c.facts)
    piles = [c for c in bounded if "pairs" in c.facts]
    events = {e.id: e for e in plan.events}
    for pile in piles:
        members = sorted((events[i] for i in pile.events), key=lambda e: (e.start, e.id))
        assert pile.facts["pairs"] == overlap_count(members) == sum(1 for _ in overlapping_pairs(members))
        assert pile.facts["pairs"] > bound
    for conflict in full:
        if conflict.rule not in OVERLAP_RULES or "limit" in conflict.facts:
            continue
        if listed[key(conflict)]:
            listed[key(conflict)] -= 1
            continue
        holding = [
            p
            for p in piles
            if p.rule == conflict.rule and p.resource == conflict.resource and set(conflict.events) <= set(p.events)
        ]
        assert len(holding) == 1, conflict
    assert not +listed  # no pair that the full check does not have
    assert sum(p.facts["pairs"] for p in piles) + sum(
        1 for c in bounded if c.rule in OVERLAP_RULES and "pairs" not in c.facts and "limit" not in c.facts
    ) == sum(1 for c in full if c.rule in OVERLAP_RULES and "limit" not in c.facts)


def test_pages_list_a_bounded_number_of_conflicts_whatever_the_plan_holds(store):
    """Groups of ten identical slots with four performers stay under the pile-up bound (45 pairs
    each), so the draft holds over 20,000 conflicts: the Conflicts page still writes at most
    ROWS_SHOWN rows (and says how to see the others), the Festival page at most 200."""
    from support.pages import open_page, session

    from views.ui import CONFLICTS_LISTED, ROWS_SHOWN

    performers = ["host", "perf-bigband", "perf-choir", "perf-dj"]
    slots = [
        {
            "id": f"set-{group}-{n}",
            "title": f"Set {group}-{n}",
            "kind": "festival_slot",
            "venue": "alter-markt",
            "start": f"2027-05-07T{8 + group // 10:02d}:{group % 10 * 6:02d}",
            "end": f"2027-05-07T{8 + group // 10:02d}:{group % 10 * 6 + 5:02d}",
            "people": performers,
        }
        for group in range(100)
        for n in range(10)
    ]
    store.edit_events(added=slots, user="setup", path="slot")
    conflicts = check(store.load_plan(), pile_up=PAGE_PILE_UP)
    assert len(conflicts) > 20_000 and not any("pairs" in c.facts for c in conflicts if c.resource == "alter-markt")
    app = session(store, "viewer")
    open_page(app, "conflicts")
    table = next(d for d in app.dataframe if "Message" in d.value.columns)
    assert len(table.value) == ROWS_SHOWN and all(table.value["Message"])
    assert any(f"The first {ROWS_SHOWN:,} of {len(conflicts):,} that match" in c.value for c in app.caption)
    open_page(app, "festival")
    listed = next(d for d in app.dataframe if "Message" in d.value.columns)
    assert len(listed.value) == CONFLICTS_LISTED
    assert any("all of them are on the Conflicts page" in c.value for c in app.caption)
