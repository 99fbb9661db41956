"""Who sees what: the copies of a plan made for each audience.

- A guest sees one delegation's released programme and nothing else (`guest_plan`). The guest
  page, the guest's calendar and table render only from it, so another delegation's events,
  names or notes cannot reach that browser even by mistake (a table or map sends all its rows).
- Roles that may not read internal details (organisers, see `sharing.access.may_read_internal`)
  see `restricted_plan`.
- A calendar or table is made from `audience_view`: the copy its audience (GUEST, PUBLIC or
  INTERNAL) may see; what each audience's calendar and table say of an event (no people for
  the public, no notes outside the office) is decided where they are written, `exports.ics`
  and `exports.tables`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from planner.errors import PlanError
from planner.plan.model import Event, Person, Plan

if TYPE_CHECKING:
    from planner.exports.ics import Feed

#: Who a feed is for: guests and the public never see internal notes, phone numbers or other
#: delegations; the office sees everything.
GUEST, PUBLIC, INTERNAL = "guest", "public", "internal"

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
        for e in plan.events
        if delegation_id in e.delegations and e.kind != "unavailable"
    ]
    # People at joint events (the reception of all partner cities) are shown only if they are
    # the city's hosts or serve this delegation at one of its own events: other delegations'
    # escorts and interpreters would name those delegations.
    own = [e for e in plan.events if e.delegations == (delegation_id,)]
    serving = {p for e in own for p in e.people}
    hosts = {p for p, person in plan.people.items() if person.role in HOST_ROLES}
    joint = {e.id for e in plan.events if delegation_id in e.delegations and len(e.delegations) > 1}
    events = [
        e if e.id not in joint else replace(e, people=tuple(p for p in e.people if p in serving or p in hosts)) for e in events
    ]
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


def restricted_plan(plan: Plan, busy_label: str = "Busy") -> Plan:
    """The plan as roles that may not read internal details (organisers, see
    `may_read_internal`) read it: busy time only as `busy_label` (the Lord Mayor's diary is the
    office's: an imported busy block carries the subject of someone's appointment), and no
    notes, phone numbers or e-mail addresses. Ids and times stay, so conflicts and edits work
    the same."""
    return replace(
        plan,
        venues={k: replace(v, notes="") for k, v in plan.venues.items()},
        people={k: replace(p, phone="", email="", notes="") for k, p in plan.people.items()},
        delegations={k: replace(d, notes="") for k, d in plan.delegations.items()},
        events=[replace(e, notes="", title=busy_label if e.kind == "unavailable" else e.title) for e in plan.events],
    )


def audience_view(plan: Plan, feed: Feed) -> tuple[Plan, Feed]:
    """The plan and feed as the feed's audience may see them: a guest's feed is made from the
    guest's own copy of the plan (no other delegation, not even its escorts at a joint event,
    no notes, no busy time); other audiences get them unchanged."""
    if feed.audience != GUEST or not feed.delegation:
        return plan, feed
    plan = guest_plan(plan, feed.delegation)
    kept = {e.id: e for e in plan.events}
    return plan, replace(feed, events=[kept[e.id] for e in feed.events if e.id in kept])
