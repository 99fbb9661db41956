"""Editing the draft's venues, people and delegations, without lost updates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from planner.errors import PlanError
from planner.plan.clock import WallClock, zone_named
from planner.plan.fields import identifier
from planner.plan.model import Delegation, Person, Plan, Venue
from planner.plan.reading import parse_delegation, parse_person, parse_venue
from planner.plan.writing import delegation_document, person_document, venue_document
from planner.storage.audit import write_audit
from planner.storage.database import Database, current_user, now_micros
from planner.storage.errors import NotFoundError, stale_edit
from planner.storage.rows import (
    delegation_from_row,
    delegation_values,
    id_stub,
    person_from_row,
    person_values,
    row_by_id,
    venue_from_row,
    venue_values,
)
from planner.storage.schema import DELEGATIONS, PEOPLE, VENUES

Entity = Venue | Person | Delegation

# kind -> (table, row to object, object to document, validated document to object). The object
# a kind's functions take is that kind's class, which a type cannot tie to the key: hence Any.
_Kind = tuple[
    sa.Table,
    Callable[[Any], Entity],
    Callable[[Any, WallClock], dict],
    Callable[[dict, str, Plan, WallClock], Entity],
]
_ENTITIES: dict[str, _Kind] = {
    "venue": (VENUES, venue_from_row, lambda v, clock: venue_document(v), lambda raw, path, stub, clock: parse_venue(raw, path)),
    "person": (
        PEOPLE,
        person_from_row,
        lambda p, clock: person_document(p),
        lambda raw, path, stub, clock: parse_person(raw, path),
    ),
    "delegation": (
        DELEGATIONS,
        delegation_from_row,
        delegation_document,
        lambda raw, path, stub, clock: parse_delegation(raw, path, clock, stub.venues),
    ),
}
_VALUES: dict[str, Callable[[Any], dict]] = {"venue": venue_values, "person": person_values, "delegation": delegation_values}


def _named(kind: str, entity: Venue | Person | Delegation) -> None:
    """Venues and people need a name and delegations a city: the app lists them by it."""
    field = "city" if kind == "delegation" else "name"
    if not getattr(entity, field).strip():
        raise PlanError(f"{kind}.{field}", "must not be empty")


class EntityStorage(Database):
    """The draft's venues, people and delegations (`kind` "venue", "person", "delegation")."""

    def entity(self, kind: str, entity_id: str) -> tuple[Venue | Person | Delegation, int]:
        """A venue, person or delegation (`kind`) of the draft and the version it is at."""
        table, from_row, _, _ = _ENTITIES[kind]
        with self.engine.connect() as connection:
            row = row_by_id(connection, table, entity_id)
        if row is None:
            raise NotFoundError(f"no {kind} {entity_id!r}")
        return from_row(row), row["version"]

    def entities(self, kind: str) -> dict[str, Venue | Person | Delegation]:
        """Every venue, person or delegation (`kind`) of the draft by id, in the plan's order."""
        table, from_row, _, _ = _ENTITIES[kind]
        with self.engine.connect() as connection:
            return {
                row["id"]: from_row(row) for row in connection.execute(sa.select(table).order_by(table.c.position)).mappings()
            }

    def update_entity(self, kind: str, entity_id: str, changes: dict, *, expected_version: int, user: str | None = None) -> int:
        """Change fields of a venue, person or delegation if it is still at `expected_version`;
        returns the new version. PlanError for invalid values, StaleEditError if it changed."""
        table, from_row, to_document, read = _ENTITIES[kind]
        if type(changes) is not dict:
            raise PlanError(kind, "expected an object of changed fields")
        if "id" in changes and changes["id"] != entity_id:
            raise PlanError("id", f"a {kind}'s id cannot be changed")
        user = user or current_user()
        with self._write() as connection:
            stub = id_stub(connection)
            clock = WallClock(zone_named(stub.timezone, "timezone"))
            row = row_by_id(connection, table, entity_id)
            if row is None:
                raise NotFoundError(f"no {kind} {entity_id!r}")
            if row["version"] != expected_version:
                raise stale_edit(kind, entity_id, row)
            old = from_row(row)
            before = to_document(old, clock)
            new = read({**before, **changes}, kind, stub, clock)
            _named(kind, new)
            now = now_micros()
            updated = connection.execute(
                table.update()
                .where(table.c.id == entity_id, table.c.version == expected_version)
                .values(**_VALUES[kind](new), version=expected_version + 1, updated_at=now, updated_by=user)
            )
            if updated.rowcount != 1:
                raise stale_edit(
                    kind, entity_id, connection.execute(sa.select(table).where(table.c.id == entity_id)).mappings().first()
                )
            write_audit(connection, now, user, "update", kind, entity_id, before, to_document(new, clock))
            return expected_version + 1

    def add_entity(self, kind: str, document: dict, *, user: str | None = None) -> Venue | Person | Delegation:
        """Add a venue, person or delegation (a plan-format object); PlanError if invalid or taken."""
        table, _, to_document, read = _ENTITIES[kind]
        user = user or current_user()
        with self._write() as connection:
            stub = id_stub(connection)
            clock = WallClock(zone_named(stub.timezone, "timezone"))
            identifier(document.get("id") if isinstance(document, dict) else None, f"{kind}.id")
            new = read(document, kind, stub, clock)
            _named(kind, new)
            if connection.execute(sa.select(table.c.id).where(table.c.id == new.id)).first():
                raise PlanError(f"{kind}.id", f"a {kind} {new.id!r} exists already")
            position = connection.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.position), -1))).scalar_one() + 1
            now = now_micros()
            connection.execute(
                table.insert().values(**_VALUES[kind](new), position=position, version=1, updated_at=now, updated_by=user)
            )
            write_audit(connection, now, user, "add", kind, new.id, None, to_document(new, clock))
            return new
