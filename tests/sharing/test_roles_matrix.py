"""Every change the app can make, for every kind of session, checked where it counts: in
`planner.sharing.access.Editor` on the server, whatever a page offered. A refused change leaves the
database exactly as it was; the matrix must name every public method of Editor, so a new kind
of change cannot arrive untested."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, timedelta

import pytest
from support.paths import DATA

from planner import load_plan
from planner.sharing.access import ACTIONS, Editor, Forbidden
from planner.storage import NotFoundError, PlanStore

PASSWORD = "correct horse battery"
SAMPLE = load_plan(DATA / "dortbunt-2027.json")
WHO = ("admin", "protocol", "organiser", "viewer", "anonymous", "local-no-accounts")


def _slot(plan):
    return next(e for e in plan.events if e.kind == "festival_slot")


def _first(plan, kind):
    return next(e for e in plan.events if e.kind == kind)


def _attempts(store: PlanStore, editor: Editor, tmp_path) -> dict[str, tuple[str, object]]:
    """Method name (or name:variant) -> (action it needs, the call)."""
    plan = store.load_plan()
    signing = _first(plan, "golden_book")
    slot = _slot(plan)
    version = lambda event_id: store.event(event_id)[1]  # noqa: E731
    _, person_version = store.entity("person", "ob")
    meeting = {
        "id": "matrix-meeting",
        "title": "Meeting",
        "kind": "meeting",
        "start": "2027-05-07T09:00",
        "end": "2027-05-07T09:30",
        "venue": "rathaus",
        "delegations": ["amiens"],
    }
    new_slot = {
        "id": "matrix-slot",
        "title": "Band",
        "kind": "festival_slot",
        "start": "2027-05-08T11:00",
        "end": "2027-05-08T11:30",
        "venue": slot.venue,
    }
    link_number = store.create_feed_token("guest", "amiens", user="setup")[0]
    first_account = "admin" if not store.users() else "viewer"  # the first account must be an admin
    return {
        "add_entity:venue": (
            "admin",
            lambda: editor.add_entity("venue", {"id": "matrix-venue", "name": "V", "lat": 51.5, "lon": 7.4, "kind": "other"}),
        ),
        "add_entity:delegation": (
            "delegations",
            lambda: editor.add_entity("delegation", {"id": "bolzano", "city": "Bolzano", "country": "IT", "size": 3}),
        ),
        "update_entity": (
            "delegations",
            lambda: editor.update_entity("person", "ob", {"phone": "+49 231 0"}, expected_version=person_version),
        ),
        "edit_events:delegations": ("delegations", lambda: editor.edit_events("delegations", added=[meeting])),
        "edit_events:golden_book": (
            "golden_book",
            lambda: editor.edit_events("golden_book", changed={signing.id: ({"title": "Signed"}, version(signing.id))}),
        ),
        "edit_events:festival": ("festival", lambda: editor.edit_events("festival", added=[new_slot])),
        "replace_busy_time": ("golden_book", lambda: editor.replace_busy_time("ob", [])),
        "set_organiser_limits": ("admin", lambda: editor.set_organiser_limits(["performer", "other"], [], expected_version=0)),
        "set_public_url": ("admin", lambda: editor.set_public_url("https://planner.dortmund.de", expected_version=0)),
        "publish": ("publish", lambda: editor.publish("matrix")),
        "create_link": ("share", lambda: editor.create_link("guest", "amiens", datetime.now(UTC) + timedelta(days=1))),
        "revoke_link": ("share", lambda: editor.revoke_link(link_number)),
        "add_user": ("admin", lambda: editor.add_user("newbie", first_account, PASSWORD)),
        "update_user": ("admin", lambda: editor.update_user("victim", password="a new password 123")),
        "remove_user": ("admin", lambda: editor.remove_user("victim")),
        "import_plan": ("admin", lambda: editor.import_plan(SAMPLE)),
        "backup": ("admin", lambda: editor.backup(tmp_path / "copy.db")),
    }


def _state(store: PlanStore, tmp_path) -> tuple:
    return (
        store.revision(),
        store.export_document(),
        store.users(),
        store.feed_tokens(),
        store.releases(),
        len(store.audit()),
        (tmp_path / "copy.db").exists(),
    )


def _session(store: PlanStore, who: str) -> tuple[Editor, str | None]:
    if who == "local-no-accounts":
        return Editor(store, None, local=True), "admin"
    store.add_user("boss", "admin", PASSWORD, user="setup")
    store.add_user("victim", "viewer", PASSWORD, user="setup")
    if who == "anonymous":  # a browser from elsewhere that has not signed in
        return Editor(store, None, local=False), None
    name = "boss" if who == "admin" else f"{who}-user"
    if who != "admin":
        store.add_user(name, who, PASSWORD, user="setup")
    return Editor(store, name, local=False), who


def test_the_matrix_names_every_change_an_editor_can_make(tmp_path):
    store = PlanStore(f"sqlite:///{tmp_path}/matrix.db")
    public = {name for name, member in inspect.getmembers(Editor, inspect.isfunction) if not name.startswith("_")}
    public -= {"role", "require", "require_reading"}  # questions, not changes
    covered = {key.split(":")[0] for key in _attempts(store, Editor(store, None, local=True), tmp_path)}
    assert covered | {"export_document"} == public  # the one read: test_whole_draft_for_admins_only


@pytest.mark.parametrize("who", WHO)
def test_whole_draft_for_admins_only_and_reading_per_role(tmp_path, who):
    store = PlanStore(f"sqlite:///{tmp_path}/planner.db")
    editor, role = _session(store, who)
    if role == "admin":
        assert editor.export_document() == store.export_document()
    else:
        with pytest.raises(Forbidden):
            editor.export_document()
    for internal in (False, True):
        if role is not None and (not internal or role != "organiser"):
            editor.require_reading(internal)
        else:
            with pytest.raises(Forbidden):
                editor.require_reading(internal)
    store.close()


@pytest.mark.parametrize("who", WHO)
def test_every_change_for_every_session(tmp_path, who):
    attempts_run = 0
    for key in _attempts(PlanStore(f"sqlite:///{tmp_path}/names.db"), Editor(None, None, local=True), tmp_path):
        # A fresh database per change: each is judged alone, not after the others.
        folder = tmp_path / key.replace(":", "-")
        folder.mkdir()
        store = PlanStore(f"sqlite:///{folder}/planner.db")
        editor, role = _session(store, who)
        action, attempt = _attempts(store, editor, folder)[key]
        before = _state(store, folder)
        if role in ACTIONS[action] and who == "local-no-accounts" and key in ("update_user", "remove_user"):
            with pytest.raises(NotFoundError):  # allowed, but there is no account yet
                attempt()
        elif role in ACTIONS[action]:
            attempt()
            assert _state(store, folder) != before, key
        else:
            with pytest.raises(Forbidden):
                attempt()
            assert _state(store, folder) == before, key
        store.close()
        attempts_run += 1
    assert attempts_run == 17
