"""Links, grants and pages (planner.sharing.link_status, planner.sharing.access): how long a guest
link lasts, the state of a link and whom it is for, what an admin may grant organisers, the page
that edits an event and the role of a signed-in account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from support.plans import event, festival, plan

from planner import parse_plan
from planner.sharing.access import (
    OrganiserLimits,
    account_role,
    editing_page,
    grantable_roles,
    grantable_venues,
)
from planner.sharing.link_status import MAX_LINK_DAYS, guest_link_days, link_state, link_target_name, revocable

FESTIVAL = parse_plan(festival())


# -- links, grants, pages ---------------------------------------------------------------------------


NOW = datetime(2027, 5, 1, 12, 0, tzinfo=UTC)


def test_a_guest_link_lasts_until_a_week_after_the_departure():
    small = parse_plan(plan())
    departure = small.delegations["amiens"].departure
    days = guest_link_days(small, "amiens", departure - timedelta(days=60))
    assert days == 68
    assert guest_link_days(small, "amiens", NOW) == 30  # leaves within a week: at least 30 days
    assert guest_link_days(small, "leeds", NOW) == 30  # no known departure
    assert guest_link_days(small, "nobody", NOW) == 30
    assert guest_link_days(small, "amiens", departure - timedelta(days=9000)) == MAX_LINK_DAYS


@given(st.integers(-100_000, 10_000_000))
def test_a_guest_link_outlasts_the_visit_by_a_week(minutes_before):
    small = parse_plan(plan())
    departure = small.delegations["amiens"].departure
    now = departure - timedelta(minutes=minutes_before)
    days = guest_link_days(small, "amiens", now)
    assert 30 <= days <= MAX_LINK_DAYS
    if days < MAX_LINK_DAYS:
        assert now + timedelta(days=days) >= departure + timedelta(days=7)


def link(**fields) -> dict:
    return {"number": 1, "kind": "guest", "target": "amiens", "revoked_at": None, "expires_at": None, **fields}


def test_the_state_of_a_link():
    earlier, later = NOW - timedelta(days=1), NOW + timedelta(days=1)
    assert link_state(link(revoked_at=earlier, expires_at=later), NOW) == ("revoked", earlier)
    assert link_state(link(expires_at=NOW), NOW) == ("expired", NOW)
    assert link_state(link(expires_at=later), NOW) == ("valid_until", later)
    assert link_state(link(), NOW) == ("valid", None)


def test_whom_a_link_is_for_and_which_can_be_revoked():
    small = parse_plan(plan())
    assert link_target_name(small, link()) == "Amiens"
    assert link_target_name(small, link(kind="person", target="ob")) == "Lord Mayor"
    assert link_target_name(small, link(kind="delegation", target="gone")) == "gone"
    links = [link(number=1), link(number=2, revoked_at=NOW), link(number=3, expires_at=NOW)]
    assert revocable(links) == [1, 3]


def test_what_an_admin_may_grant_organisers():
    limits = OrganiserLimits(roles=frozenset({"performer", "escort"}), venues=frozenset({"museum", "gone"}))
    offered, allowed = grantable_roles(limits)
    assert offered == ["escort", "interpreter", "other", "performer", "press"] and allowed == ["escort", "performer"]
    venues, allowed_venues = grantable_venues(FESTIVAL, limits)
    assert venues == ["hall", "museum"]  # not the Rathaus (city hall, Golden Book), not the stages
    assert allowed_venues == ["museum"]  # only venues the plan still has


def test_the_page_that_edits_an_event():
    small = parse_plan(
        plan(
            event("slot", "2027-05-08T20:00", "2027-05-08T21:00", venue="stage", kind="festival_slot", delegations=["amiens"]),
            event("visit", "2027-05-08T10:00", "2027-05-08T11:00", kind="golden_book", venue="rathaus", delegations=["amiens"]),
            event("signing", "2027-05-08T12:00", "2027-05-08T12:30", kind="golden_book", venue="rathaus"),
            event("busy", "2027-05-08T13:00", "2027-05-08T14:00", kind="unavailable", venue=None),
        )
    )
    assert [editing_page(e) for e in small.events] == ["festival", "delegations", "golden_book", None]


def test_the_role_of_a_signed_in_account_now():
    accounts, sso = {"anna": "protocol"}, {"*@dortmund.de": "viewer"}
    assert account_role("anna", "local", accounts, sso) == "protocol"
    assert account_role("bert", "local", accounts, sso) is None
    assert account_role("Eva@Dortmund.de", "sso", accounts, sso) == "viewer"
    assert account_role("anna", "sso", accounts, sso) is None  # no address: no single sign-on role
