"""Releases: numbered, frozen copies of the draft (what guests see), and the changes between them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from planner.plan.changes import Change, plan_changes
from planner.plan.clock import from_micros as instant
from planner.plan.model import Plan
from planner.plan.reading import decode_json, parse_plan
from planner.plan.writing import plan_to_document
from planner.storage.audit import write_audit
from planner.storage.database import Database, current_user, now_micros
from planner.storage.draft import plan_summary, read_plan
from planner.storage.errors import NotFoundError
from planner.storage.schema import RELEASES


@dataclass(frozen=True, slots=True)
class Release:
    number: int
    created_at: datetime
    created_by: str
    comment: str


class ReleaseStorage(Database):
    """Publishing the draft and reading what was published."""

    def publish(self, comment: str = "", *, user: str | None = None) -> int:
        """Freeze the draft as the next numbered release; returns its number."""
        user = user or current_user()
        with self._write() as connection:
            plan = read_plan(connection)
            number = connection.execute(sa.select(sa.func.coalesce(sa.func.max(RELEASES.c.number), 0))).scalar_one() + 1
            now = now_micros()
            document = plan_to_document(plan)
            parse_plan(document)  # a release must read back; PlanError names what is wrong
            connection.execute(
                RELEASES.insert().values(
                    number=number,
                    created_at=now,
                    created_by=user,
                    comment=comment,
                    document=json.dumps(document, ensure_ascii=False),
                )
            )
            write_audit(
                connection,
                now,
                user,
                "publish",
                "release",
                str(number),
                None,
                {"number": number, "comment": comment, **plan_summary(plan)},
            )
            return number

    def releases(self) -> list[Release]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(RELEASES.c.number, RELEASES.c.created_at, RELEASES.c.created_by, RELEASES.c.comment).order_by(
                    RELEASES.c.number
                )
            )
            return [Release(r.number, instant(r.created_at), r.created_by, r.comment) for r in rows]

    def release_plan(self, number: int | None = None) -> Plan:
        """A release as a `Plan` (the latest if `number` is None): what guests see."""
        with self.engine.connect() as connection:
            query = sa.select(RELEASES.c.number, RELEASES.c.document)
            query = (
                query.where(RELEASES.c.number == number)
                if number is not None
                else query.order_by(RELEASES.c.number.desc()).limit(1)
            )
            row = connection.execute(query).first()
        if row is None:
            raise NotFoundError("nothing has been published yet" if number is None else f"there is no release {number}")
        return parse_plan(decode_json(row.document.encode("utf-8"), f"release {row.number}"))

    def changes(self, since: int | None = None, until: int | str | None = None) -> list[Change]:
        """Changes from release `since` to release `until`.

        Defaults: `until` the latest release, `since` the one before it (so a first release
        lists everything as new). `until="draft"` compares with the unpublished draft.
        """
        numbers = [release.number for release in self.releases()]
        if until == "draft":
            with self.engine.connect() as connection:
                new = read_plan(connection)
            latest = numbers[-1] if numbers else 0
        else:
            if not numbers:
                raise NotFoundError("nothing has been published yet")
            latest = numbers[-1] if until is None else int(until)
            new = self.release_plan(latest)
        if since is None:
            since = max((n for n in numbers if n < latest), default=0) if until != "draft" else latest
        old = self.release_plan(since) if since else Plan(timezone=new.timezone)
        return plan_changes(old, new)
