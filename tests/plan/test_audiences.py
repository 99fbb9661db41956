"""The guest's plan (planner.plan.audiences `guest_plan`): one delegation's events, places and
people, and nothing private or of another delegation."""

from __future__ import annotations

import pytest
from support.paths import DATA
from support.plans import event, plan

from planner import PlanError, load_plan, parse_plan
from planner.plan.audiences import guest_plan
from planner.plan.model import Person

SAMPLE = load_plan(DATA / "dortbunt-2027.json")


# -- the guest's plan ------------------------------------------------------------------------


def secret_plan():
    document = plan(
        event(
            "visit",
            "2027-05-07T11:00",
            "2027-05-07T12:00",
            venue="rathaus",
            kind="meeting",
            title="Visit",
            delegations=["amiens"],
            people=["ob", "int-fr"],
            notes="internal: VIP parking",
            attendance=40,
            pinned=True,
        ),
        event(
            "joint",
            "2027-05-07T17:00",
            "2027-05-07T18:00",
            venue="park",
            kind="reception",
            title="Joint reception",
            delegations=["amiens", "leeds"],
            people=["ob"],
        ),
        event(
            "leeds-only",
            "2027-05-07T14:00",
            "2027-05-07T15:00",
            venue="stage",
            title="Leeds lunch",
            delegations=["leeds"],
            people=["esc"],
            notes="leeds secret",
        ),
        event(
            "off",
            "2027-05-07T15:00",
            "2027-05-07T16:00",
            venue=None,
            kind="unavailable",
            title="Private",
            delegations=["amiens"],
            people=["ob"],
        ),
        event(
            "called-off",
            "2027-05-08T09:00",
            "2027-05-08T10:00",
            venue="park",
            title="Cancelled walk",
            delegations=["amiens"],
            status="cancelled",
        ),
    )
    document["people"][0].update(phone="+49 231 5550199", email="ob@example.org", notes="mayor's private note")
    document["venues"][0]["notes"] = "door code 4711"
    document["delegations"][0].update(notes="amiens internal note", hotel="hotel")
    document["delegations"][1].update(notes="leeds internal note")
    document["venues"].append(
        {"id": "hotel", "name": "Hotel Nord", "lat": 51.51, "lon": 7.46, "kind": "hotel", "notes": "hotel rate 89 EUR"}
    )
    document["travel"] = [{"from": "rathaus", "to": "park", "minutes": 12}, {"from": "rathaus", "to": "stage", "minutes": 3}]
    return parse_plan(document)


def test_guest_plan_holds_one_delegation_and_no_private_details():
    source = secret_plan()
    guest = guest_plan(source, "amiens")
    assert list(guest.delegations) == ["amiens"] and guest.delegations["amiens"].notes == ""
    assert [e.id for e in guest.events] == ["visit", "joint", "called-off"]  # no busy time, no Leeds event
    assert all(e.delegations == ("amiens",) for e in guest.events)
    assert all(e.notes == "" and e.attendance is None and not e.pinned for e in guest.events)
    assert set(guest.venues) == {"rathaus", "park", "hotel"}
    assert all(v.notes == "" for v in guest.venues.values())
    assert [(t.source, t.target) for t in guest.travel] == [("rathaus", "park")]
    assert guest.people == {
        "ob": Person("ob", "Lord Mayor", "mayor"),
        "int-fr": Person("int-fr", "Interpreter French", "interpreter"),
    }
    text = repr(guest)
    for secret in (
        "5550199",
        "ob@example.org",
        "private note",
        "4711",
        "VIP parking",
        "internal note",
        "Leeds",
        "leeds",
        "89 EUR",
        "Private",
        "Escort",
    ):
        assert secret not in text, secret
    # The source plan is untouched.
    assert source.delegations["amiens"].notes == "amiens internal note" and source.people["ob"].phone


@pytest.mark.parametrize("delegation", list(SAMPLE.delegations))
def test_guest_plan_of_each_sample_delegation(delegation):
    guest = guest_plan(SAMPLE, delegation)
    expected = [e for e in SAMPLE.events if delegation in e.delegations and e.kind != "unavailable"]
    assert sorted(e.id for e in guest.events) == sorted(e.id for e in expected) and expected
    others = set(SAMPLE.delegations) - {delegation}
    assert set(guest.delegations) == {delegation}
    assert not any(others & set(e.delegations) for e in guest.events)
    assert all(not (p.phone or p.email or p.notes or p.languages) for p in guest.people.values())
    # People: everyone at the delegation's own events; at joint events only the city's hosts and
    # the people who serve this delegation at its own events (others would name their cities).
    own = [e for e in expected if e.delegations == (delegation,)]
    serving = {p for e in own for p in e.people}
    hosts = {p for p, person in SAMPLE.people.items() if person.role in ("mayor", "deputy_mayor", "protocol")}
    source = {e.id: e for e in expected}
    for shown in guest.events:  # when and where stay exactly as planned
        original = source[shown.id]
        assert (shown.title, shown.start, shown.end, shown.venue, shown.status) == (
            original.title,
            original.start,
            original.end,
            original.venue,
            original.status,
        )
        if len(original.delegations) == 1:
            assert shown.people == original.people
        else:
            assert shown.people == tuple(p for p in original.people if p in serving or p in hosts)
    assert set(guest.people) == {p for e in guest.events for p in e.people}
    for person in guest.people.values():  # no other delegation's escort or interpreter
        assert not any(SAMPLE.delegations[other].city in person.name for other in others)


def test_guest_plan_of_an_unknown_delegation():
    with pytest.raises(PlanError, match="unknown delegation"):
        guest_plan(SAMPLE, "atlantis")
