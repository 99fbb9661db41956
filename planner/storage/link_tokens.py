"""Secret links: calendar feeds and guest pages, reached by a token of which the database keeps only a hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import sqlalchemy as sa

from planner.errors import PlanError
from planner.plan.clock import from_micros as instant
from planner.plan.clock import micros
from planner.storage.audit import write_audit
from planner.storage.database import UTC, Database, current_user, now_micros
from planner.storage.errors import NotFoundError
from planner.storage.schema import DELEGATIONS, FEED_TOKENS, PEOPLE

#: Kinds of secret link: calendar feeds, and guest pages (a delegation's programme).
LINK_KINDS = ("delegation", "person", "guest")


def _token_hash(token: str) -> str:
    # Tokens carry 256 random bits, so a plain hash cannot be reversed or guessed.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class LinkStorage(Database):
    """Making, looking up and revoking secret links."""

    def create_feed_token(
        self, kind: str, target: str, *, expires: datetime | None = None, user: str | None = None
    ) -> tuple[int, str]:
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
                raise NotFoundError(f"no {'person' if kind == 'person' else 'delegation'} {target!r}")
            now = now_micros()
            key = connection.execute(
                FEED_TOKENS.insert().values(
                    kind=kind,
                    target=target,
                    token_hash=_token_hash(token),
                    created_at=now,
                    created_by=user,
                    expires_at=None if expires is None else micros(expires),
                )
            ).inserted_primary_key
            assert key is not None  # a single-row INSERT always reports the key it made
            number = key[0]
            write_audit(
                connection,
                now,
                user,
                "create",
                "feed",
                str(number),
                None,
                {"kind": kind, "target": target, "expires": None if expires is None else expires.isoformat()},
            )
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
            done = connection.execute(
                FEED_TOKENS.update().where(FEED_TOKENS.c.id == number, FEED_TOKENS.c.revoked_at.is_(None)).values(revoked_at=now)
            )
            if done.rowcount != 1:
                raise NotFoundError(f"no live feed link number {number}")
            write_audit(connection, now, user, "revoke", "feed", str(number), None, None)

    def feed_tokens(self) -> list[dict]:
        """Every secret link (without tokens): number, kind, target, created, revoked."""
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(FEED_TOKENS).order_by(FEED_TOKENS.c.id))
            return [
                {
                    "number": r.id,
                    "kind": r.kind,
                    "target": r.target,
                    "created_at": instant(r.created_at),
                    "created_by": r.created_by,
                    "revoked_at": None if r.revoked_at is None else instant(r.revoked_at),
                    "expires_at": None if r.expires_at is None else instant(r.expires_at),
                }
                for r in rows
            ]
