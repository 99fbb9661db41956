"""Golden Book bookings as the Golden Book page lists them (planner.scheduling.golden_book): who
signs, the signings in order, and the delegations not yet booked."""

from __future__ import annotations

from support.paths import DATA
from support.plans import event, plan

from planner import load_plan, parse_plan
from planner.scheduling import golden_book

SAMPLE = load_plan(DATA / "dortbunt-2027.json")


# -- Golden Book bookings -----------------------------------------------------------------------


def test_signatories_and_who_signs_by_default():
    assert [p.id for p in golden_book.signatories(SAMPLE)] == ["ob", "dep-becker", "dep-schulte"]
    assert golden_book.first_signatory(SAMPLE) == "ob"
    deputies_first = parse_plan(
        plan(people=[{"id": "dep", "name": "Deputy", "role": "deputy_mayor"}, {"id": "ob", "name": "Mayor", "role": "mayor"}])
    )
    assert golden_book.first_signatory(deputies_first) == "ob"
    deputy_only = parse_plan(
        plan(people=[{"id": "esc", "name": "Escort", "role": "escort"}, {"id": "dep", "name": "Deputy", "role": "deputy_mayor"}])
    )
    assert golden_book.first_signatory(deputy_only) == "dep"
    assert golden_book.first_signatory(parse_plan(plan(people=[]))) is None


def test_signings_are_sorted_and_their_signatories_named():
    small = parse_plan(
        plan(
            event(
                "gb-2",
                "2027-05-08T11:00",
                "2027-05-08T11:30",
                venue="rathaus",
                kind="golden_book",
                delegations=["leeds"],
                people=["esc", "ob"],
            ),
            event(
                "gb-1",
                "2027-05-08T11:00",
                "2027-05-08T11:30",
                venue="rathaus",
                kind="golden_book",
                delegations=["amiens"],
                status="cancelled",
            ),
            event("meeting", "2027-05-07T09:00", "2027-05-07T10:00", kind="meeting"),
        )
    )
    signings = golden_book.signings(small)
    assert [e.id for e in signings] == ["gb-1", "gb-2"]  # same start: by id; cancelled ones too
    assert [p.name for p in golden_book.signing_signatories(small, signings[1])] == ["Lord Mayor"]
    assert golden_book.golden_book_venues(small) == ["rathaus"]


def test_not_yet_booked_ignores_cancelled_signings():
    small = parse_plan(
        plan(
            event(
                "gb-amiens",
                "2027-05-08T11:00",
                "2027-05-08T11:30",
                venue="rathaus",
                kind="golden_book",
                delegations=["amiens"],
                status="cancelled",
            ),
            event("tour", "2027-05-08T12:00", "2027-05-08T13:00", kind="tour", delegations=["leeds"]),
        )
    )
    assert [d.id for d in golden_book.not_yet_booked(small)] == ["amiens", "leeds"]
    small.events[0].status = "tentative"
    assert [d.id for d in golden_book.not_yet_booked(small)] == ["leeds"]
    reference = [
        d.id
        for d in SAMPLE.delegations.values()
        if not any(d.id in e.delegations and e.status != "cancelled" for e in SAMPLE.events if e.kind == "golden_book")
    ]
    assert [d.id for d in golden_book.not_yet_booked(SAMPLE)] == reference
