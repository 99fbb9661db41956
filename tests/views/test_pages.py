"""Every page of the app for every kind of session (Streamlit AppTest): the four roles, a local
admin without accounts, a guest link and a session that has not signed in. Allowed pages render
with their content and only the edit widgets the role may use; forbidden pages never render,
whether asked for through AppTest's page switch or as a browser asks for a page URL; and the
main interactions of each page are driven through their widgets down to the database."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest
from streamlit.testing.v1 import AppTest
from support.pages import (
    PASSWORD,
    buttons,
    dataframes_with,
    guest_app,
    new_app,
    open_page,
    ran,
    rendered_text,
    request_url,
    session,
    sign_in,
    title,
)
from support.paths import ROOT

from planner.plan.clock import WallClock, zone_named
from planner.rules.engine import check
from planner.scheduling.free_windows import free_windows
from planner.sharing.access import PAGES, Editor, Forbidden, may
from planner.storage import NotFoundError, PlanStore

ROLES = ("admin", "protocol", "organiser", "viewer")
SESSIONS = ROLES + ("local-admin",)  # local-admin: no accounts yet, a browser on this machine
TITLES = {
    "overview": ("Overview", "Überblick"),
    "delegations": ("Delegations", "Delegationen"),
    "golden_book": ("Golden Book", "Goldenes Buch"),
    "festival": ("Festival", "Festival"),
    "timeline_map": ("Timeline and map", "Zeitplan und Karte"),
    "conflicts": ("Conflicts", "Konflikte"),
    "calendars": ("Calendars and sharing", "Kalender und Links"),
    "admin": ("Admin", "Verwaltung"),
}
GUEST_TITLE = "Welcome, delegation of {}!"
# Buttons that change something, with the action a role needs to be offered them.
EDIT_BUTTONS = {
    "Add event": ("delegations", "golden_book"),
    "Save changes": ("delegations", "golden_book"),
    "Create delegation": ("delegations",),
    "Save the delegation": ("delegations",),
    "Save the table": ("festival",),
    "Import": ("festival",),
    "Create link": ("share",),
    "Revoke": ("share",),
    "Publish the draft": ("publish",),
    "Create account": ("admin",),
    "Remove": ("admin",),
}
NEW_OPTION = "\u0000new"
# Subheaders only the page of that name shows (for the pages some role may not open).
FORBIDDEN_MARKERS = {
    "delegations": {"Programme", "Add or change an event", "New delegation"},
    "golden_book": {"Signings", "Availability", "Book a signing"},
    "admin": {"Releases", "Accounts"},
}


# -- helpers ------------------------------------------------------------------------------


@pytest.fixture
def german(monkeypatch):
    """For tests that switch the app to German. AppTest matches a selectbox's value to the
    options it drew by calling the widget's format_func between runs, outside any script run;
    there st.session_state is empty, so the app's t() would answer in English while the options
    were drawn in German (a browser sends the chosen index instead, and never calls it). Outside
    a script run, views.ui.lang() answers German; inside, it is untouched."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import (
        get_script_run_ctx,
    )

    import views.ui

    real = views.ui.lang
    monkeypatch.setattr(views.ui, "lang", lambda: real() if get_script_run_ctx() is not None else "de")


def role_of(session_name: str) -> str:
    return "admin" if session_name == "local-admin" else session_name


# -- every page for every role ---------------------------------------------------------------


MATRIX = [(s, page) for s in SESSIONS for page in PAGES]


@pytest.mark.parametrize(("who", "page"), MATRIX, ids=[f"{s}-{p}" for s, p in MATRIX])
def test_every_page_for_every_role(store, who, page):
    app = session(store, who)
    role = role_of(who)
    if role not in PAGES[page]:
        # Not in the navigation: AppTest's page switch refuses it ...
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            app.switch_page(str(ROOT / "views" / f"{page}.py"))
        # ... and a browser asking for its URL gets the default page, never this one.
        request_url(app, page)
        assert title(app) == "Overview"
        assert {m.label for m in app.metric} == {"Errors", "Warnings", "Delegations"}
        subheaders = {s.value for s in app.subheader}
        assert not subheaders & FORBIDDEN_MARKERS[page], subheaders & FORBIDDEN_MARKERS[page]
        assert not app.tabs and not app.selectbox
        assert {t.label for t in app.text_input} == ({"What changed (for the record)"} if may(role, "publish") else set())
        assert "Edit the delegation" not in {e.label for e in app.expander}
        assert buttons(app) <= {"Open the conflicts", "Sign out"} | ({"Publish the draft"} if may(role, "publish") else set())
        return
    open_page(app, page)
    assert title(app) == TITLES[page][0]
    check_content(app, store, page, role)
    check_edit_widgets(app, page, role)


def check_content(app: AppTest, store: PlanStore, page: str, role: str) -> None:
    """The page's own content, rendered from the database."""
    plan = store.load_plan()
    if page == "overview":
        assert {m.label for m in app.metric} == {"Errors", "Warnings", "Delegations"}
        assert next(m.value for m in app.metric if m.label == "Delegations") == str(len(plan.delegations))
        assert "Published" in [s.value for s in app.subheader]
        assert any("Nothing is published yet" in m.value for m in app.markdown)
    elif page == "delegations":
        picker = app.selectbox(key="delegation")
        assert picker.value == "amiens"
        assert [o for o in picker.options if "New" not in o][:2] == ["Amiens (FR)", "Leeds (GB)"]
        programme = dataframes_with(app, "Title")[0]
        assert set(programme["ID"]) == {e.id for e in plan.events if "amiens" in e.delegations}
    elif page == "golden_book":
        signings = dataframes_with(app, "Signs with")[0]
        assert len(signings) == sum(e.kind == "golden_book" for e in plan.events)
        assert any(c.value.startswith("Free 08–20: ") for c in app.caption)
        assert "Availability" in [s.value for s in app.subheader]
    elif page == "festival":
        slots = [d for d in app.dataframe if d.editing_mode != "read_only"]
        assert len(slots) == 1
        first_day = slots[0].value
        assert len(first_day) > 0 and set(first_day["stage"]) <= set(plan.venues)
        assert "Stages" in [s.value for s in app.subheader]
    elif page == "timeline_map":
        assert len(app.get("plotly_chart")) == 1 and len(app.get("deck_gl_json_chart")) == 1
    elif page == "conflicts":
        assert {m.label for m in app.metric} == {"Errors", "Warnings"}
        shown = dataframes_with(app, "Message")[0]
        assert len(shown) == sum(int(m.value) for m in app.metric) > 0
    elif page == "calendars":
        # A delegation's calendar is its released programme: nothing is published yet.
        assert app.selectbox(key="feed-kind").value == "delegation"
        assert any(i.value == "Not available: nothing has been published yet" for i in app.info)
        assert not app.get("download_button") and not app.get("link_button")
        assert any(c.value.endswith("/feeds/public.ics") for c in app.caption)
        kinds = app.selectbox(key="feed-kind").options
        if role == "organiser":  # internal diaries and notes are the office's
            assert kinds == ["A delegation (its released programme)", "The public programme (released)"]
            return
        assert len(kinds) == 5
        app.selectbox(key="feed-kind").set_value("all")
        ran(app)
        # Through the app's own route (tests/sharing/test_downloads.py), not Streamlit's media store.
        assert not app.get("download_button")
        download, as_csv, as_excel = app.get("link_button")
        assert download.proto.label == f"Download “DORTBUNT! 2027 – All events” (.ics, {len(plan.events)} events)"
        assert (as_csv.proto.label, as_excel.proto.label) == ("As a table (CSV)", "As a table (Excel)")
        assert all(b.proto.url.startswith("/downloads/") for b in (download, as_csv, as_excel))
    elif page == "admin":
        assert [t.label for t in app.tabs] == ["Accounts", "Import, export, backup", "Releases", "Audit log"]
        accounts = dataframes_with(app, "Role")
        if store.users():
            assert [tuple(r) for r in accounts[0].itertuples(index=False)] == store.users()
        else:  # the local admin before the first account
            assert not accounts and any(i.value.startswith("No accounts yet") for i in app.info)


def check_edit_widgets(app: AppTest, page: str, role: str) -> None:
    """Exactly the edit widgets the role may use (the saves check again on the server)."""
    shown = buttons(app)
    for label, actions in EDIT_BUTTONS.items():
        if not any(may(role, action) for action in actions):
            assert label not in shown, f"{role} is offered {label!r} on {page}"
    uploaders = {u.proto.label for u in app.get("file_uploader")}
    if page == "delegations":
        assert ("Add event" in shown) == may(role, "delegations")
        assert any("New delegation" in o for o in app.selectbox(key="delegation").options) == may(role, "delegations")
        assert bool(app.expander) == may(role, "delegations")
        if not may(role, "delegations"):
            assert not app.text_input and not app.time_input and not app.date_input
    elif page == "golden_book":
        assert ("Add event" in shown) == may(role, "golden_book")
        assert ("Calendar file" in uploaders) == may(role, "golden_book")
        if not may(role, "golden_book"):
            assert not app.text_input and not app.time_input
    elif page == "festival":
        editor_table = next(d for d in app.dataframe if d.editing_mode != "read_only")
        if may(role, "festival"):
            assert editor_table.editing_mode == "dynamic" and not editor_table.proto.disabled
            assert "Programme file" in uploaders
        else:
            assert editor_table.editing_mode == "fixed" and editor_table.proto.disabled
            assert not uploaders
    elif page == "calendars":
        assert ("Create link" in shown) == may(role, "share")
    elif page == "overview":
        assert ("Publish the draft" in shown) == may(role, "publish")
    elif page == "admin":
        assert {"Create account", "Publish the draft"} <= shown
        assert {b.proto.label for b in app.get("link_button")} == {
            "Export the draft (dortbunt-plan/1 JSON)",
            "Make and download a backup",
        }
    elif page in ("conflicts", "timeline_map"):
        assert shown <= {"Sign out"}
    if page != "conflicts":  # the conflicts page may check an uploaded plan, read only
        uploading = {"golden_book": "golden_book", "festival": "festival", "admin": "admin"}
        assert bool(uploaders) == (page in uploading and may(role, uploading[page]))


def test_all_pages_in_german(store, german):
    app = ran(new_app())
    app.sidebar.radio[0].set_value("de")
    ran(app)
    assert title(app) == "Überblick"
    assert {m.label for m in app.metric} == {"Fehler", "Warnungen", "Delegationen"}
    for page in PAGES:
        open_page(app, page)
        assert title(app) == TITLES[page][1]
    open_page(app, "conflicts")
    assert any("überschneidet sich mit" in m for m in dataframes_with(app, "Meldung")[0]["Meldung"])


def test_an_empty_database_lets_the_admin_import_a_plan(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANNER_DB_URL", f"sqlite:///{tmp_path}/empty.db")
    monkeypatch.setenv("PLANNER_START_EMPTY", "1")
    app = new_app().run()
    assert not app.exception, app.exception
    open_page(app, "admin")
    assert next(u.proto.label for u in app.get("file_uploader")).startswith("Import a plan")


# -- sessions without a role -----------------------------------------------------------------


def test_without_sign_in_only_the_sign_in_page(store):
    store.add_user("anna", "admin", PASSWORD)
    app = ran(new_app())
    assert title(app) == "Sign in"
    for page in PAGES:
        with pytest.raises(ValueError):
            app.switch_page(str(ROOT / "views" / f"{page}.py"))
        request_url(app, page)
        assert title(app) == "Sign in"
        assert not app.metric and not app.dataframe and not app.tabs and not app.selectbox
        assert buttons(app) == {"Sign in"}
        assert "Rathaus" not in rendered_text(app)
    sign_in(app, "anna", "not the password")
    assert [e.value for e in app.error] == ["Wrong name or password."]
    assert title(app) == "Sign in" and not app.metric
    sign_in(app, "anna")
    assert title(app) == "Overview" and app.metric


def test_signing_out_and_a_removed_account_lose_the_pages(store):
    app = session(store, "admin")
    open_page(app, "admin")
    next(b for b in app.sidebar.button if b.label == "Sign out").click()
    ran(app)
    assert title(app) == "Sign in" and not app.tabs
    sign_in(app, "admin-user")
    open_page(app, "admin")
    store.add_user("other-admin", "admin", PASSWORD)
    store.remove_user("admin-user")
    ran(app)  # the next run of any kind: the session no longer has a role
    assert title(app) == "Sign in" and not app.tabs


def test_a_lowered_role_takes_effect_before_the_click_lands(store):
    """A protocol officer fills in an event; meanwhile the account becomes a viewer. The click on
    "Add event" finds a viewer's page (no button) and nothing is saved."""
    app = session(store, "protocol")
    open_page(app, "delegations")
    assert "Add event" in buttons(app)
    app.text_input(key="delegation-event-amiens-new-0-title").input("Late meeting")
    ran(app)
    events_before = len(store.load_plan().events)
    store.remove_user("protocol-user")
    store.add_user("protocol-user", "viewer", PASSWORD)
    next(b for b in app.button if b.label == "Add event").click()
    ran(app)
    assert title(app) == "Delegations"
    assert "Add event" not in buttons(app)
    assert any(c.value == "protocol-user (viewer)" for c in app.sidebar.caption)
    assert len(store.load_plan().events) == events_before
    assert "Late meeting" not in {e.title for e in store.load_plan().events}


# -- the server-side check -------------------------------------------------------------------


def sample_event(store: PlanStore, kind: str):
    return next(e for e in store.load_plan().events if e.kind == kind)


def test_server_side_check_for_a_signed_in_viewer(store):
    app = session(store, "viewer")
    name = app.session_state["user"].account
    assert name == "viewer-user" and app.session_state["role"] == "viewer"
    editor = Editor(store, name, local=False)
    document = {
        "id": "sneaky",
        "title": "Sneaky",
        "kind": "meeting",
        "start": "2027-05-07T09:00",
        "end": "2027-05-07T09:30",
        "venue": "rathaus",
        "delegations": ["amiens"],
    }
    revision = store.revision()
    for action in ("delegations", "golden_book", "festival"):
        with pytest.raises(Forbidden, match="viewer"):
            editor.edit_events(action, added=[document])
    with pytest.raises(Forbidden):
        editor.publish("no")
    with pytest.raises(Forbidden):
        editor.create_link("guest", "amiens")
    with pytest.raises(Forbidden):
        editor.add_user("mallory", "admin", PASSWORD)
    assert store.revision() == revision and not store.releases() and not store.feed_tokens()
    with pytest.raises(NotFoundError):
        store.event("sneaky")


def test_server_side_check_for_an_organiser(store):
    session(store, "organiser")
    editor = Editor(store, "organiser-user", local=False)
    slot, slot_version = store.event(sample_event(store, "festival_slot").id)
    signing, signing_version = store.event(sample_event(store, "golden_book").id)
    editor.edit_events("festival", changed={slot.id: ({"title": "Renamed act"}, slot_version)})
    assert store.event(slot.id)[0].title == "Renamed act"
    with pytest.raises(Forbidden):
        editor.edit_events("festival", changed={signing.id: ({"title": "Hijacked"}, signing_version)})
    with pytest.raises(Forbidden):
        editor.edit_events("golden_book", changed={signing.id: ({"title": "Hijacked"}, signing_version)})
    with pytest.raises(Forbidden):
        editor.edit_events("festival", removed={signing.id: signing_version})
    assert store.event(signing.id) == (signing, signing_version)


def test_a_removed_account_loses_its_rights_on_the_next_save(store):
    session(store, "protocol")
    editor = Editor(store, "protocol-user", local=False)
    event, version = store.event(sample_event(store, "meeting").id)
    version = editor.edit_events("delegations", changed={event.id: ({"title": "First"}, version)})[event.id]
    store.remove_user("protocol-user")
    with pytest.raises(Forbidden, match="sign-in"):
        editor.edit_events("delegations", changed={event.id: ({"title": "Second"}, version)})
    assert store.event(event.id)[0].title == "First"


# -- Delegations -----------------------------------------------------------------------------


def test_delegations_create_a_delegation_then_a_clashing_event_in_german(store, german):
    app = session(store, "admin")
    app.sidebar.radio[0].set_value("de")
    ran(app)
    # Open the page on "New delegation" at once. (Picking it after Amiens' page was shown would
    # differ from a browser in AppTest: the new delegation's event form would keep Amiens in its
    # Delegations field, since AppTest keeps a widget's state across a run ended by st.stop().)
    app.session_state["delegation"] = NEW_OPTION
    open_page(app, "delegations")
    assert title(app) == "Delegationen"
    assert app.selectbox(key="delegation").value == NEW_OPTION
    assert "Neue Delegation" in [s.value for s in app.subheader]
    app.text_input(key="new-delegation-id").input("bochum-2027")
    app.text_input(key="new-delegation-city").input("Bochum")
    app.text_input(key="new-delegation-country").input("de")
    app.text_input(key="new-delegation-languages").input("de, en")
    app.date_input(key="new-delegation-arrive-day").set_value(date(2027, 5, 7))
    app.time_input(key="new-delegation-arrive-time").set_value(time(8, 0))
    ran(app)  # as a browser does when a field is left: the button waits for a city
    next(b for b in app.button if b.label == "Delegation anlegen").click()
    ran(app)
    assert "Delegation Bochum angelegt." in [s.value for s in app.success]
    assert app.selectbox(key="delegation").value == "bochum-2027"
    created, _ = store.entity("delegation", "bochum-2027")
    assert (created.city, created.country, created.languages) == ("Bochum", "DE", ("de", "en"))
    assert any(i.value == "Noch keine Termine." for i in app.info)

    # An event at the Rathaus at the time of the Xi'an signing (11:00-11:30).
    key = "delegation-event-bochum-2027-new-0"
    app.text_input(key=f"{key}-title").input("Stadtführung")
    app.date_input(key=f"{key}-day").set_value(date(2027, 5, 7))
    app.time_input(key=f"{key}-start").set_value(time(11, 0))
    app.time_input(key=f"{key}-end").set_value(time(11, 30))
    app.selectbox(key=f"{key}-venue").set_value("rathaus")
    ran(app)
    assert app.multiselect(key=f"{key}-delegations").value == ["bochum-2027"]
    warnings = [w.value for w in app.warning]
    assert any(w.startswith("Diese Änderung würde") and w.endswith("Konflikt(e) erzeugen:") for w in warnings), warnings
    preview = next(d for d in dataframes_with(app, "Meldung") if "Ort doppelt belegt" in set(d["Regel"]))
    clash = preview[preview["Regel"] == "Ort doppelt belegt"]["Meldung"].iloc[0]
    assert clash.startswith("Rathaus Dortmund:") and "überschneidet sich mit" in clash
    assert '"Stadtführung"' in clash and '"Golden Book signing"' in clash
    assert "gb-xian" in preview[preview["Regel"] == "Ort doppelt belegt"]["Termine"].iloc[0]
    with pytest.raises(NotFoundError):
        store.event("bochum-2027-1")  # only previewed, not saved

    next(b for b in app.button if b.label == "Termin anlegen").click()
    ran(app)
    assert "„Stadtführung“ angelegt." in [s.value for s in app.success]
    saved, _ = store.event("bochum-2027-1")
    assert (saved.title, saved.venue, saved.delegations) == ("Stadtführung", "rathaus", ("bochum-2027",))
    wall = WallClock(zone_named("Europe/Berlin", "timezone"))
    assert wall.wall(saved.start) == datetime(2027, 5, 7, 11, 0) and wall.wall(saved.end) == datetime(2027, 5, 7, 11, 30)
    programme = dataframes_with(app, "Titel")[0]
    assert list(programme["ID"]) == ["bochum-2027-1"]
    assert any(w.value.endswith("Konflikt(e) in diesem Programm:") for w in app.warning)


def test_delegations_change_an_event_and_the_delegation(store):
    app = session(store, "protocol")
    open_page(app, "delegations")
    event, version = store.event("gb-amiens")
    app.selectbox(key="event-amiens").set_value("gb-amiens")
    ran(app)
    key = "delegation-event-amiens-gb-amiens"
    assert app.text_input(key=f"{key}-title").value == event.title
    app.text_input(key=f"{key}-title").input("Golden Book: Amiens")
    app.time_input(key=f"{key}-end").set_value(time(13, 15))  # until Netanya's signing begins: touching, no clash
    ran(app)
    assert "No new conflicts." in [s.value for s in app.success]
    next(b for b in app.button if b.label == "Save changes").click()
    ran(app)
    assert "Saved “Golden Book: Amiens”." in [s.value for s in app.success]
    saved, new_version = store.event("gb-amiens")
    assert (saved.title, new_version, saved.start) == ("Golden Book: Amiens", version + 1, event.start)
    assert WallClock(zone_named("Europe/Berlin", "timezone")).wall(saved.end).time() == time(13, 15)
    assert saved.sequence == event.sequence + 1  # calendars must replace their copy

    app.number_input(key="edit-amiens-size").set_value(12)
    next(b for b in app.button if b.label == "Save the delegation").click()
    ran(app)
    assert "Saved the delegation." in [s.value for s in app.success]
    assert store.entity("delegation", "amiens")[0].size == 12
    assert next(m.value for m in app.metric if m.label == "People") == "12"


def test_delegations_refuse_an_invalid_delegation(store):
    app = session(store, "protocol")
    open_page(app, "delegations")
    app.selectbox(key="delegation").set_value(NEW_OPTION)
    ran(app)
    app.text_input(key="new-delegation-id").input("x")
    app.text_input(key="new-delegation-city").input("Nowhere")
    app.text_input(key="new-delegation-country").input("12")
    ran(app)
    next(b for b in app.button if b.label == "Create delegation").click()
    ran(app)
    assert app.error and app.error[0].value.startswith("Not saved: ")
    assert "x" not in store.load_plan().delegations


def test_an_event_added_on_a_delegations_page_belongs_to_that_delegation(store):
    app = session(store, "protocol")
    open_page(app, "delegations")
    app.selectbox(key="delegation").set_value("leeds")
    ran(app)
    key = "delegation-event-leeds-new-0"
    app.text_input(key=f"{key}-title").input("Leeds visit")
    ran(app)
    next(b for b in app.button if b.label == "Add event").click()
    ran(app)
    saved = next(e for e in store.load_plan().events if e.title == "Leeds visit")
    assert saved.delegations == ("leeds",)


# -- Golden Book -----------------------------------------------------------------------------


def test_golden_book_book_a_signing(store):
    store.add_entity(
        "delegation",
        {
            "id": "bochum",
            "city": "Bochum",
            "country": "DE",
            "size": 4,
            "languages": ["de"],
            "arrival": "2027-05-07T08:00",
            "departure": "2027-05-09T20:00",
        },
        user="test",
    )
    plan = store.load_plan()
    app = session(store, "protocol")
    open_page(app, "golden_book")
    assert any(c.value == "Not yet booked: Bochum" for c in app.caption)
    signings = sum(e.kind == "golden_book" for e in plan.events)
    assert app.selectbox(key=f"signing-delegation-{signings}").value == "bochum"  # the one without a signing
    # A free half hour of the Lord Mayor, as the page computes it, with room around it.
    day = app.selectbox(key="availability-day").value
    wall = WallClock(zone_named(plan.timezone, "timezone"))
    start = next(a for a, b in free_windows(plan, "ob", day) if (b - a) >= timedelta(minutes=120))
    begins = wall.wall(start + timedelta(minutes=45))
    begins = begins.replace(minute=begins.minute - begins.minute % 5)
    key = f"signing-bochum-{day}-new-0"
    assert app.text_input(key=f"{key}-title").value == "Golden Book: Bochum"
    assert app.multiselect(key=f"{key}-people").value == ["ob"]
    app.date_input(key=f"{key}-day").set_value(begins.date())
    app.time_input(key=f"{key}-start").set_value(begins.time())
    app.time_input(key=f"{key}-end").set_value((begins + timedelta(minutes=30)).time())
    ran(app)
    assert [s.value for s in app.success] == ["No new conflicts."], [w.value for w in app.warning]
    next(b for b in app.button if b.label == "Add event").click()
    ran(app)
    assert "Added “Golden Book: Bochum”." in [s.value for s in app.success]
    signing = next(e for e in store.load_plan().events if e.delegations == ("bochum",))
    assert (signing.kind, signing.venue, signing.people) == ("golden_book", "rathaus", ("ob",))
    assert wall.wall(signing.start) == begins
    assert not any(c.value.startswith("Not yet booked") and "Bochum" in c.value for c in app.caption)
    assert "Bochum" in set(dataframes_with(app, "Signs with")[0]["Delegation"])
    # Everyone has a signing now: the picker starts again at the first delegation.
    assert app.selectbox(key=f"signing-delegation-{signings + 1}").value == next(iter(plan.delegations))


# -- Festival --------------------------------------------------------------------------------

BAD_CSV = (
    "title,stage,day,start,end,performers\n"
    "Brass at noon,friedensplatz,2027-05-08,12:00,12:45,\n"
    "Nowhere act,no-such-stage,2027-05-08,13:00,13:45,\n"
    "Wrong time,alter-markt,2027-05-08,25:00,13:45,\n"
)
GOOD_CSV = (
    "Titel;Bühne;Tag;Beginn;Ende;Mitwirkende\n"
    "Brass at noon;friedensplatz;08.05.2027;12:00;12:45;\n"
    "Late jazz;Alter Markt;07.05.2027;23:30;00:30;perf-bigband\n"
)


def test_festival_import_names_each_bad_row_and_takes_nothing_then_imports_a_good_file(store):
    app = session(store, "organiser")
    open_page(app, "festival")
    slots_before = {e.id for e in store.load_plan().events if e.kind == "festival_slot"}
    revision = store.revision()
    app.get("file_uploader")[0].set_value(("programme.csv", BAD_CSV.encode(), "text/csv"))
    ran(app)
    errors = [e.value for e in app.error]
    assert errors[0] == "2 row(s) are wrong; nothing was imported:"
    assert errors[1].startswith("row 3 (Nowhere act): ") and "no-such-stage" in errors[1]
    assert errors[2].startswith("row 4 (Wrong time): ") and "25:00" in errors[2]
    assert len(errors) == 3
    assert "Import" not in buttons(app)
    assert store.revision() == revision

    app.get("file_uploader")[0].set_value(("programme.csv", GOOD_CSV.encode("utf-8"), "text/csv"))
    ran(app)
    assert not app.error
    assert any(m.value == "2 slot(s) ready to import." for m in app.markdown)
    assert {e.id for e in store.load_plan().events if e.kind == "festival_slot"} == slots_before
    next(b for b in app.button if b.label == "Import").click()
    ran(app)
    assert any(s.value == "Imported 2 slot(s)." for s in app.success)
    plan = store.load_plan()
    new = {e.title: e for e in plan.events if e.kind == "festival_slot" and e.id not in slots_before}
    assert set(new) == {"Brass at noon", "Late jazz"}
    wall = WallClock(zone_named(plan.timezone, "timezone"))
    late = new["Late jazz"]
    assert (late.venue, late.people) == ("alter-markt", ("perf-bigband",))
    assert (wall.wall(late.start), wall.wall(late.end)) == (datetime(2027, 5, 7, 23, 30), datetime(2027, 5, 8, 0, 30))
    # The organiser's import is audited under the account's name.
    assert {a.user for a in store.audit("event") if a.entity_id in {e.id for e in new.values()}} == {"organiser-user"}


def test_festival_table_edit_is_saved(store):
    app = session(store, "organiser")
    open_page(app, "festival")
    table = next(d for d in app.dataframe if d.editing_mode == "dynamic")
    first = table.value.iloc[0]
    before, version = store.event(first["id"])
    app.session_state[table.key] = {"edited_rows": {0: {"title": "Renamed in the table"}}, "added_rows": [], "deleted_rows": []}
    ran(app)
    assert any(i.value == "Unsaved: 0 new, 1 changed, 0 removed." for i in app.info)
    assert store.event(first["id"])[0].title == before.title
    next(b for b in app.button if b.label == "Save the table").click()
    ran(app)
    assert any(s.value == "Saved the festival programme." for s in app.success)
    after, new_version = store.event(first["id"])
    assert after.title == "Renamed in the table" and new_version == version + 1
    assert (after.start, after.end, after.venue) == (before.start, before.end, before.venue)


def test_an_imported_programme_is_not_offered_again(store):
    app = session(store, "organiser")
    open_page(app, "festival")
    app.get("file_uploader")[0].set_value(("programme.csv", GOOD_CSV.encode(), "text/csv"))
    ran(app)
    next(b for b in app.button if b.label == "Import").click()
    ran(app)
    assert "Imported 2 slot(s)." in [s.value for s in app.success]
    assert "Import" not in buttons(app)


def test_festival_filtered_to_a_stage_without_slots(store):
    app = session(store, "organiser")
    open_page(app, "festival")
    app.multiselect(key="festival-stages").set_value(["westfalenpark"])  # a stage with no slots
    ran(app)
    table = next(d for d in app.dataframe if d.editing_mode != "read_only")
    assert len(table.value) == 0


@pytest.mark.parametrize("who", ["viewer", "organiser"])
def test_festival_page_of_a_plan_without_slots(store, who):
    slots = {e.id: store.event(e.id)[1] for e in store.load_plan().events if e.kind == "festival_slot"}
    store.edit_events(removed=slots, user="test")
    app = session(store, who)
    open_page(app, "festival")
    assert title(app) == "Festival"


# -- Calendars and sharing -------------------------------------------------------------------


def test_calendars_create_a_guest_link_then_revoke_it(store):
    app = session(store, "protocol")
    open_page(app, "calendars")
    assert any(i.value == "No links yet." for i in app.info)
    app.selectbox(key="link-kind").set_value("guest")
    app.selectbox(key="link-target").set_value("leeds")
    next(b for b in app.button if b.label == "Create link").click()
    ran(app)
    assert [s.value for s in app.success] == ["Link created. Copy it now: it is shown only once."]
    codes = [c.value for c in app.code]
    assert len(codes) == 2 and codes[0].startswith("http://localhost:8501/?g=")
    token = codes[0].split("?g=", 1)[1]
    assert codes[1] == f"http://localhost:8501/feeds/{token}.ics"
    assert store.feed_for_token(token) == ("guest", "leeds")
    links = app.dataframe[-1].value
    assert list(links["For"]) == ["Leeds"] and links["State"].iloc[0].startswith("valid until ")
    ran(app)
    assert not app.code  # shown only once

    number = store.feed_tokens()[0]["number"]
    app.selectbox(key="revoke-number").set_value(number)
    next(b for b in app.button if b.label == "Revoke").click()
    ran(app)
    assert [s.value for s in app.success] == [f"Link {number} revoked."]
    assert store.feed_for_token(token) is None
    assert app.dataframe[-1].value["State"].iloc[0].startswith("revoked ")
    assert "Revoke" not in buttons(app)  # no live link left


# -- Admin -----------------------------------------------------------------------------------


def admin_form(app: AppTest, name: str, role: str, password: str) -> AppTest:
    next(t for t in app.text_input if t.label == "Name").input(name)
    app.selectbox[0].set_value(role)
    next(t for t in app.text_input if t.label.startswith("Password")).input(password)
    next(b for b in app.button if b.label == "Create account").click()
    return ran(app)


def test_admin_creates_an_account_and_publishes(store):
    app = session(store, "admin")
    open_page(app, "admin")
    admin_form(app, "bob", "organiser", "short")
    assert app.error and app.error[0].value.startswith("Not saved: password")
    assert "bob" not in dict(store.users())
    admin_form(app, "bob", "organiser", "a long enough password")
    assert [s.value for s in app.success] == ["Account bob created."]
    assert dict(store.users())["bob"] == "organiser"
    assert store.authenticate("bob", "a long enough password") == "organiser"
    assert "bob" in set(dataframes_with(app, "Role")[0]["Name"])

    assert not store.releases()
    next(t for t in app.text_input if t.label.startswith("What changed")).input("First programme")
    next(b for b in app.button if b.label == "Publish the draft").click()
    ran(app)
    assert [s.value for s in app.success] == ["Published release 1: guests and subscribed calendars now see it."]
    [release] = store.releases()
    assert (release.number, release.comment, release.created_by) == (1, "First programme", "admin-user")
    assert any(m.value.startswith("Guests see release 1, published ") for m in app.markdown)
    assert store.release_plan().events == store.load_plan().events


def test_admin_removes_an_account_backs_up_and_imports(store, tmp_path):
    store.add_user("bob", "viewer", PASSWORD)
    app = session(store, "admin")
    open_page(app, "admin")
    app.selectbox(key="remove-user").set_value("admin-user")
    next(b for b in app.button if b.label == "Remove").click()
    ran(app)
    assert app.error and "cannot remove your own account" in app.error[0].value
    app.selectbox(key="remove-user").set_value("bob")
    next(b for b in app.button if b.label == "Remove").click()
    ran(app)
    assert [s.value for s in app.success] == ["Account bob removed."] and "bob" not in dict(store.users())

    links = {b.proto.label: b.proto.url for b in app.get("link_button")}
    assert links["Make and download a backup"].startswith("/downloads/")  # made when fetched (test_downloads.py)

    smaller = store.export_document()
    smaller["events"] = smaller["events"][:3]
    app.get("file_uploader")[0].set_value(("plan.json", json.dumps(smaller).encode(), "application/json"))
    ran(app)
    assert any(m.value.endswith(f"{len(smaller['delegations'])} delegations, 3 events.") for m in app.markdown)
    assert len(store.load_plan().events) > 3
    next(b for b in app.button if b.label == "Replace the draft with this plan").click()
    ran(app)
    assert "Plan imported." in [s.value for s in app.success]
    assert [e.id for e in store.load_plan().events] == [e["id"] for e in smaller["events"]]


def test_first_account_on_a_fresh_install_must_be_an_admin_and_signs_this_browser_in(store):
    app = session(store, "local-admin")
    open_page(app, "admin")
    admin_form(app, "vera", "viewer", "a long enough password")
    assert app.error and "first account must be an admin" in app.error[0].value
    assert not store.users()
    admin_form(app, "root", "admin", "a long enough password")
    assert store.users() == [("root", "admin")]
    assert any(c.value == "root (admin)" for c in app.sidebar.caption)
    assert title(app) == "Admin"


# -- the guest page --------------------------------------------------------------------------


SECRETS = {"phone": "+49 231 5550199", "email": "ob-private@example.org", "notes": "Allergic to walnuts"}


def publish_with_secrets(store: PlanStore) -> None:
    """Give the plan the private details guests must never see, then publish it."""
    _, version = store.entity("person", "ob")
    store.update_entity("person", "ob", SECRETS, expected_version=version, user="test")
    _, version = store.entity("venue", "rathaus")
    store.update_entity("venue", "rathaus", {"notes": "Side door code 4711"}, expected_version=version, user="test")
    _, version = store.event("gb-amiens")
    store.update_event("gb-amiens", {"notes": "Mayor leaves early for the airport"}, expected_version=version, user="test")
    store.publish("for guests", user="test")


def test_guest_page_shows_typed_markdown_as_text(store):
    """An organiser's slot title full of Markdown reaches the guest as typed: no link, no image."""
    from planner.language.markdown import markdown_literal

    slot = next(e for e in store.load_plan().events if e.kind == "festival_slot" and e.delegations == ("amiens",))
    typed = "![x](https://t.example/p.png) [Log in again](https://t.example) **now** $x$ :red[!]"
    store.update_event(slot.id, {"title": typed}, expected_version=store.event(slot.id)[1], user="organiser")
    store.publish(user="test")
    _, token = store.create_feed_token("guest", "amiens")
    app = guest_app(token)
    assert not app.exception, app.exception
    cells = set().union(*(set(d["What"]) for d in dataframes_with(app, "What")))
    assert markdown_literal(typed) in cells and typed not in cells


def test_guest_page_shows_only_its_delegation(store):
    publish_with_secrets(store)
    released = store.release_plan()
    _, token = store.create_feed_token("guest", "amiens")
    app = guest_app(token)
    assert not app.exception, app.exception
    assert title(app) == GUEST_TITLE.format("Amiens")
    assert "g" not in app.query_params  # taken out of the address bar
    assert app.session_state["guest"] == "amiens" and app.session_state["role"] is None
    text = rendered_text(app)
    mine = [e for e in released.events if "amiens" in e.delegations and e.kind != "unavailable"]
    shown_titles = set().union(*(set(d["What"]) for d in dataframes_with(app, "What")))
    assert shown_titles == {e.title for e in mine}
    assert sum(len(d) for d in dataframes_with(app, "What")) == len(mine)
    # Nothing of another delegation: no event of theirs (by title or id), no city, no id. Their
    # cities may appear only inside the names of people at Amiens' own events (see
    # test_guest_page_names_no_other_delegation_at_all for those).
    own = " ".join(
        [
            *(e.title for e in mine),
            *(released.venues[e.venue].name for e in mine if e.venue),
            released.name,
            released.venues["hotel-hbf"].name,
            released.venues["hotel-hbf"].address,
        ]
    )
    people = {released.people[p].name for e in mine for p in e.people}
    without_people = text
    for name in sorted(people, key=len, reverse=True):
        without_people = without_people.replace(name, "")
    for delegation in released.delegations.values():
        if delegation.id != "amiens":
            assert delegation.city not in without_people, delegation.city
    for event in released.events:
        if "amiens" not in event.delegations:
            assert event.id not in text, event.id
            if event.title not in own:
                assert event.title not in text, event.title
    # No notes, phone numbers or e-mail addresses, not even of the people it meets.
    for secret in (
        *SECRETS.values(),
        "Side door code 4711",
        "Mayor leaves early for the airport",
        released.delegations["amiens"].notes,
    ):
        assert secret and secret not in text, secret
    # The guest cannot reach any other page, by switch or by URL.
    for page in PAGES:
        with pytest.raises(ValueError):
            app.switch_page(str(ROOT / "views" / f"{page}.py"))
        request_url(app, page)
        assert title(app) == GUEST_TITLE.format("Amiens")
        assert not app.metric and not app.tabs


def test_guest_page_names_no_other_delegation_at_all(store):
    store.publish(user="test")
    released = store.release_plan()
    _, token = store.create_feed_token("guest", "amiens")
    app = guest_app(token)
    assert title(app) == GUEST_TITLE.format("Amiens")
    text = rendered_text(app)
    leaked = [d.city for d in released.delegations.values() if d.id != "amiens" and d.city in text]
    assert leaked == []


def test_guest_page_in_german_and_its_subscription_address(store):
    store.publish(user="test")
    _, token = store.create_feed_token("guest", "leeds")
    app = guest_app(token, lang="de")
    assert not app.exception
    assert title(app) == "Willkommen, Delegation aus Leeds!"
    assert app.query_params == {} or "g" not in app.query_params
    assert [c.value for c in app.code] == [f"http://localhost:8501/feeds/{token}.ics?lang=de"]
    assert {"Zeit", "Was", "Wo", "Mit", "Hinweis"} <= set(dataframes_with(app, "Was")[0].columns)


def test_guest_before_anything_is_published(store):
    _, token = store.create_feed_token("guest", "amiens")
    app = guest_app(token)
    assert not app.exception
    assert title(app) == "Your programme"
    assert any("not been published yet" in i.value for i in app.info)
    assert not app.dataframe and "Rathaus" not in rendered_text(app)


@pytest.mark.parametrize("how", ["unknown", "revoked", "feed-only", "expired"])
def test_invalid_guest_links_show_an_error_and_no_programme(store, monkeypatch, how):
    store.publish(user="test")
    if how == "unknown":
        token = "x" * 43
    elif how == "feed-only":  # a calendar link is no guest link
        _, token = store.create_feed_token("delegation", "amiens")
    else:
        number, token = store.create_feed_token(
            "guest", "amiens", expires=datetime.now(UTC) + timedelta(hours=1) if how == "expired" else None
        )
        if how == "revoked":
            store.revoke_feed_token(number)
        else:
            import planner.storage.link_tokens as store_module

            later = store_module.now_micros() + 2 * 3600 * 1_000_000
            monkeypatch.setattr(store_module, "now_micros", lambda: later)
    app = guest_app(token)
    assert not app.exception
    assert [e.value for e in app.error] == [
        "This link is not valid or has expired. Please ask the protocol office for a new one."
    ]
    assert not app.title and not app.dataframe and not app.get("deck_gl_json_chart")
    assert "Amiens" not in rendered_text(app)
    assert "g" not in app.query_params and "guest_token" not in app.session_state


def test_a_guest_link_revoked_during_the_visit_stops_at_once(store):
    store.publish(user="test")
    store.add_user("someone", "admin", PASSWORD)  # so that a session without the link must sign in
    number, token = store.create_feed_token("guest", "amiens")
    app = guest_app(token)
    assert title(app) == GUEST_TITLE.format("Amiens")
    store.revoke_feed_token(number)
    ran(app)
    assert app.error and "not valid" in app.error[0].value
    assert not app.title and not app.dataframe
    ran(app)  # and it stays out: the session no longer holds the token
    assert not app.dataframe and title(app) == "Sign in"


def test_guest_link_json_of_the_map_holds_only_own_venues(store):
    store.publish(user="test")
    released = store.release_plan()
    _, token = store.create_feed_token("guest", "netanya")
    app = guest_app(token)
    spec = json.loads(app.get("deck_gl_json_chart")[0].proto.json)
    names = json.dumps(spec, ensure_ascii=False)
    venues = {e.venue for e in released.events if "netanya" in e.delegations and e.venue} | {"hotel-hbf"}
    for venue in released.venues.values():
        if venue.id not in venues and venue.name not in " ".join(released.venues[v].name for v in venues):
            assert venue.name not in names, venue.name


# -- what a user typed survives others' changes ----------------------------------------------


def test_festival_table_edits_survive_an_unrelated_change(store):
    app = session(store, "organiser")
    open_page(app, "festival")
    table = next(d for d in app.dataframe if d.editing_mode == "dynamic")
    first = table.value.iloc[0]
    app.session_state[table.key] = {"edited_rows": {0: {"title": "Renamed in the table"}}, "added_rows": [], "deleted_rows": []}
    ran(app)
    assert any(i.value.startswith("Unsaved: 0 new, 1 changed") for i in app.info)
    store.create_feed_token("person", "ob", user="other")  # someone else, something else
    ran(app)
    assert any(i.value.startswith("Unsaved: 0 new, 1 changed") for i in app.info)
    next(b for b in app.button if b.label == "Save the table").click()
    ran(app)
    assert store.event(first["id"])[0].title == "Renamed in the table"
    assert "Saved the festival programme." in [s.value for s in app.success]


def test_festival_table_save_refused_when_someone_changed_that_slot(store):
    app = session(store, "organiser")
    open_page(app, "festival")
    table = next(d for d in app.dataframe if d.editing_mode == "dynamic")
    first = table.value.iloc[0]
    app.session_state[table.key] = {"edited_rows": {0: {"title": "Mine"}}, "added_rows": [], "deleted_rows": []}
    ran(app)
    _, version = store.event(first["id"])
    store.update_event(first["id"], {"title": "Theirs"}, expected_version=version, user="bert")
    ran(app)
    next(b for b in app.button if b.label == "Save the table").click()
    ran(app)
    assert app.error and app.error[0].value.startswith("Someone else was faster: ")
    assert "bert" in app.error[0].value
    assert store.event(first["id"])[0].title == "Theirs"
    assert any(i.value.startswith("Unsaved: 0 new, 1 changed") for i in app.info)  # the edit is still there


def test_an_event_form_keeps_what_was_typed_and_refuses_a_stale_save(store):
    app = session(store, "protocol")
    open_page(app, "delegations")
    app.selectbox(key="event-amiens").set_value("gb-amiens")
    ran(app)
    key = "delegation-event-amiens-gb-amiens"
    app.text_input(key=f"{key}-title").input("Mine")
    ran(app)
    _, version = store.event("gb-amiens")
    store.update_event("gb-amiens", {"notes": "moved the flowers"}, expected_version=version, user="bert")
    ran(app)
    assert app.text_input(key=f"{key}-title").value == "Mine"  # kept across the other change
    assert any("Someone else changed this event" in w.value for w in app.warning)
    next(b for b in app.button if b.label == "Save changes").click()
    ran(app)
    assert app.error and app.error[0].value.startswith("Someone else was faster: ")
    assert store.event("gb-amiens")[0].title != "Mine"
    next(b for b in app.button if b.label == "Discard my changes").click()
    ran(app)
    assert app.text_input(key=f"{key}-title").value == store.event("gb-amiens")[0].title
    assert not any("Someone else changed this event" in w.value for w in app.warning)


def test_an_event_form_sends_only_what_was_changed_and_nothing_when_nothing_was(store):
    app = session(store, "protocol")
    open_page(app, "delegations")
    app.selectbox(key="event-amiens").set_value("gb-amiens")
    ran(app)
    key = "delegation-event-amiens-gb-amiens"
    entries = len(store.audit())
    next(b for b in app.button if b.label == "Save changes").click()
    ran(app)
    assert any(i.value == "Nothing was changed, so nothing was saved." for i in app.info)
    assert len(store.audit()) == entries
    app.text_input(key=f"{key}-title").input("Golden Book: Amiens signs")
    ran(app)
    next(b for b in app.button if b.label == "Save changes").click()
    ran(app)
    latest = store.audit(limit=1)[0]
    assert latest.entity_id == "gb-amiens"
    assert {name for name in latest.after if latest.before.get(name) != latest.after[name]} == {"title"}
    # Saved once: saving again without a change writes nothing more.
    next(b for b in app.button if b.label == "Save changes").click()
    ran(app)
    assert len(store.audit()) == entries + 1


def test_edited_fields_are_those_that_differ_and_time_goes_together():
    from dataclasses import replace

    from planner.plan.changes import edited_fields
    from planner.plan.reading import load_plan

    event = load_plan(ROOT / "data" / "dortbunt-2027.json").events[0]
    assert edited_fields(event, event) == []
    assert edited_fields(event, replace(event, title="x", people=())) == ["title", "people"]
    later = replace(event, end=event.end + timedelta(minutes=5))
    assert edited_fields(event, later) == ["start", "end"]
    assert edited_fields(event, replace(event, sequence=event.sequence + 3)) == []


def test_opening_a_festival_slot_from_conflicts_shows_its_day_and_stage(store):
    app = session(store, "organiser")
    plan = store.load_plan()
    wall = WallClock(zone_named(plan.timezone, "timezone"))
    slot = next(e for e in sorted(plan.events, key=lambda e: e.start, reverse=True) if e.kind == "festival_slot")
    app.session_state["focus_event"] = slot.id
    open_page(app, "festival")
    assert app.multiselect(key="festival-days").value == [wall.local_date(slot.start)]
    assert app.multiselect(key="festival-stages").value == [slot.venue]
    table = next(d for d in app.dataframe if d.editing_mode == "dynamic")
    assert slot.id in set(table.value["id"])


def test_the_new_event_form_waits_for_a_title_and_is_empty_after_a_booking(store):
    app = session(store, "protocol")
    open_page(app, "golden_book")
    day = app.selectbox(key="availability-day").value
    key = f"signing-amiens-{day}-new-0"
    assert not next(b for b in app.button if b.label == "Add event").disabled  # the title is filled in
    app.text_input(key=f"{key}-title").input("")
    ran(app)
    [add] = [b for b in app.button if b.label == "Add event"]
    assert add.disabled and not [w for w in app.warning if "would create" in w.value]
    app.text_input(key=f"{key}-title").input("Golden Book: Amiens again")
    app.time_input(key=f"{key}-start").set_value(time(9, 0))
    app.time_input(key=f"{key}-end").set_value(time(9, 20))
    ran(app)
    next(b for b in app.button if b.label == "Add event").click()
    ran(app)
    assert any(e.title == "Golden Book: Amiens again" for e in store.load_plan().events)
    # The form starts again from its defaults, with new widgets (a browser keeps a widget's value
    # while its key stays): a second click cannot book the same thing twice.
    fresh = f"signing-amiens-{day}-new-1"
    assert app.text_input(key=f"{fresh}-title").value == "Golden Book: Amiens"
    assert not [w for w in app.text_input if w.key == f"{key}-title"]


def test_publishing_says_when_nothing_changed_and_warns_of_open_errors(store):
    app = session(store, "protocol")
    errors = sum(c.severity == "error" for c in check(store.load_plan()))
    assert any(f"still has {errors} error(s)" in w.value for w in app.warning)
    store.publish(user="test")
    ran(app)
    assert "Publish the draft" not in buttons(app)
    assert any("would change nothing" in c.value for c in app.caption)


def test_a_guest_link_lasts_until_a_week_after_the_visit(store):
    app = session(store, "protocol")
    open_page(app, "calendars")
    app.selectbox(key="link-kind").set_value("guest")
    ran(app)
    app.selectbox(key="link-target").set_value("amiens")
    ran(app)
    departure = store.entity("delegation", "amiens")[0].departure
    days = app.number_input(key="link-days-guest-amiens").value
    assert days >= 30 and datetime.now(UTC) + timedelta(days=days) > departure + timedelta(days=7)
    app.selectbox(key="link-kind").set_value("person")
    ran(app)
    assert next(n for n in app.number_input if n.key.startswith("link-days-person")).value == 0  # until revoked


def test_admin_changes_an_accounts_role_and_password(store):
    app = session(store, "admin")
    store.add_user("anna", "protocol", PASSWORD)
    open_page(app, "admin")
    app.selectbox(key="change-user-name").set_value("anna")
    app.selectbox(key="change-user-role").set_value("viewer")
    app.text_input(key="change-user-password").input("a brand new password")
    next(b for b in app.button if b.label == "Change account").click()
    ran(app)
    assert "Account anna changed." in [s.value for s in app.success]
    assert dict(store.users())["anna"] == "viewer"
    assert store.authenticate("anna", "a brand new password") == "viewer"


def test_golden_book_suggests_free_times_and_books_one(store):
    app = session(store, "protocol")
    open_page(app, "golden_book")
    day = app.selectbox(key="availability-day").value
    assert not [b for b in app.button if b.label == "Use"]  # searched only when asked
    next(b for b in app.button if b.label == "Find free times").click()
    ran(app)
    uses = [b for b in app.button if b.label == "Use"]
    assert uses, "no suggestion shown"
    first = next(t.value for t in app.text if "free " in t.value)
    uses[0].click()
    ran(app)
    key = f"signing-amiens-{day}-new-1"  # a fresh form, filled from the suggestion
    start = app.time_input(key=f"{key}-start").value
    assert start.strftime("%H:%M") in first
    next(b for b in app.button if b.label == "Add event").click()
    ran(app)
    booked = [e for e in store.load_plan().events if e.id.startswith("gb-amiens-")]
    assert len(booked) == 1
    errors = [c for c in check(store.load_plan()) if booked[0].id in c.events and c.severity == "error"]
    assert errors == []


# -- what organisers may read ------------------------------------------------------------------


def test_organisers_read_busy_time_only_as_busy(store):
    """The Lord Mayor's diary is the office's: an organiser's pages (timeline by person, conflicts,
    overview) show busy time as "Busy", never its subject, and no notes; a viewer of the office
    reads them (the control)."""
    busy = [e.title for e in store.load_plan().events if e.kind == "unavailable"]
    notes = [e.notes for e in store.load_plan().events if e.notes]
    assert busy and notes
    for who in ("organiser", "viewer"):
        app = session(store, who)
        seen = rendered_text(app)
        open_page(app, "timeline_map")
        next(r for r in app.radio if r.label == "Rows").set_value("person")
        wall = WallClock(zone_named("Europe/Berlin", "timezone"))
        for day in sorted({wall.local_date(e.start) for e in store.load_plan().events if e.status != "cancelled"}):
            app.selectbox[0].set_value(day)
            seen += rendered_text(ran(app))
        seen += rendered_text(open_page(app, "conflicts"))
        if who == "organiser":
            assert not [title for title in busy if title in seen]
            assert not [note for note in notes if note[:40] in seen]
            assert "Busy" in seen
        else:
            assert [title for title in busy if title in seen]
        app.session_state["user"] = None  # the next session signs in afresh
        store.remove_user(f"{who}-user")


def test_checking_an_uploaded_plan_is_bounded(store):
    """Any role may check a plan file on the Conflicts page; a file of copies of one event (as
    many overlaps as pairs) is shown as one pile-up, and a file with more conflicts than the
    page lists is refused with a clear message instead of filling the memory."""
    document = store.export_document()
    copies = [{**document["events"][0], "id": f"copy-{n}"} for n in range(400)]  # 80,200 pairs
    document["events"] = document["events"][:1] + copies
    app = session(store, "viewer")
    open_page(app, "conflicts")
    app.get("file_uploader")[0].set_value(("copies.json", json.dumps(document).encode(), "application/json"))
    ran(app)
    assert not app.error
    shown = dataframes_with(app, "Message")[0]
    assert len(shown) < 10
    assert any("401 events overlap" in message and "80,200 overlapping pairs" in message for message in shown["Message"])

    # 50,001 events, each outside its delegation's stay: more than the page lists.
    arrival = document["delegations"][0]
    late = {
        "id": "x",
        "title": "Too late",
        "kind": "meeting",
        "venue": document["venues"][0]["id"],
        "delegations": [arrival["id"]],
        "start": "2030-01-01T10:00",
        "end": "2030-01-01T11:00",
    }
    document["events"] = [{**late, "id": f"late-{n}"} for n in range(50_001)]
    document["venues"][0].pop("opening_hours", None)
    app.get("file_uploader")[0].set_value(("late.json", json.dumps(document).encode(), "application/json"))
    ran(app)
    assert [e.value for e in app.error] == [
        "The plan is invalid: more than 50,000 conflicts: this is no plan to check here (check it with python -m planner check)"
    ]
    assert not dataframes_with(app, "Message")


def test_links_use_the_address_the_admin_sets_for_guests_and_warn_on_localhost(store, monkeypatch):
    monkeypatch.delenv("PLANNER_PUBLIC_URL", raising=False)
    app = session(store, "admin")
    open_page(app, "calendars")
    assert any("which only this computer reaches" in w.value for w in app.warning)

    open_page(app, "admin")
    app.text_input(key="public-url-value").set_value("planner.dortmund.de")
    next(b for b in app.button if b.label == "Save the address").click()
    ran(app)
    assert any("public address: expected the app's address" in e.value for e in app.error)
    assert store.setting("public_url") == (None, 0)
    app.text_input(key="public-url-value").set_value("https://planner.dortmund.de/")
    next(b for b in app.button if b.label == "Save the address").click()
    ran(app)
    assert "Saved where guests reach the app." in [s.value for s in app.success]
    assert store.setting("public_url") == ("https://planner.dortmund.de", 1)

    open_page(app, "calendars")
    assert not any("only this computer" in w.value for w in app.warning)
    assert any("https://planner.dortmund.de/feeds/public.ics" in c.value for c in app.caption)
    app.selectbox(key="link-kind").set_value("guest")
    app.selectbox(key="link-target").set_value("leeds")
    next(b for b in app.button if b.label == "Create link").click()
    ran(app)
    page, feed = [c.value for c in app.code]
    token = page.split("?g=", 1)[1]
    assert page == f"https://planner.dortmund.de/?g={token}" and feed == f"https://planner.dortmund.de/feeds/{token}.ics"


def test_the_servers_public_address_wins_and_a_wrong_one_is_named(store, monkeypatch):
    monkeypatch.setenv("PLANNER_PUBLIC_URL", "https://termine.dortmund.de")
    app = session(store, "admin")
    open_page(app, "admin")
    assert any("The server sets it (PLANNER_PUBLIC_URL): links use https://termine.dortmund.de." in c.value for c in app.caption)
    monkeypatch.setenv("PLANNER_PUBLIC_URL", "termine.dortmund.de")
    open_page(app, "calendars")
    assert any("PLANNER\\_PUBLIC\\_URL: expected the app's address" in e.value for e in app.error), [e.value for e in app.error]
    assert any("http://localhost:8501/feeds/public.ics" in c.value for c in app.caption)


def test_a_second_delegation_from_the_same_city_is_its_own_and_both_stay_reachable(store):
    app = session(store, "protocol")
    open_page(app, "delegations")
    app.selectbox(key="delegation").set_value(NEW_OPTION)
    ran(app)
    app.text_input(key="new-delegation-city").input("Kumasi")
    app.text_input(key="new-delegation-country").input("GH")
    ran(app)
    assert any(c.value == "Short id: kumasi-2" for c in app.caption)
    next(b for b in app.button if b.label == "Create delegation").click()
    ran(app)
    plan = store.load_plan()
    assert plan.delegations["kumasi-2"].city == "Kumasi" and plan.delegations["kumasi"].arrival is not None
    picker = app.selectbox(key="delegation")
    assert picker.value == "kumasi-2"
    labels = picker.options  # as the page shows them
    assert len(set(labels)) == len(labels)
    # The form proposes the festival days for the new one too: the same stay, so the ids tell them apart.
    assert [label for label in labels if label.startswith("Kumasi")] == [
        "Kumasi (GH), Fri 7 May – Sun 9 May [kumasi]",
        "Kumasi (GH), Fri 7 May – Sun 9 May [kumasi-2]",
    ]
    picker.set_value("kumasi")
    ran(app)
    assert app.selectbox(key="delegation").value == "kumasi"


def test_a_new_event_of_a_delegation_starts_after_it_arrives(store):
    from datetime import time

    app = session(store, "protocol")
    open_page(app, "delegations")
    app.selectbox(key="delegation").set_value("kumasi")  # arrives Fri 7 May at 14:00
    ran(app)
    key = "delegation-event-kumasi-new-0"
    assert app.time_input(key=f"{key}-start").value == time(15, 0)
    assert app.time_input(key=f"{key}-end").value == time(16, 0)
    app.text_input(key=f"{key}-title").input("Welcome coffee")
    ran(app)
    shown = rendered_text(app) + " ".join(str(frame.value.to_dict()) for frame in app.dataframe)
    assert "This change would create" in shown and "Outside the delegation's stay" not in shown
