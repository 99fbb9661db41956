"""What the Conflicts and Overview pages show of the conflicts, computed in the library (issue 15:
pages keep logic out): the Conflicts page's filters (planner.rules.filters), checked against the
pandas filter the page had, and the counts per rule (planner.rules.report `conflict_counts`)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from support.paths import DATA
from support.plans import event, plan
from support.strategies import plan_documents

from planner import PlanError, check, load_plan, parse_plan
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

SAMPLE = load_plan(DATA / "dortbunt-2027.json")
SAMPLE_CONFLICTS = check(SAMPLE)
BERLIN = ZoneInfo("Europe/Berlin")


def local_day(instant: datetime) -> date:
    return instant.astimezone(BERLIN).date()


def conflict(
    rule: str = "venue_overlap", severity: str = "error", events: tuple[str, ...] = ("a",), resource: str | None = None
) -> Conflict:
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
    small = parse_plan(
        plan(event("late", "2027-05-07T23:30", "2027-05-07T23:50"), event("after", "2027-05-08T00:30", "2027-05-08T01:00"))
    )
    found = facets(small, [conflict(events=("after", "late")), conflict(events=("late",), resource="park")])
    assert found.days == (date(2027, 5, 8), date(2027, 5, 7))
    assert found.concerns == ("", "Westfalenpark")


def reference_matching(plan_, conflicts, wanted: ConflictFilter) -> list[int]:
    """The filter as the page computed it before (pandas over a table), on ids."""
    starts = {e.id: e.start for e in plan_.events}
    table = pd.DataFrame(
        {
            "severity": [c.severity for c in conflicts],
            "rule": [c.rule for c in conflicts],
            "day": [local_day(starts[c.events[0]]) for c in conflicts],
            "concerns": [concerns(plan_, c.resource) for c in conflicts],
        }
    )
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
    wanted = ConflictFilter(
        data.draw(st.frozensets(st.sampled_from(SEVERITIES))),
        frozenset(data.draw(st.lists(st.sampled_from(offered.rules))) if offered.rules else ()),
        frozenset(data.draw(st.lists(st.sampled_from(offered.days))) if offered.days else ()),
        data.draw(st.sampled_from(["", *offered.concerns])),
    )
    assert matching(conflicts, found, wanted) == reference_matching(random_plan, conflicts, wanted)


def test_no_filter_shows_all_and_no_severity_shows_none():
    everything = matching(SAMPLE_CONFLICTS, SAMPLE_FACETS, ConflictFilter())
    assert everything == list(range(len(SAMPLE_CONFLICTS)))
    assert matching(SAMPLE_CONFLICTS, SAMPLE_FACETS, ConflictFilter(severities=frozenset())) == []
    warnings = matching(SAMPLE_CONFLICTS, SAMPLE_FACETS, ConflictFilter(severities=frozenset({"warning"})))
    assert warnings and all(SAMPLE_CONFLICTS[i].severity == "warning" for i in warnings)


def test_the_choices_are_what_occurs_sorted():
    conflicts = [
        conflict("travel_time", resource="zeta"),
        conflict("capacity", resource=None),
        conflict("travel_time", resource="alpha"),
    ]
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
    conflicts = [
        conflict("travel_time", events=("s1",)),
        conflict("person_overlap", events=("s1",)),
        conflict("quiet_hours", events=("s2",)),
        conflict("changeover", events=("other",)),
        conflict("changeover", events=("s2", "s1")),
    ]
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
