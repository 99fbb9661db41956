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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from planner.errors import PlanError
from planner.plan.model import PERSON_ROLES, STAGE_KINDS, Event, Person, Plan, Venue
from planner.sharing.links import PUBLIC_URL_SETTING, checked_public_url
from planner.storage.account_rules import ACCOUNT_ROLES

ALL = frozenset(ACCOUNT_ROLES)
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
    "delegations": OFFICE,  # delegations, people and their programmes
    "golden_book": OFFICE,  # book signings, import the signatories' busy time
    "festival": frozenset(("admin", "protocol", "organiser")),  # festival slots only
    "share": OFFICE,  # guest links and calendar feed links
    "publish": OFFICE,  # releases
    "admin": frozenset(("admin",)),  # accounts, venues, import, backup, reset
}
EDITORS = frozenset().union(*ACTIONS.values())
#: Who may read the office's internal details (notes, phone numbers, whole diaries): those who
#: may open the Delegations page. Organisers see the festival, not the protocol.
INTERNAL_READERS = PAGES["delegations"]


class Forbidden(Exception):
    """The session's role may not do this (any more). Not a PlanError: the input may be fine,
    the one who sends it may not; `reason` is the one line to show."""

    def __init__(self, action: str, role: str | None):
        who = f"the role {role!r}" if role else "a session without sign-in"
        self.reason = f"{who} may not {ACTION_WORDS.get(action, action)}"
        super().__init__(self.reason)


class NotForOrganisers(Forbidden):
    """An organiser's change that would reach into the protocol office's diary: a person or a
    venue organisers may not put on a festival slot, or a slot that already involves one."""

    def __init__(self, path: str, reason: str):
        # Said like a PlanError ("events[2].people[0]: ..."): it names the field that reaches in.
        self.path, self.reason = path, reason
        Exception.__init__(self, f"{path}: {reason}" if path else reason)


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
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def session_role(signed_in: str | None, *, has_accounts: bool, local: bool) -> str | None:
    """The role a browser session acts with, or None if it must sign in first."""
    if signed_in in ACCOUNT_ROLES:
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
    return role if role in ACCOUNT_ROLES else None


def account_role(name: str, via: str, accounts: Mapping[str, str], sso_roles: dict[str, str]) -> str | None:
    """The role a signed-in account has now, looked up where it came from: single sign-on's
    address map for `via` "sso", else the local `accounts` (name -> role); None if it is gone."""
    return sso_role(name, sso_roles) if via == "sso" else accounts.get(name)


@dataclass(frozen=True)
class SignedIn:
    """Who a browser session is signed in as: the `account` (a local account's name or a single
    sign-on e-mail address), the `role` it had when last looked up, and `via` which it came
    ("local" for a local account, "sso" for single sign-on)."""

    account: str
    role: str
    via: str


def current_sign_in(signed_in: SignedIn, accounts: Mapping[str, str], sso_roles: dict[str, str]) -> SignedIn | None:
    """The sign-in as it stands now: with the role the account has at this moment, or None
    if the account was removed (or its address lost its role) since."""
    role = account_role(signed_in.account, signed_in.via, accounts, sso_roles)
    if role is None:
        return None
    return signed_in if role == signed_in.role else replace(signed_in, role=role)


def pages_for(role: str | None) -> list[str]:
    """The pages a role may open, in menu order (none without a role)."""
    return [page for page, roles in PAGES.items() if role in roles]


def editing_page(event: Event) -> str | None:
    """The page on which an event is changed: a festival slot on "festival", an event of a
    delegation on "delegations", any other signing on "golden_book"; None for the rest."""
    if event.kind == "festival_slot":
        return "festival"
    if event.delegations:
        return "delegations"
    return "golden_book" if event.kind == "golden_book" else None


def may(role: str | None, action: str) -> bool:
    return role in ACTIONS[action]


def may_read_internal(role: str | None) -> bool:
    return role in INTERNAL_READERS


def may_edit(role: str | None) -> bool:
    return role in EDITORS


#: People whose diaries are the protocol office's (SECURITY.md: only admin and protocol change
#: the Lord Mayor's diary): no organiser puts them on a festival slot, whatever an admin allows.
OFFICE_DIARY_ROLES = frozenset(("mayor", "deputy_mayor", "protocol"))
#: What organisers may use unless an admin allows more: performers, and venues of STAGE_KINDS.
PERFORMER_ROLES = frozenset(("performer",))
#: How many new slots an organiser's file or table save may add at once, and in any hour: a
#: festival of a few hundred slots fits many times over; a runaway file does not (SECURITY.md,
#: "Bounded work"). The hour is counted from the audit log, so it holds across restarts and
#: servers.
ORGANISER_ROWS_PER_FILE = 2000
ORGANISER_SLOTS_PER_HOUR = 5000
#: The store's setting that holds what an admin allows organisers besides.
ORGANISER_SETTING = "organisers"


@dataclass(frozen=True)
class OrganiserLimits:
    """What organisers may put on festival slots: people of `roles` and venues of STAGE_KINDS or
    among `venues` (ids an admin allowed). Never people of OFFICE_DIARY_ROLES, a city hall or
    a Golden Book venue, whatever the setting says: that is where the Lord Mayor's diary is."""

    roles: frozenset[str] = PERFORMER_ROLES
    venues: frozenset[str] = frozenset()

    @classmethod
    def from_setting(cls, value: object) -> OrganiserLimits:
        """The limits a stored setting holds (the defaults if it was never set)."""
        if not isinstance(value, dict):
            return cls()
        roles, venues = value.get("roles"), value.get("venues")
        return cls(
            frozenset(r for r in roles if isinstance(r, str)) if isinstance(roles, list) else PERFORMER_ROLES,
            frozenset(v for v in venues if isinstance(v, str)) if isinstance(venues, list) else frozenset(),
        )

    def setting(self) -> dict:
        return {"roles": sorted(self.roles), "venues": sorted(self.venues)}

    def allows_person(self, person: Person) -> bool:
        return person.role in self.roles and person.role not in OFFICE_DIARY_ROLES

    def allows_venue(self, venue: Venue) -> bool:
        if venue.kind == "city_hall" or venue.golden_book:
            return False
        return venue.kind in STAGE_KINDS or venue.id in self.venues

    def outsider(
        self, people: Mapping[str, Person], venues: Mapping[str, Venue], person_ids: Iterable[object], venue_id: object
    ) -> tuple[str, str] | None:
        """The first of these people and this venue that organisers may not use, as (field,
        how people read it): ("people", "Lord Mayor (mayor)"). Unknown ids are left to the
        store, which refuses them."""
        for person_id in person_ids:
            person = people.get(person_id) if isinstance(person_id, str) else None
            if person is not None and not self.allows_person(person):
                return "people", f"{person.name} ({person.role})"
        venue = venues.get(venue_id) if isinstance(venue_id, str) else None
        if venue is not None and not self.allows_venue(venue):
            return "venue", f"{venue.name} ({venue.kind})"
        return None

    def refusal(
        self, people: Mapping[str, Person], venues: Mapping[str, Venue], person_ids: Iterable[object], venue_id: object
    ) -> tuple[str, str] | None:
        """Why organisers may not put these people and this venue on a festival slot, as
        (field, reason), or None."""
        found = self.outsider(people, venues, person_ids, venue_id)
        if found is None:
            return None
        field, what = found
        return field, (
            f"{what} cannot be put on a festival slot by an organiser"
            if field == "people"
            else f"{what} is not a stage organisers may use"
        )

    def locked(
        self, people: Mapping[str, Person], venues: Mapping[str, Venue], person_ids: Iterable[object], venue_id: object
    ) -> str | None:
        """Why organisers may not change or remove an existing slot with these people at this
        venue (it is in the office's diary), or None."""
        found = self.outsider(people, venues, person_ids, venue_id)
        return (
            None
            if found is None
            else (
                f"the slot involves {found[1]}, so it is in the protocol office's "
                "diary: only admin and protocol may change or remove it"
            )
        )


def grantable_roles(limits: OrganiserLimits) -> tuple[list[str], list[str]]:
    """(the roles of people an admin may let organisers put on slots, those `limits` allow now), sorted."""
    return sorted(PERSON_ROLES - OFFICE_DIARY_ROLES), sorted(limits.roles - OFFICE_DIARY_ROLES)


def grantable_venues(plan: Plan, limits: OrganiserLimits) -> tuple[list[str], list[str]]:
    """(the plan's venues an admin may let organisers use besides stages, squares and parks,
    with those already allowed; those `limits` allow now), ids sorted."""
    allowed = limits.venues & set(plan.venues)
    more = {
        v.id
        for v in plan.venues.values()
        if not OrganiserLimits().allows_venue(v) and v.kind != "city_hall" and not v.golden_book
    }
    return sorted(more | allowed), sorted(allowed)


def organiser_limits(store: Any) -> tuple[OrganiserLimits, int]:
    """What organisers may put on festival slots now, and the version of that setting."""
    value, version = store.setting(ORGANISER_SETTING)
    return OrganiserLimits.from_setting(value), version


def checked_limits(roles: object, venue_ids: object, venues: Mapping[str, Venue]) -> OrganiserLimits:
    """The limits an admin asked for, or PlanError naming what no admin may allow."""
    if not isinstance(roles, (list, tuple, set, frozenset)) or not all(isinstance(r, str) for r in roles):
        raise PlanError("roles", "expected a list of roles")
    if not isinstance(venue_ids, (list, tuple, set, frozenset)) or not all(isinstance(v, str) for v in venue_ids):
        raise PlanError("venues", "expected a list of venue ids")
    for role in sorted(roles):
        if role not in PERSON_ROLES:
            raise PlanError("roles", f"unknown role {role!r}")
        if role in OFFICE_DIARY_ROLES:
            raise PlanError(
                "roles",
                f"people of the role {role!r} stay in the protocol office's diary: organisers "
                "can never put them on a festival slot",
            )
    for venue_id in sorted(venue_ids):
        venue = venues.get(venue_id)
        if venue is None:
            raise PlanError("venues", f"unknown venue {venue_id!r}")
        if venue.kind == "city_hall" or venue.golden_book:
            raise PlanError(
                "venues", f"{venue.name} ({venue.kind}) stays in the protocol office's diary: organisers can never use it"
            )
    return OrganiserLimits(frozenset(roles), frozenset(venue_ids))


class Editor:
    """The store as one browser session may change it.

    `account` is the signed-in account's name (None on a fresh local install without accounts);
    before every change the role is read again from the database, so a removed account or a
    lowered role takes effect at once, whatever the page showed.
    """

    def __init__(
        self,
        store: Any,
        account: str | None,
        *,
        local: bool,
        via: str = "local",
        sso_roles: dict[str, str] | None = None,
        sso_configured: bool = False,
    ):
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

    def edit_events(
        self,
        action: str,
        added: Sequence[dict] = (),
        changed: dict | None = None,
        removed: dict | None = None,
        *,
        path: str = "event",
    ) -> dict:
        """Events added, changed and removed at once, as `action` ("delegations",
        "golden_book" or "festival"). Organisers may touch festival slots only."""
        self.require(action)
        if action == "festival" and self.role() == "organiser":
            self._festival_slots_only(added, changed or {}, removed or {}, path)
        return self.store.edit_events(added, changed, removed, user=self.name, path=path)

    def _festival_slots_only(self, added, changed: dict, removed: dict, path: str) -> None:
        """Organisers change festival slots only, put only the people and venues of
        `organiser_limits` on them and no delegations (a delegation's programme is the
        office's), and leave alone slots that are in the office's diary already. The slots
        are read here; the store then writes only if each is still at the version given,
        so what was checked is what is changed."""
        self._within_organiser_quota(len(added), path)
        current = self.store.events_with_versions([*changed, *removed])
        kinds = [document.get("kind") if isinstance(document, dict) else None for document in added]
        kinds += [changes["kind"] for changes, _ in changed.values() if isinstance(changes, dict) and "kind" in changes]
        kinds += [current[event_id][0].kind for event_id in (*changed, *removed) if event_id in current]
        if any(kind != "festival_slot" for kind in kinds):
            raise Forbidden("delegations", "organiser")
        limits, _ = organiser_limits(self.store)
        people, venues = self.store.entities("person"), self.store.entities("venue")
        for event_id in (*changed, *removed):
            if event_id in current:
                event = current[event_id][0]
                reason = limits.locked(people, venues, event.people, event.venue)
                if reason:
                    raise NotForOrganisers(f"event {event_id!r}", reason)
        one = len(added) == 1 and path == "event"
        for index, document in enumerate(added):
            self._performers_on_stages(limits, people, venues, document, (), path if one else f"{path}[{index}]")
        for event_id, (changes, _) in changed.items():
            before = current[event_id][0].delegations if event_id in current else ()
            self._performers_on_stages(limits, people, venues, changes, before, f"event {event_id!r}")

    def _within_organiser_quota(self, count: int, path: str) -> None:
        """PlanError if `count` new slots are more than an organiser may add at once, or than
        this account may still add within the hour."""
        if count > ORGANISER_ROWS_PER_FILE:
            raise PlanError(
                path, f"{count:,} new slots at once; organisers add at most {ORGANISER_ROWS_PER_FILE:,} at a time: split the file"
            )
        if not count:
            return
        recent = self.store.count_audit(self.name, "add", "event", datetime.now(UTC) - timedelta(hours=1))
        if recent + count > ORGANISER_SLOTS_PER_HOUR:
            raise PlanError(
                path,
                f"{recent:,} slots added in the last hour and {count:,} more would pass the "
                f"{ORGANISER_SLOTS_PER_HOUR:,} an organiser may add in an hour: try again later, "
                "or ask the protocol office",
            )

    @staticmethod
    def _performers_on_stages(
        limits: OrganiserLimits,
        people: Mapping[str, Person],
        venues: Mapping[str, Venue],
        fields: object,
        delegations: tuple[str, ...],
        path: str,
    ) -> None:
        """NotForOrganisers if these fields of a slot (a new one, or the changed ones) name a
        person or venue outside `limits`, or change which delegations attend."""
        if not isinstance(fields, dict):
            return  # the store refuses it
        given = fields.get("delegations", list(delegations))
        if given != list(delegations):
            raise NotForOrganisers(
                f"{path}.delegations",
                "organisers cannot change which delegations attend a "
                "festival slot: a delegation's programme is the protocol office's",
            )
        person_ids = fields.get("people")
        found = limits.refusal(people, venues, person_ids if isinstance(person_ids, list) else (), fields.get("venue"))
        if found:
            raise NotForOrganisers(f"{path}.{found[0]}", found[1])

    def set_organiser_limits(self, roles: list[str], venues: list[str], *, expected_version: int) -> int:
        """Let organisers put people of `roles` and the venues `venues` (ids, besides stages,
        squares and parks) on festival slots; admin only, never the roles and venues of the
        office's diary. Returns the setting's new version (StaleEditError if another admin
        changed it since `expected_version`)."""
        self.require("admin")
        limits = checked_limits(roles, venues, self.store.entities("venue"))
        return self.store.set_setting(ORGANISER_SETTING, limits.setting(), expected_version=expected_version, user=self.name)

    def set_public_url(self, url: str, *, expected_version: int) -> int:
        """Set where guests reach the app (an http(s) address; empty: the address of the browser
        that makes a link); admin only. Returns the setting's new version (StaleEditError if
        another admin changed it since `expected_version`)."""
        self.require("admin")
        return self.store.set_setting(
            PUBLIC_URL_SETTING, checked_public_url(url), expected_version=expected_version, user=self.name
        )

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
            raise PlanError(
                "role",
                "the first account must be an admin: once it exists everyone signs in, "
                "and someone must be able to administer the app",
            )
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
