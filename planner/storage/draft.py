"""The draft plan as a whole: importing, reading and exporting it, and the sample a new database starts with."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from planner.errors import PlanError
from planner.plan.changes import needs_new_sequence, raised_sequence
from planner.plan.clock import from_micros as instant
from planner.plan.model import Event, Plan, Travel
from planner.plan.reading import parse_festival, parse_rules
from planner.plan.writing import plan_to_document
from planner.storage.audit import write_audit
from planner.storage.database import Database, current_user, now_micros, raise_revision
from planner.storage.rows import (
    delegation_from_row,
    delegation_values,
    event_values,
    insert_rows,
    person_from_row,
    person_values,
    venue_from_row,
    venue_values,
)
from planner.storage.schema import DELEGATIONS, EVENT_DELEGATIONS, EVENT_PEOPLE, EVENTS, PEOPLE, PLAN, TRAVEL, VENUES

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "dortbunt-2027.json"
# Children before parents, for deleting.
PLAN_TABLES = (EVENT_PEOPLE, EVENT_DELEGATIONS, EVENTS, DELEGATIONS, PEOPLE, TRAVEL, VENUES, PLAN)


def plan_summary(plan: Plan) -> dict:
    """What the audit log says about a whole plan: its name and how many of each thing it holds."""
    return {
        "name": plan.name,
        "venues": len(plan.venues),
        "people": len(plan.people),
        "delegations": len(plan.delegations),
        "events": len(plan.events),
    }


def read_plan(connection: Connection) -> Plan:
    """The draft as a `Plan` (PlanError if the database holds none)."""
    head = connection.execute(sa.select(PLAN)).mappings().first()
    if head is None:
        raise PlanError("", "the database holds no plan yet: import one with 'python -m planner db import PLAN.json'")
    plan = Plan(name=head["name"], timezone=head["timezone"])
    if head["festival"] is not None:
        plan.festival = parse_festival(head["festival"])
    plan.rules = parse_rules(head["rules"])
    for row in connection.execute(sa.select(VENUES).order_by(VENUES.c.position)).mappings():
        plan.venues[row["id"]] = venue_from_row(row)
    plan.travel = [
        Travel(r.source, r.target, r.minutes) for r in connection.execute(sa.select(TRAVEL).order_by(TRAVEL.c.position))
    ]
    for row in connection.execute(sa.select(PEOPLE).order_by(PEOPLE.c.position)).mappings():
        plan.people[row["id"]] = person_from_row(row)
    for row in connection.execute(sa.select(DELEGATIONS).order_by(DELEGATIONS.c.position)).mappings():
        plan.delegations[row["id"]] = delegation_from_row(row)
    members: dict[str, dict[str, list[str]]] = {"delegations": {}, "people": {}}
    for key, table, column in (("delegations", EVENT_DELEGATIONS, "delegation_id"), ("people", EVENT_PEOPLE, "person_id")):
        found = members[key]
        query = sa.select(table.c.event_id, table.c[column]).order_by(table.c.event_id, table.c.position)
        for event_id, member in connection.execute(query):
            found.setdefault(event_id, []).append(member)
    no_one: list[str] = []
    delegations_of, people_of = members["delegations"], members["people"]
    plan.events = [
        Event(
            r.id,
            r.title,
            r.kind,
            instant(r.start_us),
            instant(r.end_us),
            r.venue,
            tuple(delegations_of.get(r.id, no_one)),
            tuple(people_of.get(r.id, no_one)),
            r.status,
            r.public,
            r.attendance,
            r.notes,
            r.sequence,
            r.pinned,
        )
        for r in connection.execute(sa.select(EVENTS).order_by(EVENTS.c.position))
    ]
    return plan


def _raise_sequences(old: Plan, new: Plan) -> Plan:
    """`new` with a higher sequence wherever an event's time, venue or status differs from `old`."""
    before = {event.id: event for event in old.events}
    events = []
    for event in new.events:
        previous = before.get(event.id)
        if previous is not None and needs_new_sequence(previous, event) and event.sequence <= previous.sequence:
            event = replace(event, sequence=raised_sequence(previous))
        events.append(event)
    return replace(new, events=events)


def _insert_plan(connection: Connection, plan: Plan, user: str, now: int) -> None:
    document = plan_to_document(plan)  # festival and rules as the document spells them
    stamp = {"version": 1, "updated_at": now, "updated_by": user}
    connection.execute(
        PLAN.insert().values(
            id=1, name=plan.name, timezone=plan.timezone, festival=document.get("festival"), rules=document["rules"], **stamp
        )
    )
    insert_rows(connection, VENUES, [{**venue_values(v), "position": i, **stamp} for i, v in enumerate(plan.venues.values())])
    insert_rows(
        connection,
        TRAVEL,
        [{"position": i, "source": t.source, "target": t.target, "minutes": t.minutes} for i, t in enumerate(plan.travel)],
    )
    insert_rows(connection, PEOPLE, [{**person_values(p), "position": i, **stamp} for i, p in enumerate(plan.people.values())])
    insert_rows(
        connection,
        DELEGATIONS,
        [{**delegation_values(d), "position": i, **stamp} for i, d in enumerate(plan.delegations.values())],
    )
    insert_rows(connection, EVENTS, [{"id": e.id, "position": i, **event_values(e), **stamp} for i, e in enumerate(plan.events)])
    insert_rows(
        connection,
        EVENT_DELEGATIONS,
        [{"event_id": e.id, "delegation_id": d, "position": j} for e in plan.events for j, d in enumerate(e.delegations)],
    )
    insert_rows(
        connection,
        EVENT_PEOPLE,
        [{"event_id": e.id, "person_id": p, "position": j} for e in plan.events for j, p in enumerate(e.people)],
    )


def _fill_with_sample(connection: Connection) -> None:
    from planner.plan.reading import load_plan

    plan, now = load_plan(SAMPLE), now_micros()
    raise_revision(connection)
    _insert_plan(connection, plan, "setup", now)
    write_audit(connection, now, "setup", "import", "plan", "", None, plan_summary(plan))


class DraftStorage(Database):
    """The draft plan, imported and read as a whole."""

    def __init__(self, url: str | None = None, *, fill_new: bool = True):
        """Open (and create or upgrade) the database. A new database is filled with the sample
        plan unless `fill_new` is false or `PLANNER_START_EMPTY` is set."""
        super().__init__(url, fill=_fill_with_sample if fill_new and not os.environ.get("PLANNER_START_EMPTY") else None)

    def is_empty(self) -> bool:
        with self.engine.connect() as connection:
            return connection.execute(sa.select(sa.func.count()).select_from(PLAN)).scalar_one() == 0

    def import_plan(self, plan: Plan, *, replace_existing: bool = False, user: str | None = None) -> None:
        """Make `plan` the draft, all or nothing. Into a database that holds a plan only with
        `replace_existing`; then events whose time, venue or status changed get a higher
        `sequence` so that calendar clients replace their copies."""
        user = user or current_user()
        now = now_micros()
        with self._write() as connection:
            if connection.execute(sa.select(sa.func.count()).select_from(PLAN)).scalar_one():
                if not replace_existing:
                    raise PlanError("", "the database already holds a plan; use --replace to replace it")
                old = read_plan(connection)
                plan = _raise_sequences(old, plan)
                for table in PLAN_TABLES:
                    connection.execute(table.delete())
            else:
                old = None
            _insert_plan(connection, plan, user, now)
            write_audit(
                connection,
                now,
                user,
                "import" if old is None else "replace",
                "plan",
                "",
                plan_summary(old) if old else None,
                plan_summary(plan),
            )

    def load_plan(self) -> Plan:
        """The draft as a `Plan` (raises PlanError if the database holds none)."""
        with self.engine.connect() as connection:
            return read_plan(connection)

    def export_document(self) -> dict:
        """The draft as a `dortbunt-plan/1` document."""
        return plan_to_document(self.load_plan())
