"""Editing the draft's events, one at a time or many in one transaction, without lost updates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from planner.errors import PlanError
from planner.plan.changes import needs_new_sequence, raised_sequence
from planner.plan.clock import WallClock, zone_named
from planner.plan.clock import from_micros as instant
from planner.plan.fields import storable
from planner.plan.model import Event, Plan
from planner.plan.reading import parse_event
from planner.plan.writing import event_document
from planner.storage.audit import write_audit
from planner.storage.database import Database, current_user, now_micros
from planner.storage.errors import NotFoundError, stale_edit
from planner.storage.rows import event_from_row, event_values, id_stub, insert_rows, replace_members, row_by_id
from planner.storage.schema import EVENT_DELEGATIONS, EVENT_PEOPLE, EVENTS


class EventStorage(Database):
    """The draft's events: read with the version they are at, changed only from that version."""

    def event(self, event_id: str) -> tuple[Event, int]:
        """An event of the draft and the version it is at (to pass back with an edit)."""
        with self.engine.connect() as connection:
            row = row_by_id(connection, EVENTS, event_id)
            if row is None:
                raise NotFoundError(f"no event {event_id!r}")
            return event_from_row(connection, row), row["version"]

    def event_versions(self, event_ids: list[str]) -> dict[str, int]:
        """The version each of these events is at (missing ids are left out)."""
        found: dict[str, int] = {}
        event_ids = [i for i in event_ids if isinstance(i, str) and storable(i)]
        with self.engine.connect() as connection:
            for start in range(0, len(event_ids), 500):
                chunk = event_ids[start : start + 500]
                found.update(
                    (row.id, row.version)
                    for row in connection.execute(sa.select(EVENTS.c.id, EVENTS.c.version).where(EVENTS.c.id.in_(chunk)))
                )
        return found

    def events_with_versions(self, event_ids: list[str]) -> dict[str, tuple[Event, int]]:
        """These events of the draft, each with the version it is at, from one read (missing
        ids are left out). A version always belongs to the values beside it: values taken from
        one read and versions from a later one pair an old title with a newer version, and the
        next save would overwrite someone's change unwarned."""
        event_ids = list(dict.fromkeys(i for i in event_ids if isinstance(i, str) and storable(i)))
        found: dict[str, tuple[Event, int]] = {}
        with self._consistent_read() as connection:
            for start in range(0, len(event_ids), 500):
                chunk = event_ids[start : start + 500]
                members: dict[str, dict[str, list[str]]] = {"delegations": {}, "people": {}}
                for key, table, column in (
                    ("delegations", EVENT_DELEGATIONS, "delegation_id"),
                    ("people", EVENT_PEOPLE, "person_id"),
                ):
                    query = (
                        sa.select(table.c.event_id, table.c[column])
                        .where(table.c.event_id.in_(chunk))
                        .order_by(table.c.event_id, table.c.position)
                    )
                    for event_id, member in connection.execute(query):
                        members[key].setdefault(event_id, []).append(member)
                for r in connection.execute(sa.select(EVENTS).where(EVENTS.c.id.in_(chunk))):
                    event = Event(
                        r.id,
                        r.title,
                        r.kind,
                        instant(r.start_us),
                        instant(r.end_us),
                        r.venue,
                        tuple(members["delegations"].get(r.id, ())),
                        tuple(members["people"].get(r.id, ())),
                        r.status,
                        r.public,
                        r.attendance,
                        r.notes,
                        r.sequence,
                        r.pinned,
                    )
                    found[r.id] = (event, r.version)
        return found

    def last_modified(self) -> dict[str, datetime]:
        """When each event of the draft was last changed (for calendars' LAST-MODIFIED)."""
        with self.engine.connect() as connection:
            return {r.id: instant(r.updated_at) for r in connection.execute(sa.select(EVENTS.c.id, EVENTS.c.updated_at))}

    def update_event(self, event_id: str, changes: dict, *, expected_version: int, user: str | None = None) -> int:
        """Change fields of one event (plan-format values, e.g. ``{"start": "2027-05-07T15:00"}``)
        if it is still at `expected_version`; returns the new version.

        Raises PlanError for invalid values and StaleEditError if someone changed the event
        since that version. `sequence` rises by one when time, venue or status change.
        """
        return self.edit_events(changed={event_id: (changes, expected_version)}, user=user)[event_id]

    def add_event(self, document: dict, *, user: str | None = None) -> Event:
        """Add one event (a plan-format object); PlanError if invalid or its id is taken."""
        return self.edit_events(added=[document], user=user)["added"][0]

    def delete_event(self, event_id: str, *, expected_version: int, user: str | None = None) -> None:
        """Remove an event from the draft (cancel it instead to tell subscribed calendars)."""
        self.edit_events(removed={event_id: expected_version}, user=user)

    def edit_events(
        self,
        added: Sequence[dict] = (),
        changed: dict[str, tuple[dict, int]] | None = None,
        removed: dict[str, int] | None = None,
        *,
        user: str | None = None,
        path: str = "event",
    ) -> dict:
        """Add, change and remove events in one transaction: all of it or nothing.

        `added` are plan-format objects (their errors name ``{path}[i]``), `changed` maps an
        event id to (changes, expected version), `removed` an event id to its expected version.
        Returns ``{"added": [Event, ...], id: new version, ...}``.
        """
        changed, removed = changed or {}, removed or {}
        user = user or current_user()
        result: dict = {"added": []}
        with self._write() as connection:
            stub = id_stub(connection)
            clock = WallClock(zone_named(stub.timezone, "timezone"))
            now = now_micros()
            for event_id, version in removed.items():
                _delete_event(connection, clock, event_id, version, user, now)
            for event_id, (changes, version) in changed.items():
                result[event_id] = _update_event(connection, stub, clock, event_id, changes, version, user, now)
            if added:
                position = connection.execute(sa.select(sa.func.coalesce(sa.func.max(EVENTS.c.position), -1))).scalar_one() + 1
                one = len(added) == 1 and path == "event"
                for i, document in enumerate(added):
                    where = path if one else f"{path}[{i}]"
                    event = parse_event(document, where, stub, clock)
                    if connection.execute(sa.select(EVENTS.c.id).where(EVENTS.c.id == event.id)).first():
                        raise PlanError(f"{where}.id", f"an event {event.id!r} exists already")
                    connection.execute(
                        EVENTS.insert().values(
                            id=event.id, position=position + i, **event_values(event), version=1, updated_at=now, updated_by=user
                        )
                    )
                    replace_members(connection, event)
                    write_audit(connection, now, user, "add", "event", event.id, None, event_document(event, clock))
                    result["added"].append(event)
        return result

    def replace_busy_time(self, person_id: str, busy: list[Event], *, user: str | None = None) -> int:
        """Replace a person's imported busy events (ids ``busy-PERSON-…``) with `busy`, in one
        transaction; returns how many were removed."""
        from planner.imports.busy_time import busy_id

        user = user or current_user()
        with self._write() as connection:
            stub = id_stub(connection)
            if person_id not in stub.people:
                raise NotFoundError(f"no person {person_id!r}")
            prefix = busy_id(person_id)
            old = (
                connection.execute(
                    sa.select(EVENTS.c.id).where(EVENTS.c.kind == "unavailable", EVENTS.c.id.startswith(prefix, autoescape=True))
                )
                .scalars()
                .all()
            )
            if old:
                connection.execute(EVENTS.delete().where(EVENTS.c.id.in_(old)))
            taken = set(connection.execute(sa.select(EVENTS.c.id).where(EVENTS.c.id.in_([e.id for e in busy]))).scalars())
            if taken:
                raise PlanError("", f"the plan already has an event {sorted(taken)[0]!r}")
            position = connection.execute(sa.select(sa.func.coalesce(sa.func.max(EVENTS.c.position), -1))).scalar_one() + 1
            now = now_micros()
            stamp = {"version": 1, "updated_at": now, "updated_by": user}
            insert_rows(
                connection,
                EVENTS,
                [{"id": e.id, "position": position + i, **event_values(e), **stamp} for i, e in enumerate(busy)],
            )
            insert_rows(connection, EVENT_PEOPLE, [{"event_id": e.id, "person_id": person_id, "position": 0} for e in busy])
            write_audit(
                connection, now, user, "import-busy", "person", person_id, {"busy_events": len(old)}, {"busy_events": len(busy)}
            )
            return len(old)


def _update_event(
    connection: Connection, stub: Plan, clock: WallClock, event_id: str, changes: dict, expected_version: int, user: str, now: int
) -> int:
    if type(changes) is not dict:
        raise PlanError("event", "expected an object of changed fields")
    if "id" in changes and changes["id"] != event_id:
        raise PlanError("id", "an event's id cannot be changed")
    row = row_by_id(connection, EVENTS, event_id)
    if row is None:
        raise NotFoundError(f"no event {event_id!r}")
    if row["version"] != expected_version:
        raise stale_edit("event", event_id, row)
    old = event_from_row(connection, row)
    raw = {**event_document(old, clock), **changes}
    raw.pop("sequence", None)
    new = parse_event(raw, "event", stub, clock)
    new = replace(new, sequence=raised_sequence(old) if needs_new_sequence(old, new) else old.sequence)
    updated = connection.execute(
        EVENTS.update()
        .where(EVENTS.c.id == event_id, EVENTS.c.version == expected_version)
        .values(**event_values(new), version=expected_version + 1, updated_at=now, updated_by=user)
    )
    if updated.rowcount != 1:
        current = connection.execute(sa.select(EVENTS).where(EVENTS.c.id == event_id)).mappings().first()
        raise stale_edit("event", event_id, current)
    replace_members(connection, new)
    write_audit(connection, now, user, "update", "event", event_id, event_document(old, clock), event_document(new, clock))
    return expected_version + 1


def _delete_event(connection: Connection, clock: WallClock, event_id: str, expected_version: int, user: str, now: int) -> None:
    row = row_by_id(connection, EVENTS, event_id)
    if row is None:
        raise NotFoundError(f"no event {event_id!r}")
    old = event_from_row(connection, row)
    deleted = connection.execute(EVENTS.delete().where(EVENTS.c.id == event_id, EVENTS.c.version == expected_version))
    if deleted.rowcount != 1:
        raise stale_edit("event", event_id, row)
    write_audit(connection, now, user, "delete", "event", event_id, event_document(old, clock), None)
