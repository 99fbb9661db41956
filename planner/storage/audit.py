"""The audit log: who changed what and when, written in the transaction of every change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from planner.plan.clock import from_micros as instant
from planner.plan.clock import micros
from planner.storage.database import Database
from planner.storage.schema import AUDIT


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    user: str
    action: str
    entity: str
    entity_id: str
    before: dict | None
    after: dict | None


def write_audit(
    connection: Connection, at: int, user: str, action: str, entity: str, entity_id: str, before: dict | None, after: dict | None
) -> None:
    """Add an entry to the audit log, in the transaction of the change it records."""
    connection.execute(
        AUDIT.insert().values(at_us=at, actor=user, action=action, entity=entity, entity_id=entity_id, before=before, after=after)
    )


class AuditStorage(Database):
    """Reading the audit log."""

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
            return [
                AuditEntry(instant(r["at_us"]), r["actor"], r["action"], r["entity"], r["entity_id"], r["before"], r["after"])
                for r in connection.execute(query).mappings()
            ]

    def count_audit(self, user: str, action: str, entity: str, since: datetime) -> int:
        """How many audit entries of `action` on `entity` `user` made since `since`."""
        query = (
            sa.select(sa.func.count())
            .select_from(AUDIT)
            .where(AUDIT.c.actor == user, AUDIT.c.action == action, AUDIT.c.entity == entity, AUDIT.c.at_us >= micros(since))
        )
        with self.engine.connect() as connection:
            return connection.execute(query).scalar_one()
