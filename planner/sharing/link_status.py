"""Guest and calendar links as the office manages them: how long a new guest link lasts, what
state a link is in, whom it is for, and which links can still be revoked."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from planner.plan.model import Plan

#: The longest a link can be made valid for, in days (0 means until revoked).
MAX_LINK_DAYS = 3660
#: A guest link lasts at least this many days, however soon the delegation leaves.
MIN_GUEST_LINK_DAYS = 30


def guest_link_days(plan: Plan, delegation_id: str, now: datetime) -> int:
    """The days a new guest link for a delegation is offered for: until a week after it
    leaves, at least MIN_GUEST_LINK_DAYS (also when its departure is not known), at most
    MAX_LINK_DAYS."""
    delegation = plan.delegations.get(delegation_id)
    departure = delegation.departure if delegation is not None else None
    # .days rounds down: one day more covers the rest of the departure day, seven the week after.
    until_departure = (departure - now).days + 8 if departure else 0
    return min(MAX_LINK_DAYS, max(MIN_GUEST_LINK_DAYS, until_departure))


def link_state(link: Mapping, now: datetime) -> tuple[str, datetime | None]:
    """A link's state at `now` and since or until when: ("revoked", when), ("expired", when),
    ("valid_until", when) or ("valid", None) for a link that lasts until revoked."""
    if link["revoked_at"]:
        return "revoked", link["revoked_at"]
    if link["expires_at"] and link["expires_at"] <= now:
        return "expired", link["expires_at"]
    if link["expires_at"]:
        return "valid_until", link["expires_at"]
    return "valid", None


def link_target_name(plan: Plan, link: Mapping) -> str:
    """Whom a link is for as people read it: the person's name, the delegation's city; its
    target id if the plan no longer has it."""
    pool = plan.people if link["kind"] == "person" else plan.delegations
    item = pool.get(link["target"])
    name = None if item is None else getattr(item, "city", None) or getattr(item, "name", None)
    return name or link["target"]


def revocable(links: Iterable[Mapping]) -> list[int]:
    """The numbers of the links not revoked yet, in their order."""
    return [link["number"] for link in links if not link["revoked_at"]]
