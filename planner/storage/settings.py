"""Settings an admin changes in the app: JSON values, versioned and audited like every edit."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from planner.storage.audit import write_audit
from planner.storage.database import Database, current_user, now_micros
from planner.storage.errors import stale_edit
from planner.storage.schema import SETTINGS


class SettingStorage(Database):
    """Named settings, each at a version (0 before it was first set)."""

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
                raise stale_edit("setting", name, row)
            now = now_micros()
            stamp = {"value": value, "version": expected_version + 1, "updated_at": now, "updated_by": user}
            if row is None:
                connection.execute(SETTINGS.insert().values(name=name, **stamp))
            elif (
                connection.execute(
                    SETTINGS.update().where(SETTINGS.c.name == name, SETTINGS.c.version == expected_version).values(**stamp)
                ).rowcount
                != 1
            ):
                raise stale_edit(
                    "setting", name, connection.execute(sa.select(SETTINGS).where(SETTINGS.c.name == name)).mappings().first()
                )
            write_audit(
                connection,
                now,
                user,
                "update",
                "setting",
                name,
                None if row is None else {"value": row["value"]},
                {"value": value},
            )
            return expected_version + 1
