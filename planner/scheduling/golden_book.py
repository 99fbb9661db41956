"""Golden Book bookings: who may sign, where the book is kept, the signings in the plan and the
delegations that have none yet."""

from __future__ import annotations

from planner.plan.model import SIGNATORY_ROLES, Delegation, Event, Person, Plan


def signatories(plan: Plan) -> list[Person]:
    """The people who may sign with a delegation (the Lord Mayor and the deputies), in plan order."""
    return [p for p in plan.people.values() if p.role in SIGNATORY_ROLES]


def first_signatory(plan: Plan) -> str | None:
    """Who signs a new booking unless someone else is chosen: the Lord Mayor, else the first
    signatory; None if the plan has none."""
    people = signatories(plan)
    return next((p.id for p in people if p.role == "mayor"), people[0].id if people else None)


def signings(plan: Plan) -> list[Event]:
    """Every Golden Book signing, cancelled ones too, by start, then id."""
    return sorted((e for e in plan.events if e.kind == "golden_book"), key=lambda e: (e.start, e.id))


def signing_signatories(plan: Plan, signing: Event) -> list[Person]:
    """Those of a signing's people who sign (the Lord Mayor or a deputy), in the event's order."""
    return [plan.people[p] for p in signing.people if plan.people[p].role in SIGNATORY_ROLES]


def not_yet_booked(plan: Plan) -> list[Delegation]:
    """The delegations without a signing that still takes place (cancelled ones do not count),
    in plan order."""
    booked = {d for e in plan.events if e.kind == "golden_book" and e.status != "cancelled" for d in e.delegations}
    return [d for d in plan.delegations.values() if d.id not in booked]


def golden_book_venues(plan: Plan) -> list[str]:
    """The ids of the venues that keep the Golden Book, in plan order."""
    return [v for v in plan.venues if plan.venues[v].golden_book]
