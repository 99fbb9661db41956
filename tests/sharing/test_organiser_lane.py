"""Organisers keep to the festival: on their slots only performers (and the roles an admin
allows, never the Lord Mayor, a deputy or the protocol) and only stages, squares and parks (and
the venues an admin allows, never the Rathaus), and they leave alone the slots already in the
protocol office's diary. The same rule holds for the programme import, the slot table and a
direct call of `planner.sharing.access.Editor`; protocol and admin may still do all of it. An admin
changes what is allowed through Editor and on the Admin page (planner/sharing/access.py
`OrganiserLimits`, the store's `settings`)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from support.pages import buttons, open_page, ran, session
from support.paths import DATA

from planner import PlanError, load_plan
from planner.imports.festival_programme import ProgrammeError, read_programme, slot_rows, table_changes
from planner.sharing.access import Editor, Forbidden, NotForOrganisers, OrganiserLimits, organiser_limits
from planner.storage import PlanStore, StaleEditError

PASSWORD = "correct horse battery"
SAMPLE = load_plan(DATA / "dortbunt-2027.json")
DIARY = {
    "ob": "Lord Mayor (mayor)",
    "dep-becker": "Deputy Mayor A. Becker (deputy_mayor)",
    "prot-hoffmann": "Protocol Officer J. Hoffmann (head of protocol) (protocol)",
}
OFFICE_SLOT = "opening-concert"  # the Lord Mayor opens the festival on the main stage


def editors(store: PlanStore) -> dict[str, Editor]:
    for role in ("admin", "protocol", "organiser", "viewer"):
        store.add_user(f"{role}-desk", role, PASSWORD, user="setup")
    return {role: Editor(store, f"{role}-desk", local=False) for role in ("admin", "protocol", "organiser", "viewer")}


def state(store: PlanStore) -> tuple:
    return store.revision(), store.export_document(), len(store.audit())


def new_slot(ident: str = "lane-slot", **fields) -> dict:
    return {
        "id": ident,
        "title": "Act",
        "kind": "festival_slot",
        "start": "2027-05-08T11:00",
        "end": "2027-05-08T11:30",
        "venue": "hansaplatz",
        "people": ["perf-dj"],
        **fields,
    }


@pytest.fixture
def desks(store):
    return editors(store)


# -- the rule ----------------------------------------------------------------------------------


def test_by_default_performers_on_stages_squares_and_parks_only():
    limits = OrganiserLimits()
    assert {p.id for p in SAMPLE.people.values() if limits.allows_person(p)} == {
        p.id for p in SAMPLE.people.values() if p.role == "performer"
    }
    assert {v.kind for v in SAMPLE.venues.values() if limits.allows_venue(v)} == {"stage", "park"}
    assert not limits.allows_venue(SAMPLE.venues["rathaus"])
    # Whatever a setting holds, the office's diary stays the office's.
    forced = OrganiserLimits(frozenset({"mayor", "deputy_mayor", "protocol", "other"}), frozenset({"rathaus"}))
    assert not any(forced.allows_person(SAMPLE.people[p]) for p in DIARY)
    assert forced.allows_person(SAMPLE.people["clergy-prot"]) and not forced.allows_venue(SAMPLE.venues["rathaus"])


# -- the import --------------------------------------------------------------------------------

IMPORT = (
    "title,stage,day,start,end,performers\n"
    "Brass at noon,friedensplatz,2027-05-08,12:00,12:45,perf-bigband\n"
    "Welcome,Alter Markt,2027-05-08,13:00,13:15,Lord Mayor\n"
    "Greeting,hansaplatz,2027-05-08,13:00,13:15,dep-becker\n"
    "Briefing,hansaplatz,2027-05-08,14:00,14:15,prot-hoffmann\n"
    "Chamber music,Rathaus Dortmund,2027-05-08,15:00,15:45,perf-choir\n"
)


def test_an_organisers_import_names_each_row_and_reason_and_takes_nothing(store, desks):
    with pytest.raises(ProgrammeError) as raised:
        read_programme(IMPORT.encode(), "programme.csv", store.load_plan(), organiser_limits(store)[0])
    assert raised.value.problems == [
        "row 3 (Welcome): Lord Mayor (mayor) cannot be put on a festival slot by an organiser",
        "row 4 (Greeting): Deputy Mayor A. Becker (deputy_mayor) cannot be put on a festival slot by an organiser",
        "row 5 (Briefing): Protocol Officer J. Hoffmann (head of protocol) (protocol) cannot be put on a festival "
        "slot by an organiser",
        "row 6 (Chamber music): Rathaus Dortmund (city_hall) is not a stage organisers may use",
    ]
    # The office reads the same file, and the editor then refuses the same slots to organisers.
    documents = read_programme(IMPORT.encode(), "programme.csv", store.load_plan())
    before = state(store)
    with pytest.raises(NotForOrganisers) as refused:
        desks["organiser"].edit_events("festival", added=documents, path="slot")
    assert str(refused.value) == "slot[1].people: Lord Mayor (mayor) cannot be put on a festival slot by an organiser"
    assert state(store) == before
    for role in ("protocol", "admin"):
        desks[role].edit_events("festival", added=[{**d, "id": f"{role}-{d['id']}"} for d in documents], path="slot")
    assert {"protocol-slot-alter-markt-1", "admin-slot-rathaus-1"} <= {e.id for e in store.load_plan().events}


def test_the_festival_page_refuses_an_organisers_import_row_by_row(store):
    app = session(store, "organiser")
    open_page(app, "festival")
    before = state(store)
    app.get("file_uploader")[0].set_value(("programme.csv", IMPORT.encode(), "text/csv"))
    ran(app)
    errors = [e.value for e in app.error]
    assert errors[0] == "4 row(s) are wrong; nothing was imported:"
    assert errors[1].startswith("row 3 (Welcome): Lord Mayor (mayor) cannot be put on a festival slot")
    assert errors[4].startswith("row 6 (Chamber music): Rathaus Dortmund (city\\_hall) is not a stage")
    assert "Import" not in buttons(app)
    assert state(store) == before


# -- the table ---------------------------------------------------------------------------------


def options(table, column: str) -> set[str]:
    """The values a picker column of the table editor offers."""
    return {o["value"] for o in json.loads(table.proto.columns)[column]["type_config"]["options"]}


def test_the_organisers_table_offers_only_performers_and_stages_and_keeps_the_offices_slots_apart(store):
    app = session(store, "organiser")
    open_page(app, "festival")
    app.multiselect(key="festival-days").set_value([])  # every day
    ran(app)
    table = next(d for d in app.dataframe if d.editing_mode == "dynamic")
    stages, performers = options(table, "stage"), options(table, "performers")
    assert OFFICE_SLOT not in set(table.value["id"])
    assert not set(table.value["id"]) & {"music-day-opening", "peace-prayer"}
    assert performers == {p.id for p in SAMPLE.people.values() if p.role == "performer"}
    assert "rathaus" not in stages and "reinoldikirche" not in stages and {"hansaplatz", "stadtgarten"} <= stages
    office = next(d for d in app.dataframe if "With" in d.value.columns)
    assert {"Opening concert DORTBUNT! 2027", "Music day opening", "Interfaith peace prayer with the Lord Mayor"} <= set(
        office.value["Title"]
    )
    assert any("protocol office's diary" in c.value for c in app.caption)


def test_the_protocol_table_still_offers_everyone(store):
    app = session(store, "protocol")
    open_page(app, "festival")
    table = next(d for d in app.dataframe if d.editing_mode == "dynamic")
    assert OFFICE_SLOT in set(table.value["id"]) and options(table, "performers") == set(SAMPLE.people)


def test_an_organiser_cannot_put_the_lord_mayor_on_a_slot_through_the_table(store):
    app = session(store, "organiser")
    open_page(app, "festival")
    table = next(d for d in app.dataframe if d.editing_mode == "dynamic")
    before = state(store)
    app.session_state[table.key] = {
        "edited_rows": {0: {"performers": ["perf-bigband", "ob"]}, 1: {"stage": "rathaus"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    ran(app)
    errors = [e.value for e in app.error]
    assert errors[0].startswith("row 1 (") and errors[0].endswith(
        "Lord Mayor (mayor) cannot be put on a festival slot by an organiser"
    )
    assert errors[1].startswith("row 2 (") and "Rathaus Dortmund (city\\_hall) is not a stage organisers may use" in errors[1]
    assert "Save the table" not in buttons(app)
    assert state(store) == before


def office_table():
    slots = sorted((e for e in SAMPLE.events if e.kind == "festival_slot"), key=lambda e: (e.start, e.id))
    slots = [e for e in slots if e.id == OFFICE_SLOT] + [e for e in slots if not e.people][:2]
    return slot_rows(SAMPLE, slots)


def test_table_changes_refuse_an_organisers_change_or_removal_of_the_offices_slots():
    before = office_table()
    after = before.copy()
    after.loc[0, "title"] = "Renamed concert"
    with pytest.raises(ProgrammeError) as raised:
        table_changes(SAMPLE, before, after, OrganiserLimits())
    assert raised.value.problems == [
        "row 1 (Renamed concert): the slot involves Lord Mayor (mayor), so it is in the protocol office's diary: "
        "only admin and protocol may change or remove it"
    ]
    with pytest.raises(ProgrammeError) as raised:
        table_changes(SAMPLE, before, before.drop(index=0), OrganiserLimits())
    assert raised.value.problems[0].startswith("the removed row (Opening concert DORTBUNT! 2027): the slot involves")
    # The office changes and removes it.
    assert table_changes(SAMPLE, before, after)[1] == {OFFICE_SLOT: {"title": "Renamed concert"}}
    assert table_changes(SAMPLE, before, before.drop(index=0))[2] == {OFFICE_SLOT}


# -- a direct call (the form path) -----------------------------------------------------------------


def direct_calls(store: PlanStore) -> dict[str, dict]:
    """Each way an organiser's edit could reach into the office's diary, as edit_events' arguments."""
    slot, version = store.event("slot-hansaplatz-fri-1800")
    office, office_version = store.event(OFFICE_SLOT)
    calls = {f"add with {p}": {"added": [new_slot(people=["perf-dj", p])]} for p in DIARY}
    calls |= {f"change to {p}": {"changed": {slot.id: ({"people": [p]}, version)}} for p in DIARY}
    calls |= {
        "add at the Rathaus": {"added": [new_slot(venue="rathaus")]},
        "move to the Rathaus": {"changed": {slot.id: ({"venue": "rathaus"}, version)}},
        "add at a church": {"added": [new_slot(venue="reinoldikirche")]},
        "add with a delegation": {"added": [new_slot(delegations=["amiens"])]},
        "change the delegations": {"changed": {slot.id: ({"delegations": ["leeds"]}, version)}},
        "rename a slot with the Lord Mayor": {"changed": {office.id: ({"title": "Renamed"}, office_version)}},
        "take the Lord Mayor off his slot": {"changed": {office.id: ({"people": ["host"]}, office_version)}},
        "remove a slot with the Lord Mayor": {"removed": {office.id: office_version}},
        "a good slot with a bad one": {"added": [new_slot("good"), new_slot("bad", people=["ob"])]},
    }
    return calls


CALLS = [
    *(f"add with {p}" for p in DIARY),
    *(f"change to {p}" for p in DIARY),
    "add at the Rathaus",
    "move to the Rathaus",
    "add at a church",
    "add with a delegation",
    "change the delegations",
    "rename a slot with the Lord Mayor",
    "take the Lord Mayor off his slot",
    "remove a slot with the Lord Mayor",
    "a good slot with a bad one",
]


@pytest.mark.parametrize("call", CALLS)
def test_a_direct_call_cannot_reach_into_the_offices_diary_as_organiser(store, desks, call):
    calls = direct_calls(store)
    assert set(calls) == set(CALLS)
    arguments = calls[call]
    before = state(store)
    with pytest.raises(NotForOrganisers) as refused:
        desks["organiser"].edit_events("festival", **arguments)
    assert "organiser" in str(refused.value) or "protocol office" in str(refused.value)
    assert isinstance(refused.value, Forbidden)  # the app says "Not allowed: ..."
    assert state(store) == before


@pytest.mark.parametrize("role", ["protocol", "admin"])
@pytest.mark.parametrize("call", CALLS)
def test_protocol_and_admin_still_can(store, desks, role, call):
    arguments = direct_calls(store)[call]
    before = state(store)
    desks[role].edit_events("festival", **arguments)
    assert state(store) != before


def test_an_organiser_still_changes_and_removes_their_own_slots(store, desks):
    olga = desks["organiser"]
    olga.edit_events("festival", added=[new_slot()])
    slot, version = store.event("lane-slot")
    olga.edit_events("festival", changed={slot.id: ({"people": ["perf-choir"], "venue": "ostwallpark"}, version)})
    assert store.event("lane-slot")[0].venue == "ostwallpark"
    olga.edit_events("festival", removed={slot.id: version + 1})
    assert {a.user for a in store.audit("event", "lane-slot")} == {"organiser-desk"}


# -- what an admin allows ----------------------------------------------------------------------


def test_an_admin_allows_more_never_the_offices_diary(store, desks):
    admin, olga = desks["admin"], desks["organiser"]
    assert organiser_limits(store) == (OrganiserLimits(), 0)
    with pytest.raises(NotForOrganisers):
        olga.edit_events("festival", added=[new_slot(people=["clergy-prot"], venue="reinoldikirche")])
    version = admin.set_organiser_limits(["performer", "other"], ["reinoldikirche"], expected_version=0)
    assert organiser_limits(store) == (OrganiserLimits(frozenset({"performer", "other"}), frozenset({"reinoldikirche"})), version)
    olga.edit_events("festival", added=[new_slot(people=["clergy-prot"], venue="reinoldikirche")])
    with pytest.raises(NotForOrganisers, match="Lord Mayor"):
        olga.edit_events("festival", added=[new_slot("second", people=["clergy-prot", "ob"], venue="reinoldikirche")])
    entry = store.audit("setting", "organisers")[0]
    assert (entry.user, entry.after) == ("admin-desk", {"value": {"roles": ["other", "performer"], "venues": ["reinoldikirche"]}})
    before = state(store)
    for roles, venues, reason in (
        (["mayor"], [], "'mayor' stay in the protocol office's diary"),
        (["deputy_mayor"], [], "'deputy_mayor' stay"),
        (["protocol"], [], "'protocol' stay"),
        (["performer"], ["rathaus"], "Rathaus Dortmund \\(city_hall\\) stays"),
        (["bouncer"], [], "unknown role"),
        (["performer"], ["the-moon"], "unknown venue"),
        ("performer", [], "a list of roles"),
    ):
        with pytest.raises(PlanError, match=reason):
            admin.set_organiser_limits(roles, venues, expected_version=version)
    with pytest.raises(StaleEditError, match="changed by admin-desk"):
        admin.set_organiser_limits(["performer"], [], expected_version=0)
    for role in ("protocol", "organiser", "viewer"):
        with pytest.raises(Forbidden):
            desks[role].set_organiser_limits(["performer", "press"], [], expected_version=version)
    assert state(store) == before


def test_the_admin_page_changes_what_organisers_may_use(store):
    app = session(store, "admin")
    open_page(app, "admin")
    app.multiselect(key="organiser-limits-roles").set_value(["performer", "press"])
    app.multiselect(key="organiser-limits-venues").set_value(["konzerthaus"])
    assert "mayor" not in app.multiselect(key="organiser-limits-roles").options
    assert "Rathaus Dortmund" not in app.multiselect(key="organiser-limits-venues").options
    next(b for b in app.button if b.label == "Save what organisers may use").click()
    ran(app)
    assert "Saved what organisers may use." in [s.value for s in app.success]
    limits, version = organiser_limits(store)
    assert (limits.roles, limits.venues, version) == ({"performer", "press"}, {"konzerthaus"}, 1)


def test_a_database_of_the_previous_schema_gets_the_default_limits(tmp_path):
    from alembic import command
    from alembic.config import Config

    from planner.storage.database import MIGRATIONS, make_engine

    url = f"sqlite:///{tmp_path}/old.db"
    engine = make_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0005")
        assert "settings" not in sa.inspect(connection).get_table_names()
    engine.dispose()
    store = PlanStore(url, fill_new=False)
    assert organiser_limits(store) == (OrganiserLimits(), 0)
    store.close()


# -- how much an organiser may add (SECURITY.md, "Bounded work") ---------------------------------


def pile(first: int, count: int) -> list[dict]:
    return [
        new_slot(f"pile-{n}", title=f"Open stage act {n}", start="2027-05-08T20:00", end="2027-05-08T21:00", people=[])
        for n in range(first, first + count)
    ]


def test_an_organisers_file_is_limited_in_rows_and_the_hour_in_slots(store, desks, monkeypatch):
    import planner.sharing.access as access

    organiser, protocol = desks["organiser"], desks["protocol"]
    before = state(store)
    with pytest.raises(PlanError, match=r"2,001 new slots at once; organisers add at most 2,000"):
        organiser.edit_events("festival", added=pile(0, access.ORGANISER_ROWS_PER_FILE + 1), path="slot")
    assert state(store) == before
    # The hour's quota, counted from the audit log (a smaller one, to keep the test quick).
    monkeypatch.setattr(access, "ORGANISER_SLOTS_PER_HOUR", 30)
    organiser.edit_events("festival", added=pile(0, 20), path="slot")
    before = state(store)
    with pytest.raises(PlanError, match=r"20 slots added in the last hour and 11 more would pass the 30"):
        organiser.edit_events("festival", added=pile(20, 11), path="slot")
    assert state(store) == before
    organiser.edit_events("festival", added=pile(20, 10), path="slot")  # up to the quota
    protocol.edit_events("festival", added=pile(100, 40), path="slot")  # the office is not limited


def test_an_organisers_programme_file_with_too_many_rows_is_refused_before_its_rows_are_read():
    from planner.sharing.access import ORGANISER_ROWS_PER_FILE

    rows = "title,stage,day,start,end\n" + "".join(
        f"Open stage act {n},hansaplatz,2027-05-08,20:00,21:00\n" for n in range(ORGANISER_ROWS_PER_FILE + 1)
    )
    with pytest.raises(PlanError, match=r"pile.csv: 2,001 rows, at most 2,000 at once"):
        read_programme(rows.encode(), "pile.csv", SAMPLE, OrganiserLimits(), ORGANISER_ROWS_PER_FILE)
    assert len(read_programme(rows.encode(), "pile.csv", SAMPLE)) == ORGANISER_ROWS_PER_FILE + 1  # the office's


def test_the_festival_page_refuses_an_organisers_file_of_too_many_rows_and_takes_the_offices(store):
    from planner.sharing.access import ORGANISER_ROWS_PER_FILE

    rows = "title,stage,day,start,end\n" + "".join(
        f"Open stage act {n},hansaplatz,2027-05-08,20:00,21:00\n" for n in range(ORGANISER_ROWS_PER_FILE + 1)
    )
    app = session(store, "organiser")
    open_page(app, "festival")
    before = state(store)
    app.get("file_uploader")[0].set_value(("pile.csv", rows.encode(), "text/csv"))
    ran(app)
    assert [e.value for e in app.error] == ["Not imported: pile.csv: 2,001 rows, at most 2,000 at once"]
    assert "Import" not in buttons(app) and state(store) == before
    office = session(store, "protocol")
    open_page(office, "festival")
    office.get("file_uploader")[0].set_value(("pile.csv", rows.encode(), "text/csv"))
    ran(office)
    assert not office.error and "Import" in buttons(office)
