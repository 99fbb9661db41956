"""The plan in a database: import and export, edits without lost updates, releases, audit log.

One `PlanStore` per database URL. SQLite (the default, a file in the user's data folder) and
PostgreSQL (psycopg 3) go through the same code. Every write is one transaction: an import
replaces the whole plan or nothing, an edit changes one row only if nobody changed it since
the editor read it.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from platformdirs import user_data_dir
from sqlalchemy.engine import Connection, Engine

from planner.plan.changes import Change, needs_new_sequence, plan_changes, raised_sequence
from planner.plan.clock import WallClock, micros, minutes_of_day, zone_named
from planner.plan.clock import from_micros as instant
from planner.errors import PlanError
from planner.plan.fields import identifier, storable
from planner.plan.reading import decode_json, parse_delegation, parse_event, parse_festival, parse_person, parse_plan, parse_rules, parse_venue
from planner.plan.writing import delegation_document, event_document, person_document, plan_to_document, venue_document
from planner.plan.model import Delegation, Event, Person, Plan, Travel, Venue, Window
from planner.storage.schema import (
    AuditRow,
    DelegationRow,
    EventDelegationRow,
    EventPersonRow,
    EventRow,
    FeedTokenRow,
    PersonRow,
    PlanRow,
    ReleaseRow,
    RevisionRow,
    SettingRow,
    TravelRow,
    UserRow,
    VenueRow,
)

UTC = timezone.utc
MIGRATIONS = Path(__file__).parent / "migrations"
SAMPLE = Path(__file__).resolve().parents[2] / "data" / "dortbunt-2027.json"

PLAN, VENUES, TRAVEL, PEOPLE, DELEGATIONS, EVENTS = (
    PlanRow.__table__, VenueRow.__table__, TravelRow.__table__, PersonRow.__table__,
    DelegationRow.__table__, EventRow.__table__,
)
EVENT_DELEGATIONS, EVENT_PEOPLE = EventDelegationRow.__table__, EventPersonRow.__table__
RELEASES, AUDIT, FEED_TOKENS = ReleaseRow.__table__, AuditRow.__table__, FeedTokenRow.__table__
USERS, REVISION, SETTINGS = UserRow.__table__, RevisionRow.__table__, SettingRow.__table__
# A hash of nothing in particular, checked against for unknown names so that timing tells
# nobody whether an account exists.
#: Kinds of secret link: calendar feeds, and guest pages (a delegation's programme).
LINK_KINDS = ("delegation", "person", "guest")
_DUMMY_HASH = "scrypt$16384$8$1$" + "00" * 16 + "$" + "00" * 64
# Children before parents, for deleting.
PLAN_TABLES = (EVENT_PEOPLE, EVENT_DELEGATIONS, EVENTS, DELEGATIONS, PEOPLE, TRAVEL, VENUES, PLAN)


class StaleEditError(Exception):
    """An edit based on a version that someone else has changed since."""


class NotFoundError(PlanError):
    """An id that is not in the database."""


def default_url() -> str:
    """`PLANNER_DB_URL`, else an SQLite file in the user's data folder."""
    url = os.environ.get("PLANNER_DB_URL")
    if url:
        return url
    folder = Path(user_data_dir("dortbunt-planner", appauthor=False))
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    _owner_only(folder)  # made under another umask, or by an older version
    return f"sqlite:///{folder / 'planner.db'}"


def _owner_only(path: Path) -> None:
    """Take group's and others' access to `path` away (the database and its backups hold phone
    numbers, notes and password hashes); a file the planner does not own keeps its mode."""
    try:
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            path.chmod(mode & 0o700)
    except (FileNotFoundError, PermissionError):  # gone, or someone else's file: theirs to mind
        pass


def _private_file(path: Path) -> None:
    """Create `path` empty and 0600 whatever the umask, so that nothing written into it is ever
    readable by others, not even while it is written; an existing file loses others' access."""
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.is_file():
            _owner_only(path)
        return
    except OSError:  # a folder the planner may not write to: SQLite or pg_dump will say so
        return
    try:
        os.fchmod(handle, 0o600)
    finally:
        os.close(handle)


def now_micros() -> int:
    return micros(datetime.now(UTC))


def current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (containers)
        return "unknown"


#: How long an SQLite writer waits for another writer's lock (milliseconds), and how many times
#: it then begins again, after a growing pause, before "database is locked" reaches the caller:
#: about half a minute in all, after which a person hears that the database is busy.
BUSY_TIMEOUT_MS = 10_000
LOCK_RETRIES = 2


def is_lock_error(error: BaseException) -> bool:
    """Whether a database error means SQLite was locked or busy (worth trying again)."""
    original = getattr(error, "orig", error)
    if not isinstance(original, sqlite3.OperationalError):
        return False
    code = getattr(original, "sqlite_errorcode", None)
    return (code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)) or \
        "locked" in str(original) or "busy" in str(original)


def make_engine(url: str) -> Engine:
    """An engine with the settings the planner relies on (SQLite: WAL, foreign keys, waiting
    for a lock and trying again instead of failing)."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("sqlite"):
        database = sa.engine.make_url(url).database
        if database and database != ":memory:" and not database.startswith("file:") and Path(database).parent.is_dir():
            # SQLite gives the -wal, -shm and -journal files it makes the mode of the database.
            _private_file(Path(database))
            for companion in ("-wal", "-shm", "-journal"):
                _owner_only(Path(database + companion))
        busy_ms = BUSY_TIMEOUT_MS
        engine = sa.create_engine(url, connect_args={"timeout": busy_ms / 1000})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(connection: sqlite3.Connection, _record: Any) -> None:
            # Let SQLAlchemy, not the driver, decide when transactions begin (BEGIN IMMEDIATE
            # below), so that concurrent writers queue up instead of deadlocking.
            connection.isolation_level = None
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @sa.event.listens_for(engine, "begin")
        def _begin(connection: Connection) -> None:
            # A write takes the lock at BEGIN IMMEDIATE (WAL: commits never wait), so this is the
            # one place a lock can still be refused after busy_timeout: nothing has been done
            # yet, and beginning again is safe.
            for attempt in range(LOCK_RETRIES + 1):
                try:
                    connection.exec_driver_sql("BEGIN IMMEDIATE")
                    return
                except sa.exc.OperationalError as error:
                    if attempt == LOCK_RETRIES or not is_lock_error(error):
                        raise
                    time.sleep(0.05 * 2 ** attempt)

        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def _alembic_config() -> Config:
    """Alembic's settings for the planner's migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, fill: Callable[[Connection], None] | None = None) -> bool:
    """Create or upgrade the schema to the newest migration; True if the database was new.

    A new database gets `fill` in the same transaction: a crash leaves it either not made at all
    or made and filled, never made but empty (which every later start would take as set up)."""
    config = _alembic_config()
    with engine.begin() as connection:
        fresh = MigrationContext.configure(connection).get_current_revision() is None
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        if fresh and fill is not None:
            fill(connection)
    return fresh


def _fill_with_sample(connection: Connection) -> None:
    from planner.plan.reading import load_plan

    plan, now = load_plan(SAMPLE), now_micros()
    connection.execute(REVISION.update().where(REVISION.c.id == 1).values(number=REVISION.c.number + 1))
    _insert_plan(connection, plan, "setup", now)
    _audit(connection, now, "setup", "import", "plan", "", None, _summary(plan))


@dataclass(frozen=True, slots=True)
class Release:
    number: int
    created_at: datetime
    created_by: str
    comment: str


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    user: str
    action: str
    entity: str
    entity_id: str
    before: dict | None
    after: dict | None


class PlanStore:
    """The plan's draft, its releases and its audit log in one database."""

    def __init__(self, url: str | None = None, *, fill_new: bool = True):
        """Open (and create or upgrade) the database. A new database is filled with the sample
        plan unless `fill_new` is false or `PLANNER_START_EMPTY` is set."""
        self.url = url or default_url()
        self.engine = make_engine(self.url)
        upgrade(self.engine, _fill_with_sample if fill_new and not os.environ.get("PLANNER_START_EMPTY") else None)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.begin() as connection:
            # First thing: raise the revision (and take its row lock), so that readers who
            # cache on it see every commit, in commit order.
            connection.execute(REVISION.update().where(REVISION.c.id == 1).values(number=REVISION.c.number + 1))
            yield connection

    # -- the draft --------------------------------------------------------------------------

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
                old = self._read_plan(connection)
                plan = _raise_sequences(old, plan)
                for table in PLAN_TABLES:
                    connection.execute(table.delete())
            else:
                old = None
            _insert_plan(connection, plan, user, now)
            _audit(connection, now, user, "import" if old is None else "replace", "plan", "",
                   _summary(old) if old else None, _summary(plan))

    def load_plan(self) -> Plan:
        """The draft as a `Plan` (raises PlanError if the database holds none)."""
        with self.engine.connect() as connection:
            return self._read_plan(connection)

    def _read_plan(self, connection: Connection) -> Plan:
        head = connection.execute(sa.select(PLAN)).mappings().first()
        if head is None:
            raise PlanError("", "the database holds no plan yet: import one with 'python -m planner db import PLAN.json'")
        plan = Plan(name=head["name"], timezone=head["timezone"])
        if head["festival"] is not None:
            plan.festival = parse_festival(head["festival"])
        plan.rules = parse_rules(head["rules"])
        for row in connection.execute(sa.select(VENUES).order_by(VENUES.c.position)).mappings():
            plan.venues[row["id"]] = _venue_from(row)
        plan.travel = [Travel(r.source, r.target, r.minutes)
                       for r in connection.execute(sa.select(TRAVEL).order_by(TRAVEL.c.position))]
        for row in connection.execute(sa.select(PEOPLE).order_by(PEOPLE.c.position)).mappings():
            plan.people[row["id"]] = _person_from(row)
        for row in connection.execute(sa.select(DELEGATIONS).order_by(DELEGATIONS.c.position)).mappings():
            plan.delegations[row["id"]] = _delegation_from(row)
        members: dict[str, dict[str, list[str]]] = {"delegations": {}, "people": {}}
        for key, table, column in (("delegations", EVENT_DELEGATIONS, "delegation_id"),
                                   ("people", EVENT_PEOPLE, "person_id")):
            found = members[key]
            query = sa.select(table.c.event_id, table.c[column]).order_by(table.c.event_id, table.c.position)
            for event_id, member in connection.execute(query):
                found.setdefault(event_id, []).append(member)
        no_one: list[str] = []
        delegations_of, people_of = members["delegations"], members["people"]
        plan.events = [
            Event(r.id, r.title, r.kind, instant(r.start_us), instant(r.end_us), r.venue,
                  tuple(delegations_of.get(r.id, no_one)), tuple(people_of.get(r.id, no_one)),
                  r.status, r.public, r.attendance, r.notes, r.sequence, r.pinned)
            for r in connection.execute(sa.select(EVENTS).order_by(EVENTS.c.position))
        ]
        return plan

    def export_document(self) -> dict:
        """The draft as a `dortbunt-plan/1` document."""
        return plan_to_document(self.load_plan())

    # -- editing one event ------------------------------------------------------------------

    def event(self, event_id: str) -> tuple[Event, int]:
        """An event of the draft and the version it is at (to pass back with an edit)."""
        with self.engine.connect() as connection:
            row = _row(connection, EVENTS, event_id)
            if row is None:
                raise NotFoundError("", f"no event {event_id!r}")
            return self._event_from(connection, row), row["version"]

    def event_versions(self, event_ids: list[str]) -> dict[str, int]:
        """The version each of these events is at (missing ids are left out)."""
        found: dict[str, int] = {}
        event_ids = [i for i in event_ids if isinstance(i, str) and storable(i)]
        with self.engine.connect() as connection:
            for start in range(0, len(event_ids), 500):
                chunk = event_ids[start:start + 500]
                found.update((row.id, row.version) for row in connection.execute(
                    sa.select(EVENTS.c.id, EVENTS.c.version).where(EVENTS.c.id.in_(chunk))))
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
                chunk = event_ids[start:start + 500]
                members: dict[str, dict[str, list[str]]] = {"delegations": {}, "people": {}}
                for key, table, column in (("delegations", EVENT_DELEGATIONS, "delegation_id"),
                                           ("people", EVENT_PEOPLE, "person_id")):
                    query = (sa.select(table.c.event_id, table.c[column]).where(table.c.event_id.in_(chunk))
                             .order_by(table.c.event_id, table.c.position))
                    for event_id, member in connection.execute(query):
                        members[key].setdefault(event_id, []).append(member)
                for r in connection.execute(sa.select(EVENTS).where(EVENTS.c.id.in_(chunk))):
                    event = Event(r.id, r.title, r.kind, instant(r.start_us), instant(r.end_us), r.venue,
                                  tuple(members["delegations"].get(r.id, ())), tuple(members["people"].get(r.id, ())),
                                  r.status, r.public, r.attendance, r.notes, r.sequence, r.pinned)
                    found[r.id] = (event, r.version)
        return found

    @contextmanager
    def _consistent_read(self) -> Iterator[Connection]:
        """A connection whose reads all see one state of the database: on SQLite its one
        transaction does; PostgreSQL's default (READ COMMITTED) lets each statement see later
        commits, REPEATABLE READ does not."""
        with self.engine.connect() as connection:
            if self.engine.dialect.name == "postgresql":
                connection.execution_options(isolation_level="REPEATABLE READ")
            yield connection

    def _ids(self, connection: Connection) -> Plan:
        """A plan holding only the ids of venues, people and delegations (for validation)."""
        head = connection.execute(sa.select(PLAN.c.timezone)).first()
        if head is None:
            raise PlanError("", "the database holds no plan yet")
        stub = Plan(timezone=head.timezone)
        stub.venues = dict.fromkeys(connection.execute(sa.select(VENUES.c.id)).scalars())  # type: ignore[arg-type]
        stub.people = dict.fromkeys(connection.execute(sa.select(PEOPLE.c.id)).scalars())  # type: ignore[arg-type]
        stub.delegations = dict.fromkeys(connection.execute(sa.select(DELEGATIONS.c.id)).scalars())  # type: ignore[arg-type]
        return stub

    def _event_from(self, connection: Connection, row: Any) -> Event:
        delegations = connection.execute(
            sa.select(EVENT_DELEGATIONS.c.delegation_id).where(EVENT_DELEGATIONS.c.event_id == row["id"])
            .order_by(EVENT_DELEGATIONS.c.position)).scalars().all()
        people = connection.execute(
            sa.select(EVENT_PEOPLE.c.person_id).where(EVENT_PEOPLE.c.event_id == row["id"])
            .order_by(EVENT_PEOPLE.c.position)).scalars().all()
        return Event(row["id"], row["title"], row["kind"], instant(row["start_us"]), instant(row["end_us"]),
                     row["venue"], tuple(delegations), tuple(people), row["status"], row["public"],
                     row["attendance"], row["notes"], row["sequence"], row["pinned"])

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

    def edit_events(self, added: list[dict] = (), changed: dict[str, tuple[dict, int]] | None = None,
                    removed: dict[str, int] | None = None, *, user: str | None = None,
                    path: str = "event") -> dict:
        """Add, change and remove events in one transaction: all of it or nothing.

        `added` are plan-format objects (their errors name ``{path}[i]``), `changed` maps an
        event id to (changes, expected version), `removed` an event id to its expected version.
        Returns ``{"added": [Event, ...], id: new version, ...}``.
        """
        changed, removed = changed or {}, removed or {}
        user = user or current_user()
        result: dict = {"added": []}
        with self._write() as connection:
            stub = self._ids(connection)
            clock = WallClock(zone_named(stub.timezone, "timezone"))
            now = now_micros()
            for event_id, version in removed.items():
                self._delete_event(connection, clock, event_id, version, user, now)
            for event_id, (changes, version) in changed.items():
                result[event_id] = self._update_event(connection, stub, clock, event_id, changes, version, user, now)
            if added:
                position = connection.execute(
                    sa.select(sa.func.coalesce(sa.func.max(EVENTS.c.position), -1))).scalar_one() + 1
                one = len(added) == 1 and path == "event"
                for i, document in enumerate(added):
                    where = path if one else f"{path}[{i}]"
                    event = parse_event(document, where, stub, clock)
                    if connection.execute(sa.select(EVENTS.c.id).where(EVENTS.c.id == event.id)).first():
                        raise PlanError(f"{where}.id", f"an event {event.id!r} exists already")
                    connection.execute(EVENTS.insert().values(
                        id=event.id, position=position + i, **_event_values(event), version=1, updated_at=now,
                        updated_by=user))
                    _replace_members(connection, event)
                    _audit(connection, now, user, "add", "event", event.id, None, event_document(event, clock))
                    result["added"].append(event)
        return result

    def _update_event(self, connection: Connection, stub: Plan, clock: WallClock, event_id: str, changes: dict,
                      expected_version: int, user: str, now: int) -> int:
        if type(changes) is not dict:
            raise PlanError("event", "expected an object of changed fields")
        if "id" in changes and changes["id"] != event_id:
            raise PlanError("id", "an event's id cannot be changed")
        row = _row(connection, EVENTS, event_id)
        if row is None:
            raise NotFoundError("", f"no event {event_id!r}")
        if row["version"] != expected_version:
            raise _stale("event", event_id, row)
        old = self._event_from(connection, row)
        raw = {**event_document(old, clock), **changes}
        raw.pop("sequence", None)
        new = parse_event(raw, "event", stub, clock)
        new = replace(new, sequence=raised_sequence(old) if needs_new_sequence(old, new) else old.sequence)
        updated = connection.execute(
            EVENTS.update()
            .where(EVENTS.c.id == event_id, EVENTS.c.version == expected_version)
            .values(**_event_values(new), version=expected_version + 1, updated_at=now, updated_by=user)
        )
        if updated.rowcount != 1:
            current = connection.execute(sa.select(EVENTS).where(EVENTS.c.id == event_id)).mappings().first()
            raise _stale("event", event_id, current)
        _replace_members(connection, new)
        _audit(connection, now, user, "update", "event", event_id, event_document(old, clock), event_document(new, clock))
        return expected_version + 1

    def _delete_event(self, connection: Connection, clock: WallClock, event_id: str, expected_version: int,
                      user: str, now: int) -> None:
        row = _row(connection, EVENTS, event_id)
        if row is None:
            raise NotFoundError("", f"no event {event_id!r}")
        old = self._event_from(connection, row)
        deleted = connection.execute(EVENTS.delete().where(EVENTS.c.id == event_id, EVENTS.c.version == expected_version))
        if deleted.rowcount != 1:
            raise _stale("event", event_id, row)
        _audit(connection, now, user, "delete", "event", event_id, event_document(old, clock), None)

    def replace_busy_time(self, person_id: str, busy: list[Event], *, user: str | None = None) -> int:
        """Replace a person's imported busy events (ids ``busy-PERSON-…``) with `busy`, in one
        transaction; returns how many were removed."""
        from planner.imports.busy_time import busy_id

        user = user or current_user()
        with self._write() as connection:
            stub = self._ids(connection)
            if person_id not in stub.people:
                raise NotFoundError("", f"no person {person_id!r}")
            prefix = busy_id(person_id)
            old = connection.execute(sa.select(EVENTS.c.id).where(
                EVENTS.c.kind == "unavailable", EVENTS.c.id.startswith(prefix, autoescape=True))).scalars().all()
            if old:
                connection.execute(EVENTS.delete().where(EVENTS.c.id.in_(old)))
            taken = set(connection.execute(sa.select(EVENTS.c.id).where(EVENTS.c.id.in_([e.id for e in busy]))).scalars())
            if taken:
                raise PlanError("", f"the plan already has an event {sorted(taken)[0]!r}")
            position = connection.execute(sa.select(sa.func.coalesce(sa.func.max(EVENTS.c.position), -1))).scalar_one() + 1
            now = now_micros()
            stamp = {"version": 1, "updated_at": now, "updated_by": user}
            _insert(connection, EVENTS, [{"id": e.id, "position": position + i, **_event_values(e), **stamp}
                                         for i, e in enumerate(busy)])
            _insert(connection, EVENT_PEOPLE, [{"event_id": e.id, "person_id": person_id, "position": 0} for e in busy])
            _audit(connection, now, user, "import-busy", "person", person_id, {"busy_events": len(old)},
                   {"busy_events": len(busy)})
            return len(old)

    # -- editing venues, people and delegations ---------------------------------------------

    def entity(self, kind: str, entity_id: str) -> tuple[Venue | Person | Delegation, int]:
        """A venue, person or delegation (`kind`) of the draft and the version it is at."""
        table, from_row, _, _ = _ENTITIES[kind]
        with self.engine.connect() as connection:
            row = _row(connection, table, entity_id)
        if row is None:
            raise NotFoundError("", f"no {kind} {entity_id!r}")
        return from_row(row), row["version"]

    def entities(self, kind: str) -> dict[str, Venue | Person | Delegation]:
        """Every venue, person or delegation (`kind`) of the draft by id, in the plan's order."""
        table, from_row, _, _ = _ENTITIES[kind]
        with self.engine.connect() as connection:
            return {row["id"]: from_row(row)
                    for row in connection.execute(sa.select(table).order_by(table.c.position)).mappings()}

    def update_entity(self, kind: str, entity_id: str, changes: dict, *, expected_version: int,
                      user: str | None = None) -> int:
        """Change fields of a venue, person or delegation if it is still at `expected_version`;
        returns the new version. PlanError for invalid values, StaleEditError if it changed."""
        table, from_row, to_document, read = _ENTITIES[kind]
        if type(changes) is not dict:
            raise PlanError(kind, "expected an object of changed fields")
        if "id" in changes and changes["id"] != entity_id:
            raise PlanError("id", f"a {kind}'s id cannot be changed")
        user = user or current_user()
        with self._write() as connection:
            stub = self._ids(connection)
            clock = WallClock(zone_named(stub.timezone, "timezone"))
            row = _row(connection, table, entity_id)
            if row is None:
                raise NotFoundError("", f"no {kind} {entity_id!r}")
            if row["version"] != expected_version:
                raise _stale(kind, entity_id, row)
            old = from_row(row)
            before = to_document(old, clock)
            new = read({**before, **changes}, kind, stub, clock)
            _named(kind, new)
            now = now_micros()
            updated = connection.execute(
                table.update().where(table.c.id == entity_id, table.c.version == expected_version)
                .values(**_VALUES[kind](new), version=expected_version + 1, updated_at=now, updated_by=user))
            if updated.rowcount != 1:
                raise _stale(kind, entity_id, connection.execute(
                    sa.select(table).where(table.c.id == entity_id)).mappings().first())
            _audit(connection, now, user, "update", kind, entity_id, before, to_document(new, clock))
            return expected_version + 1

    def add_entity(self, kind: str, document: dict, *, user: str | None = None) -> Venue | Person | Delegation:
        """Add a venue, person or delegation (a plan-format object); PlanError if invalid or taken."""
        table, _, to_document, read = _ENTITIES[kind]
        user = user or current_user()
        with self._write() as connection:
            stub = self._ids(connection)
            clock = WallClock(zone_named(stub.timezone, "timezone"))
            identifier(document.get("id") if isinstance(document, dict) else None, f"{kind}.id")
            new = read(document, kind, stub, clock)
            _named(kind, new)
            if connection.execute(sa.select(table.c.id).where(table.c.id == new.id)).first():
                raise PlanError(f"{kind}.id", f"a {kind} {new.id!r} exists already")
            position = connection.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.position), -1))).scalar_one() + 1
            now = now_micros()
            connection.execute(table.insert().values(**_VALUES[kind](new), position=position, version=1,
                                                     updated_at=now, updated_by=user))
            _audit(connection, now, user, "add", kind, new.id, None, to_document(new, clock))
            return new

    # -- settings ---------------------------------------------------------------------------

    def setting(self, name: str) -> tuple[Any, int]:
        """A setting's value (None if it was never set) and its version (0 before the first change)."""
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(SETTINGS).where(SETTINGS.c.name == name)).mappings().first()
        return (None, 0) if row is None else (row["value"], row["version"])

    def set_setting(self, name: str, value: Any, *, expected_version: int, user: str | None = None) -> int:
        """Set a setting (a JSON value) if it is still at `expected_version` (0: never set);
        returns the new version. StaleEditError if someone changed it since; audited."""
        user = user or current_user()
        with self._write() as connection:
            row = connection.execute(sa.select(SETTINGS).where(SETTINGS.c.name == name)).mappings().first()
            if (row["version"] if row else 0) != expected_version:
                raise _stale("setting", name, row)
            now = now_micros()
            stamp = {"value": value, "version": expected_version + 1, "updated_at": now, "updated_by": user}
            if row is None:
                connection.execute(SETTINGS.insert().values(name=name, **stamp))
            elif connection.execute(SETTINGS.update().where(SETTINGS.c.name == name,
                                                             SETTINGS.c.version == expected_version)
                                    .values(**stamp)).rowcount != 1:
                raise _stale("setting", name, connection.execute(
                    sa.select(SETTINGS).where(SETTINGS.c.name == name)).mappings().first())
            _audit(connection, now, user, "update", "setting", name, None if row is None else {"value": row["value"]},
                   {"value": value})
            return expected_version + 1

    def revision(self) -> int:
        """How many write transactions the database has committed: it changes with every change
        (a reset included) and grows in commit order. The app keys its caches on it."""
        with self.engine.connect() as connection:
            return connection.execute(sa.select(REVISION.c.number).where(REVISION.c.id == 1)).scalar_one()

    def last_modified(self) -> dict[str, datetime]:
        """When each event of the draft was last changed (for calendars' LAST-MODIFIED)."""
        with self.engine.connect() as connection:
            return {r.id: instant(r.updated_at) for r in connection.execute(sa.select(EVENTS.c.id, EVENTS.c.updated_at))}

    # -- releases ---------------------------------------------------------------------------

    def publish(self, comment: str = "", *, user: str | None = None) -> int:
        """Freeze the draft as the next numbered release; returns its number."""
        user = user or current_user()
        with self._write() as connection:
            plan = self._read_plan(connection)
            number = connection.execute(sa.select(sa.func.coalesce(sa.func.max(RELEASES.c.number), 0))).scalar_one() + 1
            now = now_micros()
            document = plan_to_document(plan)
            parse_plan(document)  # a release must read back; PlanError names what is wrong
            connection.execute(RELEASES.insert().values(
                number=number, created_at=now, created_by=user, comment=comment,
                document=json.dumps(document, ensure_ascii=False)))
            _audit(connection, now, user, "publish", "release", str(number), None,
                   {"number": number, "comment": comment, **_summary(plan)})
            return number

    def releases(self) -> list[Release]:
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(RELEASES.c.number, RELEASES.c.created_at, RELEASES.c.created_by,
                                                RELEASES.c.comment).order_by(RELEASES.c.number))
            return [Release(r.number, instant(r.created_at), r.created_by, r.comment) for r in rows]

    def release_plan(self, number: int | None = None) -> Plan:
        """A release as a `Plan` (the latest if `number` is None): what guests see."""
        with self.engine.connect() as connection:
            query = sa.select(RELEASES.c.number, RELEASES.c.document)
            query = query.where(RELEASES.c.number == number) if number is not None else \
                query.order_by(RELEASES.c.number.desc()).limit(1)
            row = connection.execute(query).first()
        if row is None:
            raise NotFoundError("", "nothing has been published yet" if number is None else f"there is no release {number}")
        return parse_plan(decode_json(row.document.encode("utf-8"), f"release {row.number}"))

    def changes(self, since: int | None = None, until: int | str | None = None) -> list[Change]:
        """Changes from release `since` to release `until`.

        Defaults: `until` the latest release, `since` the one before it (so a first release
        lists everything as new). `until="draft"` compares with the unpublished draft.
        """
        numbers = [release.number for release in self.releases()]
        if until == "draft":
            new = self.load_plan()
            latest = numbers[-1] if numbers else 0
        else:
            if not numbers:
                raise NotFoundError("", "nothing has been published yet")
            latest = numbers[-1] if until is None else int(until)
            new = self.release_plan(latest)
        if since is None:
            since = max((n for n in numbers if n < latest), default=0) if until != "draft" else latest
        old = self.release_plan(since) if since else Plan(timezone=new.timezone)
        return plan_changes(old, new)

    # -- secret calendar links --------------------------------------------------------------

    def create_feed_token(self, kind: str, target: str, *, expires: datetime | None = None,
                          user: str | None = None) -> tuple[int, str]:
        """A new secret link: (its number, the token). `kind` is "delegation" or "person" for a
        calendar feed, "guest" for a delegation's guest page (which also serves its feed).
        The token is shown once; the database keeps only its hash. After `expires` it stops working."""
        if kind not in LINK_KINDS:
            raise PlanError("", f"secret links are for {', '.join(LINK_KINDS)}, not {kind!r}")
        if expires is not None and (expires.tzinfo is None or expires <= datetime.now(UTC)):
            raise PlanError("expires", "must be a time in the future, with its time zone")
        user = user or current_user()
        token = secrets.token_urlsafe(32)
        with self._write() as connection:
            table = PEOPLE if kind == "person" else DELEGATIONS
            if connection.execute(sa.select(table.c.id).where(table.c.id == target)).first() is None:
                raise NotFoundError("", f"no {'person' if kind == 'person' else 'delegation'} {target!r}")
            now = now_micros()
            number = connection.execute(FEED_TOKENS.insert().values(
                kind=kind, target=target, token_hash=_token_hash(token), created_at=now, created_by=user,
                expires_at=None if expires is None else micros(expires),
            )).inserted_primary_key[0]
            _audit(connection, now, user, "create", "feed", str(number), None,
                   {"kind": kind, "target": target, "expires": None if expires is None else expires.isoformat()})
        return number, token

    def feed_for_token(self, token: str) -> tuple[str, str] | None:
        """(kind, target) of a live token, None for an unknown, revoked or expired one."""
        return self.look_up_token(token)[0]

    def look_up_token(self, token: str) -> tuple[tuple[str, str] | None, bool]:
        """((kind, target) of a live token or None, whether the token was ever issued: live,
        revoked or expired). One query, by the token's hash."""
        if not isinstance(token, str) or not 20 <= len(token) <= 100:
            return None, False
        digest = _token_hash(token)
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(FEED_TOKENS).where(FEED_TOKENS.c.token_hash == digest)).first()
        if row is None or not hmac.compare_digest(row.token_hash, digest):
            return None, False
        if row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now_micros()):
            return None, True
        return (row.kind, row.target), True

    def revoke_feed_token(self, number: int, *, user: str | None = None) -> None:
        """Revoke a secret link: its URL answers 404 from now on."""
        user = user or current_user()
        with self._write() as connection:
            now = now_micros()
            done = connection.execute(FEED_TOKENS.update().where(FEED_TOKENS.c.id == number, FEED_TOKENS.c.revoked_at.is_(None))
                                      .values(revoked_at=now))
            if done.rowcount != 1:
                raise NotFoundError("", f"no live feed link number {number}")
            _audit(connection, now, user, "revoke", "feed", str(number), None, None)

    def feed_tokens(self) -> list[dict]:
        """Every secret link (without tokens): number, kind, target, created, revoked."""
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(FEED_TOKENS).order_by(FEED_TOKENS.c.id))
            return [{"number": r.id, "kind": r.kind, "target": r.target, "created_at": instant(r.created_at),
                     "created_by": r.created_by, "revoked_at": None if r.revoked_at is None else instant(r.revoked_at),
                     "expires_at": None if r.expires_at is None else instant(r.expires_at)}
                    for r in rows]

    # -- accounts ---------------------------------------------------------------------------

    def add_user(self, name: str, role: str, password: str, *, user: str | None = None) -> None:
        """A new local account (PlanError if the name is taken or the password too short)."""
        from planner.sharing.accounts import check_name, check_role, hash_password

        check_name(name)
        check_role(role)
        digest = hash_password(password)
        with self._write() as connection:
            if connection.execute(sa.select(USERS.c.name).where(USERS.c.name == name)).first():
                raise PlanError("name", f"an account {name!r} exists already")
            now = now_micros()
            connection.execute(USERS.insert().values(name=name, role=role, password_hash=digest, created_at=now,
                                                     failed_logins=0))
            _audit(connection, now, user or current_user(), "add", "user", name, None, {"role": role})

    def update_user(self, name: str, *, role: str | None = None, password: str | None = None,
                    user: str | None = None) -> None:
        """Give an account another role and/or a new password (which also lifts a lock-out)."""
        from planner.sharing.accounts import check_role, hash_password

        values: dict = {}
        if role is not None:
            values["role"] = check_role(role)
        if password is not None:
            values.update(password_hash=hash_password(password), failed_logins=0, locked_until=None)
        if not values:
            raise PlanError("", "nothing to change: give a role or a password")
        with self._write() as connection:
            old = connection.execute(sa.select(USERS.c.role).where(USERS.c.name == name)).first()
            if old is None:
                raise NotFoundError("", f"no account {name!r}")
            if role is not None and role != "admin" and old.role == "admin" and connection.execute(
                    sa.select(sa.func.count()).select_from(USERS).where(USERS.c.role == "admin")).scalar_one() == 1:
                raise PlanError("role", "this is the last admin account: make another admin first")
            connection.execute(USERS.update().where(USERS.c.name == name).values(**values))
            _audit(connection, now_micros(), user or current_user(), "update", "user", name, {"role": old.role},
                   {"role": values.get("role", old.role), **({"password": "changed"} if password is not None else {})})

    def remove_user(self, name: str, *, user: str | None = None) -> None:
        with self._write() as connection:
            if connection.execute(USERS.delete().where(USERS.c.name == name)).rowcount != 1:
                raise NotFoundError("", f"no account {name!r}")
            _audit(connection, now_micros(), user or current_user(), "remove", "user", name, None, None)

    def users(self) -> list[tuple[str, str]]:
        """(name, role) of every account."""
        with self.engine.connect() as connection:
            return [(r.name, r.role) for r in connection.execute(sa.select(USERS.c.name, USERS.c.role).order_by(USERS.c.name))]

    def authenticate(self, name: str, password: str) -> str | None:
        """The account's role if the password is right, else None. After five wrong passwords
        in a row an account is locked for a minute, doubling with each further failure."""
        from planner.sharing.accounts import password_matches

        with self._write() as connection:
            row = connection.execute(sa.select(USERS).where(USERS.c.name == name)).first() \
                if isinstance(name, str) and storable(name) else None
            now = now_micros()
            if row is None:
                password_matches(password, _DUMMY_HASH)  # same work as for a real account
                return None
            if row.locked_until is not None and row.locked_until > now:
                password_matches(password, row.password_hash)  # the same work: timing tells nothing
                return None
            if password_matches(password, row.password_hash):
                connection.execute(USERS.update().where(USERS.c.name == name).values(failed_logins=0, locked_until=None))
                return row.role
            failures = row.failed_logins + 1
            lock = now + 60_000_000 * 2 ** (failures - 5) if failures >= 5 else None
            connection.execute(USERS.update().where(USERS.c.name == name).values(failed_logins=failures, locked_until=lock))
            return None

    # -- audit and backup -------------------------------------------------------------------

    def audit(self, entity: str | None = None, entity_id: str | None = None, limit: int | None = None) -> list[AuditEntry]:
        """The audit log, newest first."""
        query = sa.select(AUDIT).order_by(AUDIT.c.id.desc())
        if entity is not None:
            query = query.where(AUDIT.c.entity == entity)
        if entity_id is not None:
            query = query.where(AUDIT.c.entity_id == entity_id)
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as connection:
            return [AuditEntry(instant(r["at_us"]), r["actor"], r["action"], r["entity"], r["entity_id"],
                               r["before"], r["after"]) for r in connection.execute(query).mappings()]

    def count_audit(self, user: str, action: str, entity: str, since: datetime) -> int:
        """How many audit entries of `action` on `entity` `user` made since `since`."""
        query = sa.select(sa.func.count()).select_from(AUDIT).where(
            AUDIT.c.actor == user, AUDIT.c.action == action, AUDIT.c.entity == entity, AUDIT.c.at_us >= micros(since))
        with self.engine.connect() as connection:
            return connection.execute(query).scalar_one()

    def backup(self, target: str | os.PathLike) -> None:
        """A consistent copy of the whole database, taken while others keep working.

        SQLite: the online backup API writes a new database file. PostgreSQL: `pg_dump`
        (custom format, restore with `pg_restore`).
        """
        target = Path(target)
        if target.is_dir():
            raise PlanError("", f"{target} is a folder; give the backup a file name")
        if not target.parent.is_dir():
            raise PlanError("", f"{target.parent}: no such folder")
        database = self.engine.url.database if self.engine.dialect.name == "sqlite" else None
        if database and target.exists() and target.resolve() == Path(database).resolve():
            raise PlanError("", f"{target} is the database itself; choose another file")
        # Written next to the target and renamed at the end, so that a crash never leaves a
        # half-written file under the backup's name (nor destroys the previous backup there).
        partial = target.with_name(target.name + ".partial")
        for leftover in (partial, *(partial.with_name(partial.name + end) for end in ("-journal", "-wal", "-shm"))):
            leftover.unlink(missing_ok=True)  # of a backup that crashed
        _private_file(partial)  # pg_dump and SQLite write into it and keep its mode
        if self.engine.dialect.name == "sqlite":
            raw = self.engine.raw_connection()
            try:
                copy = sqlite3.connect(partial)
                try:
                    raw.driver_connection.backup(copy)  # type: ignore[union-attr]
                finally:
                    copy.close()
            finally:
                raw.close()
        else:
            try:
                _run_pg_tool(["pg_dump", "--format=custom", "--file", str(partial), self._pg_url()],
                             password=self.engine.url.password)
            except PlanError:
                partial.unlink(missing_ok=True)
                raise
            with open(partial, "rb+") as written:
                os.fsync(written.fileno())
        os.replace(partial, target)
        _sync_folder(target.parent)

    def check_backup(self, source: str | os.PathLike) -> dict:
        """Check that `source` is a sound backup made by `backup` that this database can take,
        without changing anything; returns what it holds: ``{"schema": version}`` and, from an
        SQLite backup, the plan's summary and ``"releases"``. PlanError says what is wrong."""
        source = self._backup_file(source)
        if self.engine.dialect.name != "sqlite":
            return _checked_pg_dump(source)
        with tempfile.TemporaryDirectory(prefix="planner-restore-") as folder:
            copy, summary = _checked_sqlite_copy(source, Path(folder) / "restore.db")
            copy.close()
        return summary

    def restore(self, source: str | os.PathLike, *, user: str | None = None) -> dict:
        """Replace the whole database (draft, releases, audit log, accounts, links) with a backup
        made by `backup`, all or nothing; returns what `check_backup` returns.

        The backup is checked first: a bad file raises PlanError and changes nothing. SQLite: a
        checked copy goes into the database through the online backup API in one transaction,
        so other connections (a running app) see the old database or the restored one, never a
        mix. PostgreSQL: `pg_restore --clean --single-transaction`. Afterwards the revision is
        above any the database had before (the app's caches are keyed on it), and the audit
        log has a "restore" entry.
        """
        user = user or current_user()
        source = self._backup_file(source)
        before = self.revision()
        try:
            replaced = None if self.is_empty() else _summary(self.load_plan())
        except PlanError:  # a plan that no longer reads is what a restore is for
            replaced = None
        if self.engine.dialect.name != "sqlite":
            summary = _checked_pg_dump(source)
            _run_pg_tool(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                          "--dbname", self._pg_url(), str(source)], password=self.engine.url.password)
            self.engine.dispose()  # no pooled connection keeps state of the dropped tables
            upgrade(self.engine)  # a backup of an older schema
            summary = {**summary, **({} if self.is_empty() else _summary(self.load_plan())),
                       "releases": len(self.releases())}
            self._after_restore(before, user, source, replaced, summary)
            return summary
        with tempfile.TemporaryDirectory(prefix="planner-restore-") as folder:
            copy, summary = _checked_sqlite_copy(source, Path(folder) / "restore.db")
            try:
                # The restore's own entry travels inside the copy: restored and logged together.
                copy._after_restore(before, user, source, replaced, summary)
                reader, writer = copy.engine.raw_connection(), self.engine.raw_connection()
                try:
                    reader.driver_connection.backup(writer.driver_connection)  # type: ignore[union-attr]
                except sqlite3.Error as error:
                    raise PlanError("", f"cannot restore into {self.engine.url.database}: {error}") from None
                finally:
                    reader.close()
                    writer.close()
            finally:
                copy.close()
        with self._write():
            pass  # one more revision, past a write that another connection may have made meanwhile
        return summary

    def _after_restore(self, before: int, user: str, source: Path, replaced: dict | None, summary: dict) -> None:
        with self._write() as connection:
            number = connection.execute(sa.select(REVISION.c.number).where(REVISION.c.id == 1)).scalar_one()
            connection.execute(REVISION.update().where(REVISION.c.id == 1).values(number=max(number, before) + 1))
            _audit(connection, now_micros(), user, "restore", "plan", "", replaced, {"backup": str(source), **summary})

    def _backup_file(self, source: str | os.PathLike) -> Path:
        source = Path(source)
        if not source.is_file():
            raise PlanError("", f"{source} is a folder; give the backup file" if source.is_dir() else f"{source}: no such file")
        database = self.engine.url.database if self.engine.dialect.name == "sqlite" else None
        if database and source.resolve() == Path(database).resolve():
            raise PlanError("", f"{source} is the database itself; give a backup made by 'db backup'")
        return source

    def _pg_url(self) -> str:
        """The database's address for pg_dump and pg_restore, without the password: that goes
        through PGPASSWORD, which other users cannot read in the process list."""
        return self.engine.url.set(drivername="postgresql")._replace(password=None).render_as_string(hide_password=False)

    def reset(self, *, empty: bool = False, user: str | None = None) -> None:
        """Delete the draft, releases and audit log; refill with the sample plan unless `empty`."""
        user = user or current_user()
        with self._write() as connection:
            for table in (*PLAN_TABLES, RELEASES, AUDIT, FEED_TOKENS):
                connection.execute(table.delete())
            _audit(connection, now_micros(), user, "reset", "plan", "", None, None)
        if not empty:
            from planner.plan.reading import load_plan

            self.import_plan(load_plan(SAMPLE), user=user)


# ---------------------------------------------------------------------------------------------
# Backups.

_NOT_OURS = "is not a backup made by 'python -m planner db backup'"


def _schema_versions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {script.revision for script in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}


def _known_schema(source: Path, version: str | None) -> str:
    if version is None:
        raise PlanError("", f"{source} {_NOT_OURS} (it has no schema version)")
    if version not in _schema_versions():
        raise PlanError("", f"{source} has schema version {version!r}, which this planner does not know "
                            "(made by a newer version?)")
    return version


#: Each kind of backup: how its file begins, what to say when it is given to the other kind of
#: database, and what else it is not.
_BACKUP_FORMATS = {
    "sqlite": (b"SQLite format 3\x00", "is an SQLite backup; restore it into an SQLite database",
               "not an SQLite database"),
    "postgresql": (b"PGDMP", "is a PostgreSQL backup (pg_dump); restore it into a PostgreSQL database",
                   "not a pg_dump archive"),
}


def _expect_format(source: Path, wanted: str) -> None:
    """PlanError unless `source` begins like a backup of the `wanted` database."""
    with open(source, "rb") as file:
        head = file.read(16)
    for kind, (magic, elsewhere, _) in _BACKUP_FORMATS.items():
        if kind != wanted and head.startswith(magic):
            raise PlanError("", f"{source} {elsewhere}")
    magic, _, other = _BACKUP_FORMATS[wanted]
    if not head.startswith(magic):
        raise PlanError("", f"{source} {_NOT_OURS} ({other})")


def _checked_sqlite_copy(source: Path, target: Path) -> tuple[PlanStore, dict]:
    """Copy an SQLite backup to `target` and check the copy (never the backup itself, which
    stays untouched): a sound SQLite file, our schema, a plan that reads. Returns the copy,
    opened and upgraded to the newest schema, and what it holds."""
    _expect_format(source, "sqlite")
    shutil.copyfile(source, target)
    try:
        with closing(sqlite3.connect(target)) as check:
            problems = [row[0] for row in check.execute("PRAGMA integrity_check(5)")]
            if problems != ["ok"]:
                raise PlanError("", f"{source} is damaged: {problems[0]}")
            if check.execute("PRAGMA foreign_key_check").fetchone() is not None:
                raise PlanError("", f"{source} is damaged: rows refer to rows that are missing")
            tables = {row[0] for row in check.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            row = check.execute("SELECT version_num FROM alembic_version").fetchone() \
                if "alembic_version" in tables else None
    except sqlite3.DatabaseError as error:
        raise PlanError("", f"{source} is damaged: {error}") from None
    schema = _known_schema(source, row[0] if row else None)
    copy = PlanStore(f"sqlite:///{target}", fill_new=False)  # brings an older schema up to date
    try:
        plan = None if copy.is_empty() else copy.load_plan()
        releases = len(copy.releases())
    except (PlanError, sa.exc.SQLAlchemyError, ValueError, KeyError, TypeError) as error:
        copy.close()
        raise PlanError("", f"{source}: its plan cannot be read: {error}") from None
    return copy, {"schema": schema, **(_summary(plan) if plan else {}), "releases": releases}


def _checked_pg_dump(source: Path) -> dict:
    """Check a pg_dump backup (custom format) with `pg_restore --list`: an archive holding our
    schema. Returns ``{"schema": version}``."""
    _expect_format(source, "postgresql")
    contents = _run_pg_tool(["pg_restore", "--list", str(source)], damaged=source)
    if " TABLE DATA public alembic_version " not in contents:
        raise PlanError("", f"{source} {_NOT_OURS} (it has no schema version)")
    data = _run_pg_tool(["pg_restore", "--data-only", "--table=alembic_version", "--file=-", str(source)],
                        damaged=source).splitlines()
    copied = [i for i, line in enumerate(data) if line.startswith("COPY ") and "alembic_version" in line]
    version = data[copied[0] + 1].strip() if copied and copied[0] + 1 < len(data) else None
    return {"schema": _known_schema(source, None if version in (None, "\\.") else version)}


def _run_pg_tool(arguments: list[str], *, damaged: Path | None = None, password: str | None = None) -> str:
    """Run pg_dump or pg_restore; its last line of complaint becomes a PlanError."""
    env = {**os.environ, "PGPASSWORD": password} if password else None
    try:
        done = subprocess.run(arguments, check=True, capture_output=True, text=True, env=env)
    except FileNotFoundError:
        raise PlanError("", f"{arguments[0]} is not installed; install the PostgreSQL client tools") from None
    except subprocess.CalledProcessError as error:
        lines = (error.stderr or "").strip().splitlines()
        reason = lines[-1] if lines else f"exit status {error.returncode}"
        if damaged is not None:
            raise PlanError("", f"{damaged} {_NOT_OURS} or is damaged: {reason}") from None
        raise PlanError("", f"{arguments[0]} failed: {reason}") from None
    return done.stdout


def _sync_folder(folder: Path) -> None:
    """Make a rename in `folder` survive a power cut (where the system allows)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:  # Windows cannot open folders
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


# ---------------------------------------------------------------------------------------------
# Rows.


def _row(connection: Connection, table: sa.Table, ident: object) -> Any:
    """The row with this id, or None (also for an id no database could hold, such as a lone surrogate)."""
    if not isinstance(ident, str) or not storable(ident):
        return None
    return connection.execute(sa.select(table).where(table.c.id == ident)).mappings().first()


def _venue_from(row: Any) -> Venue:
    return Venue(
        id=row["id"], name=row["name"], lat=row["lat"], lon=row["lon"], kind=row["kind"],
        address=row["address"], capacity=row["capacity"], max_parallel=row["max_parallel"],
        opening_hours=None if row["opening_hours"] is None else tuple(
            Window(minutes_of_day(o, ""), minutes_of_day(c, "")) for o, c in row["opening_hours"]),
        golden_book=row["golden_book"], changeover_min=row["changeover_min"],
        amplified=row["amplified"], notes=row["notes"],
    )


def _person_from(row: Any) -> Person:
    return Person(row["id"], row["name"], row["role"], tuple(row["languages"]), row["phone"], row["email"],
                  row["notes"])


def _delegation_from(row: Any) -> Delegation:
    return Delegation(
        row["id"], row["city"], row["country"], row["size"], tuple(row["languages"]),
        None if row["arrival_us"] is None else instant(row["arrival_us"]),
        None if row["departure_us"] is None else instant(row["departure_us"]),
        row["hotel"], row["notes"])


def _venue_values(v: Venue) -> dict:
    document = venue_document(v)
    return {**document, "capacity": v.capacity, "opening_hours": document.get("opening_hours"), "notes": v.notes}


def _person_values(p: Person) -> dict:
    return {"id": p.id, "name": p.name, "role": p.role, "languages": list(p.languages), "phone": p.phone,
            "email": p.email, "notes": p.notes}


def _delegation_values(d: Delegation) -> dict:
    return {"id": d.id, "city": d.city, "country": d.country, "size": d.size, "languages": list(d.languages),
            "arrival_us": None if d.arrival is None else micros(d.arrival),
            "departure_us": None if d.departure is None else micros(d.departure), "hotel": d.hotel, "notes": d.notes}


# kind -> (table, row to object, object to document, validated document to object)
_ENTITIES = {
    "venue": (VENUES, _venue_from, lambda v, clock: venue_document(v),
              lambda raw, path, stub, clock: parse_venue(raw, path)),
    "person": (PEOPLE, _person_from, lambda p, clock: person_document(p),
               lambda raw, path, stub, clock: parse_person(raw, path)),
    "delegation": (DELEGATIONS, _delegation_from, delegation_document,
                   lambda raw, path, stub, clock: parse_delegation(raw, path, clock, stub.venues)),
}
_VALUES = {"venue": _venue_values, "person": _person_values, "delegation": _delegation_values}


def _named(kind: str, entity: Venue | Person | Delegation) -> None:
    """Venues and people need a name and delegations a city: the app lists them by it."""
    field = "city" if kind == "delegation" else "name"
    if not getattr(entity, field).strip():
        raise PlanError(f"{kind}.{field}", "must not be empty")


def _token_hash(token: str) -> str:
    # Tokens carry 256 random bits, so a plain hash cannot be reversed or guessed.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _stale(entity: str, entity_id: str, row: Any) -> Exception:
    if row is None:
        return StaleEditError(f"{entity} {entity_id!r} was deleted since you opened it")
    when = instant(row["updated_at"]).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return StaleEditError(f"{entity} {entity_id!r} was changed by {row['updated_by'] or 'someone'} at {when} "
                          f"since you opened it (now version {row['version']}); reload and edit again")


def _audit(connection: Connection, at: int, user: str, action: str, entity: str, entity_id: str,
           before: dict | None, after: dict | None) -> None:
    connection.execute(AUDIT.insert().values(at_us=at, actor=user, action=action, entity=entity,
                                             entity_id=entity_id, before=before, after=after))


def _summary(plan: Plan) -> dict:
    return {"name": plan.name, "venues": len(plan.venues), "people": len(plan.people),
            "delegations": len(plan.delegations), "events": len(plan.events)}


def _event_values(event: Event) -> dict:
    return {
        "title": event.title, "kind": event.kind, "start_us": micros(event.start), "end_us": micros(event.end),
        "venue": event.venue, "status": event.status, "public": event.public, "attendance": event.attendance,
        "notes": event.notes, "sequence": event.sequence, "pinned": event.pinned,
    }


def _replace_members(connection: Connection, event: Event) -> None:
    connection.execute(EVENT_DELEGATIONS.delete().where(EVENT_DELEGATIONS.c.event_id == event.id))
    connection.execute(EVENT_PEOPLE.delete().where(EVENT_PEOPLE.c.event_id == event.id))
    if event.delegations:
        connection.execute(EVENT_DELEGATIONS.insert(), [
            {"event_id": event.id, "delegation_id": d, "position": i} for i, d in enumerate(event.delegations)])
    if event.people:
        connection.execute(EVENT_PEOPLE.insert(), [
            {"event_id": event.id, "person_id": p, "position": i} for i, p in enumerate(event.people)])


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


_CHUNK = 5000


def _insert(connection: Connection, table: sa.Table, rows: list[dict]) -> None:
    for start in range(0, len(rows), _CHUNK):
        connection.execute(table.insert(), rows[start:start + _CHUNK])


def _insert_plan(connection: Connection, plan: Plan, user: str, now: int) -> None:
    document = plan_to_document(plan)  # festival and rules as the document spells them
    stamp = {"version": 1, "updated_at": now, "updated_by": user}
    connection.execute(PLAN.insert().values(id=1, name=plan.name, timezone=plan.timezone,
                                            festival=document.get("festival"), rules=document["rules"], **stamp))
    _insert(connection, VENUES, [{**_venue_values(v), "position": i, **stamp} for i, v in enumerate(plan.venues.values())])
    _insert(connection, TRAVEL, [
        {"position": i, "source": t.source, "target": t.target, "minutes": t.minutes} for i, t in enumerate(plan.travel)])
    _insert(connection, PEOPLE, [{**_person_values(p), "position": i, **stamp} for i, p in enumerate(plan.people.values())])
    _insert(connection, DELEGATIONS, [
        {**_delegation_values(d), "position": i, **stamp} for i, d in enumerate(plan.delegations.values())])
    _insert(connection, EVENTS, [
        {"id": e.id, "position": i, **_event_values(e), **stamp} for i, e in enumerate(plan.events)])
    _insert(connection, EVENT_DELEGATIONS, [
        {"event_id": e.id, "delegation_id": d, "position": j}
        for e in plan.events for j, d in enumerate(e.delegations)])
    _insert(connection, EVENT_PEOPLE, [
        {"event_id": e.id, "person_id": p, "position": j} for e in plan.events for j, p in enumerate(e.people)])
