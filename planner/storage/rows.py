"""How venues, people, delegations and events are stored as rows, and read back from them."""

from __future__ import annotations

from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from planner.errors import PlanError
from planner.plan.clock import from_micros as instant
from planner.plan.clock import micros, minutes_of_day
from planner.plan.fields import storable
from planner.plan.model import Delegation, Event, Person, Plan, Venue, Window
from planner.plan.writing import venue_document
from planner.storage.schema import DELEGATIONS, EVENT_DELEGATIONS, EVENT_PEOPLE, PEOPLE, PLAN, VENUES


def row_by_id(connection: Connection, table: sa.Table, ident: object) -> Any:
    """The row with this id, or None (also for an id no database could hold, such as a lone surrogate)."""
    if not isinstance(ident, str) or not storable(ident):
        return None
    return connection.execute(sa.select(table).where(table.c.id == ident)).mappings().first()


def id_stub(connection: Connection) -> Plan:
    """A plan holding only the ids of venues, people and delegations (for validation)."""
    head = connection.execute(sa.select(PLAN.c.timezone)).first()
    if head is None:
        raise PlanError("", "the database holds no plan yet")
    stub = Plan(timezone=head.timezone)
    # Only the keys are real (validation asks only whether an id is there); the values are None.
    stub.venues = cast("dict[str, Venue]", dict.fromkeys(connection.execute(sa.select(VENUES.c.id)).scalars()))
    stub.people = cast("dict[str, Person]", dict.fromkeys(connection.execute(sa.select(PEOPLE.c.id)).scalars()))
    stub.delegations = cast("dict[str, Delegation]", dict.fromkeys(connection.execute(sa.select(DELEGATIONS.c.id)).scalars()))
    return stub


def venue_from_row(row: Any) -> Venue:
    return Venue(
        id=row["id"],
        name=row["name"],
        lat=row["lat"],
        lon=row["lon"],
        kind=row["kind"],
        address=row["address"],
        capacity=row["capacity"],
        max_parallel=row["max_parallel"],
        opening_hours=None
        if row["opening_hours"] is None
        else tuple(Window(minutes_of_day(o, ""), minutes_of_day(c, "")) for o, c in row["opening_hours"]),
        golden_book=row["golden_book"],
        changeover_min=row["changeover_min"],
        amplified=row["amplified"],
        notes=row["notes"],
    )


def person_from_row(row: Any) -> Person:
    return Person(row["id"], row["name"], row["role"], tuple(row["languages"]), row["phone"], row["email"], row["notes"])


def delegation_from_row(row: Any) -> Delegation:
    return Delegation(
        row["id"],
        row["city"],
        row["country"],
        row["size"],
        tuple(row["languages"]),
        None if row["arrival_us"] is None else instant(row["arrival_us"]),
        None if row["departure_us"] is None else instant(row["departure_us"]),
        row["hotel"],
        row["notes"],
    )


def event_from_row(connection: Connection, row: Any) -> Event:
    """The event of an events row, with its delegations and people (read from their tables)."""
    delegations = (
        connection.execute(
            sa.select(EVENT_DELEGATIONS.c.delegation_id)
            .where(EVENT_DELEGATIONS.c.event_id == row["id"])
            .order_by(EVENT_DELEGATIONS.c.position)
        )
        .scalars()
        .all()
    )
    people = (
        connection.execute(
            sa.select(EVENT_PEOPLE.c.person_id).where(EVENT_PEOPLE.c.event_id == row["id"]).order_by(EVENT_PEOPLE.c.position)
        )
        .scalars()
        .all()
    )
    return Event(
        row["id"],
        row["title"],
        row["kind"],
        instant(row["start_us"]),
        instant(row["end_us"]),
        row["venue"],
        tuple(delegations),
        tuple(people),
        row["status"],
        row["public"],
        row["attendance"],
        row["notes"],
        row["sequence"],
        row["pinned"],
    )


def venue_values(v: Venue) -> dict:
    document = venue_document(v)
    return {**document, "capacity": v.capacity, "opening_hours": document.get("opening_hours"), "notes": v.notes}


def person_values(p: Person) -> dict:
    return {
        "id": p.id,
        "name": p.name,
        "role": p.role,
        "languages": list(p.languages),
        "phone": p.phone,
        "email": p.email,
        "notes": p.notes,
    }


def delegation_values(d: Delegation) -> dict:
    return {
        "id": d.id,
        "city": d.city,
        "country": d.country,
        "size": d.size,
        "languages": list(d.languages),
        "arrival_us": None if d.arrival is None else micros(d.arrival),
        "departure_us": None if d.departure is None else micros(d.departure),
        "hotel": d.hotel,
        "notes": d.notes,
    }


def event_values(event: Event) -> dict:
    """An event's own columns (its id, position and version stamp are the caller's)."""
    return {
        "title": event.title,
        "kind": event.kind,
        "start_us": micros(event.start),
        "end_us": micros(event.end),
        "venue": event.venue,
        "status": event.status,
        "public": event.public,
        "attendance": event.attendance,
        "notes": event.notes,
        "sequence": event.sequence,
        "pinned": event.pinned,
    }


def replace_members(connection: Connection, event: Event) -> None:
    """Store `event`'s delegations and people in place of those it had."""
    connection.execute(EVENT_DELEGATIONS.delete().where(EVENT_DELEGATIONS.c.event_id == event.id))
    connection.execute(EVENT_PEOPLE.delete().where(EVENT_PEOPLE.c.event_id == event.id))
    if event.delegations:
        connection.execute(
            EVENT_DELEGATIONS.insert(),
            [{"event_id": event.id, "delegation_id": d, "position": i} for i, d in enumerate(event.delegations)],
        )
    if event.people:
        connection.execute(
            EVENT_PEOPLE.insert(), [{"event_id": event.id, "person_id": p, "position": i} for i, p in enumerate(event.people)]
        )


_CHUNK = 5000


def insert_rows(connection: Connection, table: sa.Table, rows: list[dict]) -> None:
    """Insert `rows` into `table`, a few thousand per statement."""
    for start in range(0, len(rows), _CHUNK):
        connection.execute(table.insert(), rows[start : start + _CHUNK])
