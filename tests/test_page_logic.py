"""What the pages show, computed in the library (issue 15: pages keep logic out): the Conflicts
page's filters (planner/rules/filters.py), counts per rule (report.py), Golden Book bookings
(scheduling/golden_book.py), the plan day by day (exports/agenda.py), the festival table's
stages and slots (imports/festival_programme.py), links (sharing/link_status.py), organisers' grants
and where an event is edited (sharing/access.py), and what a filtered timeline leaves out."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from conftest import DATA
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from plans import event, plan, venue
from strategies import plan_documents

from planner import PlanError, check, load_plan, parse_plan
from planner.exports import agenda
from planner.exports.timelines import outside_view
from planner.imports.festival_programme import (
    editable_slots,
    festival_slots,
    performer_choices,
    slots_per_stage,
    slots_shown,
    stage_choices,
    stages,
)
from planner.plan.model import RULES, SEVERITIES
from planner.rules.engine import Conflict
from planner.rules.filters import (
    FESTIVAL_RULES,
    ConflictFilter,
    choices,
    concerns,
    facets,
    festival_problems,
    matching,
    touching,
)
from planner.rules.report import conflict_counts
from planner.scheduling import golden_book
from planner.sharing.access import (
    OrganiserLimits,
    account_role,
    editing_page,
    grantable_roles,
    grantable_venues,
)
from planner.sharing.link_status import MAX_LINK_DAYS, guest_link_days, link_state, link_target_name, revocable

SAMPLE = load_plan(DATA / "dortbunt-2027.json")
SAMPLE_CONFLICTS = check(SAMPLE)
BERLIN = ZoneInfo("Europe/Berlin")


def local_day(instant: datetime) -> date:
    return instant.astimezone(BERLIN).date()


def conflict(rule: str = "venue_overlap", severity: str = "error", events: tuple[str, ...] = ("a",),
             resource: str | None = None) -> Conflict:
    return Conflict(rule, severity, events, resource)


# -- the Conflicts page's filters ---------------------------------------------------------------


def test_concerns_names_venues_people_and_delegations():
    small = parse_plan(plan())
    assert concerns(small, "rathaus") == "Rathaus Dortmund"
    assert concerns(small, "ob") == "Lord Mayor"
    assert concerns(small, "amiens") == "Amiens"
    assert concerns(small, "gone") == "gone"
    assert concerns(small, None) == ""


def test_a_conflict_is_on_the_local_day_of_its_first_event():
    # 23:30 in Dortmund on 7 May is 21:30 UTC; 00:30 on 8 May is 22:30 UTC on 7 May.
    small = parse_plan(plan(event("late", "2027-05-07T23:30", "2027-05-07T23:50"),
                            event("after", "2027-05-08T00:30", "2027-05-08T01:00")))
    found = facets(small, [conflict(events=("after", "late")), conflict(events=("late",), resource="park")])
    assert found.days == (date(2027, 5, 8), date(2027, 5, 7))
    assert found.concerns == ("", "Westfalenpark")


def reference_matching(plan_, conflicts, wanted: ConflictFilter) -> list[int]:
    """The filter as the page computed it before (pandas over a table), on ids."""
    starts = {e.id: e.start for e in plan_.events}
    table = pd.DataFrame({
        "severity": [c.severity for c in conflicts], "rule": [c.rule for c in conflicts],
        "day": [local_day(starts[c.events[0]]) for c in conflicts],
        "concerns": [concerns(plan_, c.resource) for c in conflicts]})
    keep = table["severity"].isin(wanted.severities)
    if wanted.rules:
        keep &= table["rule"].isin(wanted.rules)
    if wanted.days:
        keep &= table["day"].isin(wanted.days)
    if wanted.concerning:
        keep &= table["concerns"] == wanted.concerning
    return [int(i) for i in table[keep].index]


SAMPLE_FACETS = facets(SAMPLE, SAMPLE_CONFLICTS)
FILTERS = st.builds(
    ConflictFilter,
    st.frozensets(st.sampled_from(SEVERITIES)),
    st.frozensets(st.sampled_from(sorted(RULES))),
    st.frozensets(st.sampled_from(sorted(set(SAMPLE_FACETS.days)) + [date(2027, 1, 1)])),
    st.sampled_from(["", "nobody", *SAMPLE_FACETS.concerns]),
)


@given(FILTERS)
def test_the_filters_let_through_what_the_pages_table_filter_did(wanted):
    assert matching(SAMPLE_CONFLICTS, SAMPLE_FACETS, wanted) == reference_matching(SAMPLE, SAMPLE_CONFLICTS, wanted)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan_documents(), st.data())
def test_the_filters_on_random_plans(document, data):
    try:
        random_plan = parse_plan(document)
    except PlanError:
        assume(False)
    conflicts = check(random_plan)
    found = facets(random_plan, conflicts)
    offered = choices(conflicts, found)
    wanted = ConflictFilter(data.draw(st.frozensets(st.sampled_from(SEVERITIES))),
                            frozenset(data.draw(st.lists(st.sampled_from(offered.rules))) if offered.rules else ()),
                            frozenset(data.draw(st.lists(st.sampled_from(offered.days))) if offered.days else ()),
                            data.draw(st.sampled_from(["", *offered.concerns])))
    assert matching(conflicts, found, wanted) == reference_matching(random_plan, conflicts, wanted)


def test_no_filter_shows_all_and_no_severity_shows_none():
    everything = matching(SAMPLE_CONFLICTS, SAMPLE_FACETS, ConflictFilter())
    assert everything == list(range(len(SAMPLE_CONFLICTS)))
    assert matching(SAMPLE_CONFLICTS, SAMPLE_FACETS, ConflictFilter(severities=frozenset())) == []
    warnings = matching(SAMPLE_CONFLICTS, SAMPLE_FACETS, ConflictFilter(severities=frozenset({"warning"})))
    assert warnings and all(SAMPLE_CONFLICTS[i].severity == "warning" for i in warnings)


def test_the_choices_are_what_occurs_sorted():
    conflicts = [conflict("travel_time", resource="zeta"), conflict("capacity", resource=None),
                 conflict("travel_time", resource="alpha")]
    found = facets(parse_plan(plan(event("a", "2027-05-08T10:00", "2027-05-08T11:00"))), conflicts)
    offered = choices(conflicts, found)
    assert offered.rules == ["capacity", "travel_time"]
    assert offered.days == [date(2027, 5, 8)]
    assert offered.concerns == ["alpha", "zeta"]  # no empty name: "all" is the page's own option


def test_touching_keeps_the_conflicts_of_the_given_events_in_order():
    conflicts = [conflict(events=("a", "b")), conflict(events=("c",)), conflict(events=("d", "a"))]
    assert touching(conflicts, ["a"]) == [conflicts[0], conflicts[2]]
    assert touching(conflicts, iter(["c", "x"])) == [conflicts[1]]
    assert touching(conflicts, []) == []


def test_festival_problems_list_changeovers_and_quiet_hours_first():
    conflicts = [conflict("travel_time", events=("s1",)), conflict("person_overlap", events=("s1",)),
                 conflict("quiet_hours", events=("s2",)), conflict("changeover", events=("other",)),
                 conflict("changeover", events=("s2", "s1"))]
    problems = festival_problems(conflicts, {"s1", "s2"})
    assert [c.rule for c in problems] == ["changeover", "quiet_hours", "person_overlap", "travel_time"]
    assert FESTIVAL_RULES[:2] == ("changeover", "quiet_hours")


# -- counts per rule (the Overview page) ------------------------------------------------------


def reference_counts(conflicts):
    """The page's table before: pandas' value_counts of (rule, severity)."""
    counts = pd.DataFrame({"rule": [c.rule for c in conflicts], "severity": [c.severity for c in conflicts]})
    table = counts.value_counts().rename("Count").reset_index()
    return list(zip(table["rule"], table["severity"], table["Count"].tolist(), strict=True))


@given(st.lists(st.tuples(st.sampled_from(sorted(RULES)), st.sampled_from(SEVERITIES)), min_size=1, max_size=80))
def test_conflict_counts_are_the_overviews_table(pairs):
    conflicts = [conflict(rule, severity) for rule, severity in pairs]
    counts = conflict_counts(conflicts)
    assert counts == reference_counts(conflicts)
    assert sum(n for _, _, n in counts) == len(conflicts)
    assert [n for _, _, n in counts] == sorted((n for _, _, n in counts), reverse=True)


# -- Golden Book bookings -----------------------------------------------------------------------


def test_signatories_and_who_signs_by_default():
    assert [p.id for p in golden_book.signatories(SAMPLE)] == ["ob", "dep-becker", "dep-schulte"]
    assert golden_book.first_signatory(SAMPLE) == "ob"
    deputies_first = parse_plan(plan(people=[{"id": "dep", "name": "Deputy", "role": "deputy_mayor"},
                                             {"id": "ob", "name": "Mayor", "role": "mayor"}]))
    assert golden_book.first_signatory(deputies_first) == "ob"
    deputy_only = parse_plan(plan(people=[{"id": "esc", "name": "Escort", "role": "escort"},
                                          {"id": "dep", "name": "Deputy", "role": "deputy_mayor"}]))
    assert golden_book.first_signatory(deputy_only) == "dep"
    assert golden_book.first_signatory(parse_plan(plan(people=[]))) is None


def test_signings_are_sorted_and_their_signatories_named():
    small = parse_plan(plan(
        event("gb-2", "2027-05-08T11:00", "2027-05-08T11:30", venue="rathaus", kind="golden_book",
              delegations=["leeds"], people=["esc", "ob"]),
        event("gb-1", "2027-05-08T11:00", "2027-05-08T11:30", venue="rathaus", kind="golden_book",
              delegations=["amiens"], status="cancelled"),
        event("meeting", "2027-05-07T09:00", "2027-05-07T10:00", kind="meeting")))
    signings = golden_book.signings(small)
    assert [e.id for e in signings] == ["gb-1", "gb-2"]  # same start: by id; cancelled ones too
    assert [p.name for p in golden_book.signing_signatories(small, signings[1])] == ["Lord Mayor"]
    assert golden_book.golden_book_venues(small) == ["rathaus"]


def test_not_yet_booked_ignores_cancelled_signings():
    small = parse_plan(plan(
        event("gb-amiens", "2027-05-08T11:00", "2027-05-08T11:30", venue="rathaus", kind="golden_book",
              delegations=["amiens"], status="cancelled"),
        event("tour", "2027-05-08T12:00", "2027-05-08T13:00", kind="tour", delegations=["leeds"])))
    assert [d.id for d in golden_book.not_yet_booked(small)] == ["amiens", "leeds"]
    small.events[0].status = "tentative"
    assert [d.id for d in golden_book.not_yet_booked(small)] == ["leeds"]
    reference = [d.id for d in SAMPLE.delegations.values()
                 if not any(d.id in e.delegations and e.status != "cancelled"
                            for e in SAMPLE.events if e.kind == "golden_book")]
    assert [d.id for d in golden_book.not_yet_booked(SAMPLE)] == reference


# -- the plan day by day --------------------------------------------------------------------------


DAY_PLAN = parse_plan(plan(
    event("late", "2027-05-07T23:30", "2027-05-08T00:30", kind="meeting"),
    event("gone", "2027-05-09T10:00", "2027-05-09T11:00", status="cancelled"),
    event("busy", "2027-05-10T10:00", "2027-05-10T11:00", venue=None, kind="unavailable", people=["ob"]),
    event("slot", "2027-05-08T20:00", "2027-05-08T21:00", venue="stage", kind="festival_slot"),
    event("b", "2027-05-08T09:00", "2027-05-08T10:00", delegations=["amiens"]),
    event("a", "2027-05-08T09:00", "2027-05-08T10:00", delegations=["amiens"], status="cancelled"),
))


def test_days_of_events_are_local_days():
    assert agenda.event_days(DAY_PLAN) == [date(2027, 5, 7), date(2027, 5, 8), date(2027, 5, 9), date(2027, 5, 10)]
    assert agenda.live_days(DAY_PLAN) == [date(2027, 5, 7), date(2027, 5, 8), date(2027, 5, 10)]
    assert agenda.live_days(DAY_PLAN, busy_time=False) == [date(2027, 5, 7), date(2027, 5, 8)]
    assert agenda.event_days(DAY_PLAN, [DAY_PLAN.events[3]]) == [date(2027, 5, 8)]
    assert agenda.event_days(DAY_PLAN, []) == []


@given(st.lists(st.dates(date(2027, 1, 1), date(2027, 12, 31)), unique=True).map(sorted),
       st.dates(date(2027, 1, 1), date(2027, 12, 31)))
def test_the_first_day_shown_is_today_or_the_next_planned_day(days, today):
    first = agenda.first_day_shown(days, today)
    later = [d for d in days if d >= today]
    assert first == (later[0] if later else days[0] if days else today)


def test_a_new_event_starts_on_the_festival_or_the_first_planned_day():
    assert agenda.first_day(SAMPLE, date(2000, 1, 1)) == SAMPLE.festival.start
    assert agenda.first_day(DAY_PLAN, date(2000, 1, 1)) == date(2027, 5, 7)
    assert agenda.first_day(parse_plan(plan()), date(2030, 2, 3)) == date(2030, 2, 3)


def test_a_days_programme_and_its_slots():
    day = date(2027, 5, 8)
    assert [e.id for e in agenda.events_on(DAY_PLAN, day)] == ["slot", "b", "a"]  # plan order
    assert [e.id for e in agenda.day_programme(DAY_PLAN, day)] == ["a", "b"]  # by start, then id
    assert agenda.day_programme(DAY_PLAN, date(2027, 5, 10)) == []  # busy time is no programme
    assert agenda.festival_slot_count(DAY_PLAN, day) == 1
    assert agenda.festival_slot_count(DAY_PLAN, date(2027, 5, 7)) == 0


def test_arrivals_and_departures_on_a_day():
    assert [d.id for d in agenda.arrivals(DAY_PLAN, date(2027, 5, 7))] == ["amiens"]
    assert agenda.arrivals(DAY_PLAN, date(2027, 5, 9)) == []
    assert [d.id for d in agenda.departures(DAY_PLAN, date(2027, 5, 9))] == ["amiens"]  # leeds has no dates


def test_a_delegations_programme_is_sorted_with_cancelled_events():
    assert [e.id for e in agenda.delegation_programme(DAY_PLAN, "amiens")] == ["a", "b"]
    assert agenda.delegation_programme(DAY_PLAN, "leeds") == []


# -- the festival table ----------------------------------------------------------------------------


FESTIVAL = parse_plan(plan(
    event("s2", "2027-05-08T20:00", "2027-05-08T21:00", venue="stage", kind="festival_slot", people=["ob"]),
    event("s1", "2027-05-08T20:00", "2027-05-08T21:00", venue="park", kind="festival_slot"),
    event("s3", "2027-05-09T18:00", "2027-05-09T19:00", venue="stage", kind="festival_slot", status="cancelled"),
    event("talk", "2027-05-08T10:00", "2027-05-08T11:00", venue="stage", kind="meeting"),
    venues=[*plan()["venues"], venue("hall", kind="museum", amplified=True), venue("museum", kind="museum")],
))


def test_stages_and_slots_of_the_festival():
    assert stages(FESTIVAL) == ["park", "stage", "hall"]  # stage kinds, or amplified
    slots = festival_slots(FESTIVAL)
    assert [e.id for e in slots] == ["s1", "s2", "s3"]  # by start, then stage, then id
    assert slots_per_stage(slots, ["stage", "park", "hall"]) == [2, 1, 0]


def test_slots_shown_for_days_and_stages():
    slots = festival_slots(FESTIVAL)
    assert slots_shown(FESTIVAL, slots, [], []) == slots
    assert [e.id for e in slots_shown(FESTIVAL, slots, [date(2027, 5, 8)], [])] == ["s1", "s2"]
    assert [e.id for e in slots_shown(FESTIVAL, slots, [], ["stage"])] == ["s2", "s3"]
    assert [e.id for e in slots_shown(FESTIVAL, slots, [date(2027, 5, 9)], ["park"])] == []


def test_what_the_table_offers_an_organiser():
    limits = OrganiserLimits(venues=frozenset({"museum"}))
    assert stage_choices(FESTIVAL) == stages(FESTIVAL)
    assert stage_choices(FESTIVAL, limits) == ["park", "stage", "museum"]  # not the Rathaus, not "hall"
    assert performer_choices(FESTIVAL) == ["ob", "int-fr", "esc"]
    assert performer_choices(FESTIVAL, limits) == []  # no performers in this plan
    assert performer_choices(FESTIVAL, OrganiserLimits(roles=frozenset({"escort", "mayor"}))) == ["esc"]


def test_slots_in_the_offices_diary_are_kept_out_of_an_organisers_table():
    slots = festival_slots(FESTIVAL)
    editable, locked = editable_slots(FESTIVAL, slots, OrganiserLimits())
    assert ([e.id for e in editable], [e.id for e in locked]) == (["s1", "s3"], ["s2"])  # s2: the Lord Mayor
    assert editable_slots(FESTIVAL, slots) == (slots, [])


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
    small = parse_plan(plan(
        event("slot", "2027-05-08T20:00", "2027-05-08T21:00", venue="stage", kind="festival_slot",
              delegations=["amiens"]),
        event("visit", "2027-05-08T10:00", "2027-05-08T11:00", kind="golden_book", venue="rathaus",
              delegations=["amiens"]),
        event("signing", "2027-05-08T12:00", "2027-05-08T12:30", kind="golden_book", venue="rathaus"),
        event("busy", "2027-05-08T13:00", "2027-05-08T14:00", kind="unavailable", venue=None)))
    assert [editing_page(e) for e in small.events] == ["festival", "delegations", "golden_book", None]


def test_the_role_of_a_signed_in_account_now():
    accounts, sso = {"anna": "protocol"}, {"*@dortmund.de": "viewer"}
    assert account_role("anna", "local", accounts, sso) == "protocol"
    assert account_role("bert", "local", accounts, sso) is None
    assert account_role("Eva@Dortmund.de", "sso", accounts, sso) == "viewer"
    assert account_role("anna", "sso", accounts, sso) is None  # no address: no single sign-on role


# -- what a filtered timeline leaves out --------------------------------------------------------


def test_a_filtered_timeline_leaves_out_what_does_not_match():
    begins, ends = DAY_PLAN.events[4].start, DAY_PLAN.events[4].end  # 8 May 09:00-10:00
    everything = {e.id for e in DAY_PLAN.events}
    assert outside_view(DAY_PLAN, [], [], begins, ends) == everything - {"a", "b"}
    assert outside_view(DAY_PLAN, [], [], begins - timedelta(days=9), ends + timedelta(days=9)) == set()
    wide = (begins - timedelta(days=9), ends + timedelta(days=9))
    assert outside_view(DAY_PLAN, ["stage"], [], *wide) == everything - {"slot"}
    assert outside_view(DAY_PLAN, [], ["amiens"], *wide) == everything - {"a", "b"}
    assert outside_view(DAY_PLAN, ["stage"], ["amiens"], *wide) == everything
