"""Database tables of the plan, its releases and its audit log (SQLAlchemy 2).

Instants are stored as integer microseconds since 1970 UTC: exact, sortable, and the same on
SQLite and PostgreSQL. Lists keep their order through a `position` column. Every editable row
carries a `version` that rises with each change (no lost edit, see `errors.StaleEditError`).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class PlanRow(Base):
    """The plan's own settings: one row."""

    __tablename__ = "plan"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(64))
    festival: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    rules: Mapped[dict] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[int] = mapped_column(BigInteger)
    updated_by: Mapped[str] = mapped_column(String(200), default="")


class VenueRow(Base):
    __tablename__ = "venues"
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(Text, default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(20))
    capacity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    max_parallel: Mapped[int] = mapped_column(Integer, default=1)
    opening_hours: Mapped[list | None] = mapped_column(JSON, nullable=True)
    golden_book: Mapped[bool] = mapped_column(Boolean, default=False)
    changeover_min: Mapped[float] = mapped_column(Float, default=0)
    amplified: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[int] = mapped_column(BigInteger)
    updated_by: Mapped[str] = mapped_column(String(200), default="")


class TravelRow(Base):
    __tablename__ = "travel"
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(ForeignKey("venues.id"))
    target: Mapped[str] = mapped_column(ForeignKey("venues.id"))
    minutes: Mapped[float] = mapped_column(Float)


class PersonRow(Base):
    __tablename__ = "people"
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(20))
    languages: Mapped[list] = mapped_column(JSON)
    phone: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[int] = mapped_column(BigInteger)
    updated_by: Mapped[str] = mapped_column(String(200), default="")


class DelegationRow(Base):
    __tablename__ = "delegations"
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    city: Mapped[str] = mapped_column(Text)
    country: Mapped[str] = mapped_column(String(2))
    size: Mapped[int] = mapped_column(Integer)
    languages: Mapped[list] = mapped_column(JSON)
    arrival_us: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    departure_us: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    hotel: Mapped[str | None] = mapped_column(ForeignKey("venues.id"), nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[int] = mapped_column(BigInteger)
    updated_by: Mapped[str] = mapped_column(String(200), default="")


class EventRow(Base):
    __tablename__ = "events"
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    start_us: Mapped[int] = mapped_column(BigInteger)
    end_us: Mapped[int] = mapped_column(BigInteger)
    venue: Mapped[str | None] = mapped_column(ForeignKey("venues.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(10), default="confirmed")
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    attendance: Mapped[int | None] = mapped_column(Integer, nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[int] = mapped_column(BigInteger)
    updated_by: Mapped[str] = mapped_column(String(200), default="")


class EventDelegationRow(Base):
    __tablename__ = "event_delegations"
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    delegation_id: Mapped[str] = mapped_column(ForeignKey("delegations.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


class EventPersonRow(Base):
    __tablename__ = "event_people"
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


class ReleaseRow(Base):
    """A published, frozen copy of the plan that guests and the public programme see."""

    __tablename__ = "releases"
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[int] = mapped_column(BigInteger)
    created_by: Mapped[str] = mapped_column(String(200))
    comment: Mapped[str] = mapped_column(Text, default="")
    document: Mapped[str] = mapped_column(Text)


class RevisionRow(Base):
    """One row counting every write transaction: readers cache on it. Writers raise it first
    thing in their transaction, so its committed value grows in commit order."""

    __tablename__ = "revision"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(BigInteger, default=0)


class AuditRow(Base):
    """Who changed what and when, with the values before and after."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at_us: Mapped[int] = mapped_column(BigInteger)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(200), default="")
    before: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict | None] = mapped_column(JSON, nullable=True)


class FeedTokenRow(Base):
    """A secret link: a delegation's or a person's calendar feed, or a delegation's guest page
    (kind "guest", which also serves that delegation's feed). Only the token's hash is kept."""

    __tablename__ = "feed_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    created_by: Mapped[str] = mapped_column(String(200))
    revoked_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    expires_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class UserRow(Base):
    """A local account: name, role and a salted scrypt hash of the password."""

    __tablename__ = "users"
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[int] = mapped_column(BigInteger)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class SettingRow(Base):
    """A setting an admin changes in the app (a JSON value), versioned like every editable row:
    what organisers may put on festival slots (`access.organiser_limits`)."""

    __tablename__ = "settings"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[dict] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[int] = mapped_column(BigInteger)
    updated_by: Mapped[str] = mapped_column(String(200), default="")


Index("ix_events_start", EventRow.start_us)
Index("ix_event_delegations_delegation", EventDelegationRow.delegation_id)
Index("ix_event_people_person", EventPersonRow.person_id)
Index("ix_audit_entity", AuditRow.entity, AuditRow.entity_id)


def _table(row_class: type[Base]) -> Table:
    """The table a row class is mapped to (`__table__` is typed as any FROM clause; these are all tables)."""
    table = row_class.__table__
    assert isinstance(table, Table)
    return table


# The tables by the names the storage code uses.
PLAN, VENUES, TRAVEL, PEOPLE, DELEGATIONS, EVENTS = (
    _table(PlanRow),
    _table(VenueRow),
    _table(TravelRow),
    _table(PersonRow),
    _table(DelegationRow),
    _table(EventRow),
)
EVENT_DELEGATIONS, EVENT_PEOPLE = _table(EventDelegationRow), _table(EventPersonRow)
RELEASES, AUDIT, FEED_TOKENS = _table(ReleaseRow), _table(AuditRow), _table(FeedTokenRow)
USERS, REVISION, SETTINGS = _table(UserRow), _table(RevisionRow), _table(SettingRow)
