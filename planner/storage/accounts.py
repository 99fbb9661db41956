"""Accounts for signing in: names, roles, password hashes and lock-outs after wrong passwords."""

from __future__ import annotations

import sqlalchemy as sa

from planner.errors import PlanError
from planner.plan.fields import storable
from planner.storage.audit import write_audit
from planner.storage.database import Database, current_user, now_micros
from planner.storage.errors import NotFoundError
from planner.storage.schema import USERS

# A hash of nothing in particular, checked against for unknown names so that timing tells
# nobody whether an account exists.
_DUMMY_HASH = "scrypt$16384$8$1$" + "00" * 16 + "$" + "00" * 64


class AccountStorage(Database):
    """Local accounts (the password rules and hashing are `planner.storage.account_rules`)."""

    def add_user(self, name: str, role: str, password: str, *, user: str | None = None) -> None:
        """A new local account (PlanError if the name is taken or the password too short)."""
        from planner.storage.account_rules import check_name, check_role, hash_password

        check_name(name)
        check_role(role)
        digest = hash_password(password)
        with self._write() as connection:
            if connection.execute(sa.select(USERS.c.name).where(USERS.c.name == name)).first():
                raise PlanError("name", f"an account {name!r} exists already")
            now = now_micros()
            connection.execute(USERS.insert().values(name=name, role=role, password_hash=digest, created_at=now, failed_logins=0))
            write_audit(connection, now, user or current_user(), "add", "user", name, None, {"role": role})

    def update_user(self, name: str, *, role: str | None = None, password: str | None = None, user: str | None = None) -> None:
        """Give an account another role and/or a new password (which also lifts a lock-out)."""
        from planner.storage.account_rules import check_role, hash_password

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
                raise NotFoundError(f"no account {name!r}")
            if (
                role is not None
                and role != "admin"
                and old.role == "admin"
                and connection.execute(sa.select(sa.func.count()).select_from(USERS).where(USERS.c.role == "admin")).scalar_one()
                == 1
            ):
                raise PlanError("role", "this is the last admin account: make another admin first")
            connection.execute(USERS.update().where(USERS.c.name == name).values(**values))
            write_audit(
                connection,
                now_micros(),
                user or current_user(),
                "update",
                "user",
                name,
                {"role": old.role},
                {"role": values.get("role", old.role), **({"password": "changed"} if password is not None else {})},
            )

    def remove_user(self, name: str, *, user: str | None = None) -> None:
        with self._write() as connection:
            if connection.execute(USERS.delete().where(USERS.c.name == name)).rowcount != 1:
                raise NotFoundError(f"no account {name!r}")
            write_audit(connection, now_micros(), user or current_user(), "remove", "user", name, None, None)

    def users(self) -> list[tuple[str, str]]:
        """(name, role) of every account."""
        with self.engine.connect() as connection:
            return [(r.name, r.role) for r in connection.execute(sa.select(USERS.c.name, USERS.c.role).order_by(USERS.c.name))]

    def authenticate(self, name: str, password: str) -> str | None:
        """The account's role if the password is right, else None. After five wrong passwords
        in a row an account is locked for a minute, doubling with each further failure."""
        from planner.storage.account_rules import password_matches

        with self._write() as connection:
            row = (
                connection.execute(sa.select(USERS).where(USERS.c.name == name)).first()
                if isinstance(name, str) and storable(name)
                else None
            )
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
