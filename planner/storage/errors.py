"""What the database refuses besides invalid input: ids it does not hold, and edits of rows changed since."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from planner.plan.clock import from_micros as instant


class NotFoundError(LookupError):
    """An id that is not in the database (an event, account, release or link); ``str(error)``
    is the one line to show. Not a `PlanError`: the input was well-formed, the thing is gone."""


class StaleEditError(Exception):
    """An edit based on a version that someone else has changed since."""


def stale_edit(entity: str, entity_id: str, row: Any) -> StaleEditError:
    """The error for an edit of `entity` `entity_id` whose row is now `row` (None: deleted)."""
    if row is None:
        return StaleEditError(f"{entity} {entity_id!r} was deleted since you opened it")
    when = instant(row["updated_at"]).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return StaleEditError(
        f"{entity} {entity_id!r} was changed by {row['updated_by'] or 'someone'} at {when} "
        f"since you opened it (now version {row['version']}); reload and edit again"
    )
