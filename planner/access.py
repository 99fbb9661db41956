"""Who may use the app how: roles, the pages each role sees, what each role may change, and the
rule that makes a fresh install usable at once without ever handing editing rights to other
machines.

- With no accounts in the database, a person at this machine (the app listens on localhost by
  default) is admin: `streamlit run app.py` works without set-up.
- Anyone else, and everyone once an account exists, must sign in.
- Guests have no account: a delegation's private link (``?g=TOKEN``) opens its guest page only.

Pages hide what a role may not do, but the check that counts is in `Editor`: every change goes
through it, and it looks the account's role up again in the database at the moment of saving.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .accounts import ROLES
from .errors import PlanError

ALL = frozenset(ROLES)
OFFICE = frozenset(("admin", "protocol"))

#: Page id -> roles that may open it, in menu order.
PAGES: dict[str, frozenset[str]] = {
    "overview": ALL,
    "delegations": frozenset(("admin", "protocol", "viewer")),
    "golden_book": frozenset(("admin", "protocol", "viewer")),
    "festival": ALL,
    "timeline_map": ALL,
    "conflicts": ALL,
    "calendars": ALL,
    "admin": frozenset(("admin",)),
}

#: Action -> roles that may do it.
ACTIONS: dict[str, frozenset[str]] = {
    "delegations": OFFICE,          # delegations, people and their programmes
    "golden_book": OFFICE,          # book signings, import the signatories' busy time
    "festival": frozenset(("admin", "protocol", "organiser")),  # festival slots only
    "share": OFFICE,                # guest links and calendar feed links
    "publish": OFFICE,              # releases
    "admin": frozenset(("admin",)),  # accounts, venues, import, backup, reset
}
EDITORS = frozenset().union(*ACTIONS.values())
#: Who may read the office's internal details (notes, phone numbers, whole diaries): those who
#: may open the Delegations page. Organisers see the festival, not the protocol.
INTERNAL_READERS = PAGES["delegations"]


class Forbidden(PlanError):
    """The session's role may not do this (any more)."""

    def __init__(self, action: str, role: str | None):
        who = f"the role {role!r}" if role else "a session without sign-in"
        super().__init__("", f"{who} may not {ACTION_WORDS.get(action, action)}")


ACTION_WORDS = {
    "delegations": "change delegations or their programmes",
    "golden_book": "book Golden Book signings or import busy time",
    "festival": "change festival slots",
    "share": "create or revoke links",
    "publish": "publish releases",
    "admin": "administer accounts, venues or the database",
    "read": "read this calendar or table",
}


#: Headers a proxy or tunnel adds: their presence means the browser is somewhere else.
FORWARDING_HEADERS = ("forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-real-ip", "via")
LOOPBACK_NAMES = frozenset(("localhost", "127.0.0.1", "::1"))


def is_local(address: str | None, headers: Mapping[str, str] | None = None) -> bool:
    """Whether a browser is on this machine: the connection comes from a loopback address
    (Streamlit reports None for 127.0.0.1 and ::1), no proxy forwarded it, and the browser
    asked for a loopback host name (a web page rebound to 127.0.0.1 through DNS asks for its
    own name). `headers` are those of the browser's request; None where there is no request
    (scripted tests)."""
    if address is not None:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        ip = getattr(ip, "ipv4_mapped", None) or ip
        if not ip.is_loopback:
            return False
    if not headers:
        return True
    lowered = {str(key).lower(): str(value) for key, value in headers.items()}
    if any(name in lowered for name in FORWARDING_HEADERS):
        return False
    host = lowered.get("host")
    return host is None or _host_name(host) in LOOPBACK_NAMES


def _host_name(host: str) -> str:
    """The name of a Host header without its port: "localhost:8501" -> "localhost",
    "[::1]:8501" -> "::1"."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def session_role(signed_in: str | None, *, has_accounts: bool, local: bool) -> str | None:
    """The role a browser session acts with, or None if it must sign in first."""
    if signed_in in ROLES:
        return signed_in
    if not has_accounts and local:
        return "admin"
    return None


def sso_role(email: str | None, mapping: dict[str, str]) -> str | None:
    """The role single sign-on gives an e-mail address: ``[planner.sso_roles]`` in the app's
    secrets maps addresses (lower case) or ``"*@domain"`` to roles; anyone else gets none."""
    if not email or "@" not in email:
        return None
    email = email.strip().lower()
    mapping = {str(key).strip().lower(): value for key, value in mapping.items()}
    role = mapping.get(email) or mapping.get("*@" + email.rsplit("@", 1)[1])
    return role if role in ROLES else None


def pages_for(role: str | None) -> list[str]:
    """The pages a role may open, in menu order (none without a role)."""
    return [page for page, roles in PAGES.items() if role in roles]


def may(role: str | None, action: str) -> bool:
    return role in ACTIONS[action]


def may_read_internal(role: str | None) -> bool:
    return role in INTERNAL_READERS


def may_edit(role: str | None) -> bool:
    return role in EDITORS


def restricted_plan(plan, busy_label: str = "Busy"):
    """The plan as roles that may not read internal details (organisers, see
    `may_read_internal`) read it: busy time only as `busy_label` (the Lord Mayor's diary is the
    office's: an imported busy block carries the subject of someone's appointment), and no
    notes, phone numbers or e-mail addresses. Ids and times stay, so conflicts and edits work
    the same."""
    from dataclasses import replace

    return replace(
        plan,
        venues={k: replace(v, notes="") for k, v in plan.venues.items()},
        people={k: replace(p, phone="", email="", notes="") for k, p in plan.people.items()},
        delegations={k: replace(d, notes="") for k, d in plan.delegations.items()},
        events=[replace(e, notes="", title=busy_label if e.kind == "unavailable" else e.title) for e in plan.events],
    )


class Editor:
    """The store as one browser session may change it.

    `account` is the signed-in account's name (None on a fresh local install without accounts);
    before every change the role is read again from the database, so a removed account or a
    lowered role takes effect at once, whatever the page showed.
    """

    def __init__(self, store: Any, account: str | None, *, local: bool, via: str = "local",
                 sso_roles: dict[str, str] | None = None, sso_configured: bool = False):
        if via not in ("local", "sso"):
            raise ValueError("an account signs in locally or by single sign-on")
        self.store = store
        self.account = account
        self.local = local
        self.via = via
        self.sso_roles = sso_roles or {}
        self.sso_configured = sso_configured or bool(sso_roles)

    @property
    def name(self) -> str:
        """The name written into the audit log."""
        return self.account or "local admin"

    def role(self) -> str | None:
        if self.account is not None:
            # Local accounts and single sign-on addresses are separate: an address signed in
            # by SSO never gets the role of a local account that happens to have its name.
            if self.via == "sso":
                return sso_role(self.account, self.sso_roles)
            return dict(self.store.users()).get(self.account)
        return session_role(None, has_accounts=bool(self.store.users()) or self.sso_configured, local=self.local)

    def require(self, action: str) -> None:
        role = self.role()
        if not may(role, action):
            raise Forbidden(action, role)

    # -- changes, each behind its check ----------------------------------------------------

    def add_entity(self, kind: str, document: dict):
        self.require("admin" if kind == "venue" else "delegations")
        return self.store.add_entity(kind, document, user=self.name)

    def update_entity(self, kind: str, entity_id: str, changes: dict, *, expected_version: int) -> int:
        self.require("admin" if kind == "venue" else "delegations")
        return self.store.update_entity(kind, entity_id, changes, expected_version=expected_version, user=self.name)

    def edit_events(self, action: str, added: list[dict] = (), changed: dict | None = None,
                    removed: dict | None = None, *, path: str = "event") -> dict:
        """Events added, changed and removed at once, as `action` ("delegations",
        "golden_book" or "festival"). Organisers may touch festival slots only."""
        self.require(action)
        if action == "festival" and self.role() == "organiser":
            self._festival_slots_only(added, changed or {}, removed or {})
        return self.store.edit_events(added, changed, removed, user=self.name, path=path)

    def _festival_slots_only(self, added, changed: dict, removed: dict) -> None:
        kinds = [document.get("kind") for document in added]
        kinds += [changes["kind"] for changes, _ in changed.values() if "kind" in changes]
        kinds += [self.store.event(event_id)[0].kind for event_id in (*changed, *removed)]
        if any(kind != "festival_slot" for kind in kinds):
            raise Forbidden("delegations", "organiser")

    def replace_busy_time(self, person_id: str, busy: list) -> int:
        self.require("golden_book")
        return self.store.replace_busy_time(person_id, busy, user=self.name)

    def publish(self, comment: str = "") -> int:
        self.require("publish")
        return self.store.publish(comment, user=self.name)

    def create_link(self, kind: str, target: str, expires: datetime | None = None) -> tuple[int, str]:
        self.require("share")
        return self.store.create_feed_token(kind, target, expires=expires, user=self.name)

    def revoke_link(self, number: int) -> None:
        self.require("share")
        self.store.revoke_feed_token(number, user=self.name)

    def add_user(self, name: str, role: str, password: str) -> None:
        self.require("admin")
        if role != "admin" and not self.store.users():
            raise PlanError("role", "the first account must be an admin: once it exists everyone signs in, "
                                    "and someone must be able to administer the app")
        self.store.add_user(name, role, password, user=self.name)

    def update_user(self, name: str, *, role: str | None = None, password: str | None = None) -> None:
        self.require("admin")
        if name == self.account and role is not None and role != "admin":
            raise PlanError("role", "you cannot lower your own role while signed in with it")
        self.store.update_user(name, role=role, password=password, user=self.name)

    def remove_user(self, name: str) -> None:
        self.require("admin")
        if name == self.account:
            raise PlanError("name", "you cannot remove your own account while signed in with it")
        self.store.remove_user(name, user=self.name)

    def import_plan(self, plan) -> None:
        self.require("admin")
        self.store.import_plan(plan, replace_existing=True, user=self.name)

    def backup(self, target) -> None:
        self.require("admin")
        self.store.backup(target)

    # -- reading, for what is made after the page was drawn (downloads made on the click) ---

    def export_document(self) -> dict:
        """The whole draft as a plan document (admin only, checked at the moment of asking)."""
        self.require("admin")
        return self.store.export_document()

    def require_reading(self, internal: bool) -> None:
        """Forbidden unless the session may read now: any role reads guests' and public
        calendars, only the office's roles internal ones."""
        role = self.role()
        if role is None or (internal and not may_read_internal(role)):
            raise Forbidden("read", role)
