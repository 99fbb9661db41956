"""What a guest's browser may receive: one delegation's released programme and nothing else.

The guest page renders only from `guest_plan`, so another delegation's events, names or notes
cannot reach that browser even by mistake (a table or map sends all its rows to the browser).
"""

from __future__ import annotations

from dataclasses import replace

from planner.errors import PlanError
from planner.plan.model import Event, Person, Plan

#: Roles of the city's hosts, shown to every guest at a joint event.
HOST_ROLES = frozenset(("mayor", "deputy_mayor", "protocol"))


def guest_plan(plan: Plan, delegation_id: str) -> Plan:
    """A plan holding the delegation itself, its live and cancelled events (cancelled ones stay
    visible so the guest learns of the cancellation), their venues and the hotel, the travel
    between them, and the people at those events by name and role only (at joint events only
    the city's hosts and the people who serve this delegation at its own events). Notes, phone numbers,
    e-mail addresses and every other delegation are left out; joint events keep only this
    delegation."""
    if delegation_id not in plan.delegations:
        raise PlanError("", f"unknown delegation {delegation_id!r}")
    delegation = replace(plan.delegations[delegation_id], notes="")
    events: list[Event] = [
        replace(e, delegations=(delegation_id,), notes="", attendance=None, pinned=False)
        for e in plan.events if delegation_id in e.delegations and e.kind != "unavailable"
    ]
    # People at joint events (the reception of all partner cities) are shown only if they are
    # the city's hosts or serve this delegation at one of its own events: other delegations'
    # escorts and interpreters would name those delegations.
    own = [e for e in plan.events if e.delegations == (delegation_id,)]
    serving = {p for e in own for p in e.people}
    hosts = {p for p, person in plan.people.items() if person.role in HOST_ROLES}
    joint = {e.id for e in plan.events if delegation_id in e.delegations and len(e.delegations) > 1}
    events = [e if e.id not in joint else replace(e, people=tuple(p for p in e.people if p in serving or p in hosts))
              for e in events]
    venue_ids = {e.venue for e in events if e.venue} | ({delegation.hotel} if delegation.hotel else set())
    people_ids = {p for e in events for p in e.people}
    return Plan(
        name=plan.name,
        timezone=plan.timezone,
        venues={v: replace(plan.venues[v], notes="") for v in plan.venues if v in venue_ids},
        travel=[t for t in plan.travel if t.source in venue_ids and t.target in venue_ids],
        people={p: Person(p, plan.people[p].name, plan.people[p].role) for p in plan.people if p in people_ids},
        delegations={delegation_id: delegation},
        events=sorted(events, key=lambda e: (e.start, e.end, e.id)),
        festival=plan.festival,
        rules=plan.rules,
    )
