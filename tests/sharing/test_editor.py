"""Who may change what (planner.sharing.access `Editor`), against a real database: each role
does exactly its actions, organisers touch festival slots only, the role is read again at
every save, single sign-on roles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from support.paths import DATA
from support.sample import first, new_meeting, new_slot

from planner import PlanError, load_plan
from planner.sharing.access import Editor, Forbidden
from planner.storage import NotFoundError

SAMPLE = load_plan(DATA / "dortbunt-2027.json")
PASSWORD = "correct horse battery"


# -- the Editor, against a real database -------------------------------------------------------


def test_a_fresh_install_is_admin_on_this_machine_only(store):
    here, remote = Editor(store, None, local=True), Editor(store, None, local=False)
    assert here.role() == "admin" and remote.role() is None
    with pytest.raises(Forbidden, match="without sign-in"):
        remote.edit_events("delegations", added=[new_meeting()])
    here.edit_events("delegations", added=[new_meeting()])
    assert store.audit("event", "new-meeting")[0].user == "local admin"
    with pytest.raises(PlanError, match="first account must be an admin"):
        here.add_user("vera", "viewer", PASSWORD)
    here.add_user("root", "admin", PASSWORD)
    # Once an account exists, this machine must sign in too.
    assert here.role() is None
    with pytest.raises(Forbidden):
        here.publish()


ALLOWED = {  # what each role may do, checked by doing it
    "admin": {"delegations", "golden_book", "festival", "share", "publish", "admin"},
    "protocol": {"delegations", "golden_book", "festival", "share", "publish"},
    "organiser": {"festival"},
    "viewer": set(),
}


@pytest.mark.parametrize("role", list(ALLOWED))
def test_each_role_may_do_exactly_its_actions(store, role):
    store.add_user("boss", "admin", PASSWORD)
    if role != "admin":
        store.add_user("someone", role, PASSWORD)
    editor = Editor(store, "boss" if role == "admin" else "someone", local=False)
    signing, signing_version = first(store, "golden_book")
    attempts = {
        "delegations": lambda: editor.edit_events("delegations", added=[new_meeting()]),
        "golden_book": lambda: editor.edit_events("golden_book", changed={signing.id: ({"title": "Signed"}, signing_version)}),
        "festival": lambda: editor.edit_events("festival", added=[new_slot()]),
        "share": lambda: editor.create_link("guest", "amiens", datetime.now(UTC) + timedelta(days=1)),
        "publish": lambda: editor.publish("r1"),
        "admin": lambda: editor.add_user("newbie", "viewer", PASSWORD),
    }
    for action, attempt in attempts.items():
        revision = store.revision()
        if action in ALLOWED[role]:
            attempt()
            assert store.revision() > revision, action
        else:
            with pytest.raises(Forbidden):
                attempt()
            assert store.revision() == revision, action
    more = [
        lambda: editor.add_entity("venue", {"id": "v2", "name": "V", "lat": 51.5, "lon": 7.4, "kind": "other"}),
        lambda: editor.import_plan(SAMPLE),
        lambda: editor.remove_user("boss" if role != "admin" else "someone"),
    ]
    if role != "admin":  # (an admin doing these is covered by the page tests)
        for attempt in more:
            with pytest.raises(Forbidden):
                attempt()


def test_an_organiser_may_touch_festival_slots_only(store):
    store.add_user("olga", "organiser", PASSWORD)
    olga = Editor(store, "olga", local=False)
    slot, slot_version = first(store, "festival_slot")
    signing, signing_version = first(store, "golden_book")
    before = store.export_document()
    refused = [
        {"added": [new_meeting()]},
        {"added": [new_slot(), new_meeting()]},  # one non-slot spoils the batch
        {"added": [{k: v for k, v in new_slot().items() if k != "kind"}]},  # no kind given
        {"changed": {signing.id: ({"title": "Hijacked"}, signing_version)}},
        {"changed": {slot.id: ({"kind": "meeting"}, slot_version)}},  # a slot turned into a meeting
        {"removed": {signing.id: signing_version}},
        {"added": [new_slot()], "removed": {signing.id: signing_version}},
    ]
    for batch in refused:
        with pytest.raises(Forbidden, match="organiser"):
            olga.edit_events("festival", **batch)
    with pytest.raises(Forbidden):
        olga.edit_events("delegations", added=[new_slot()])
    assert store.export_document() == before
    result = olga.edit_events("festival", added=[new_slot()], changed={slot.id: ({"title": "Renamed"}, slot_version)})
    assert store.event(slot.id)[0].title == "Renamed" and result[slot.id] == slot_version + 1
    olga.edit_events("festival", removed={"new-slot": 1})
    with pytest.raises(NotFoundError):
        store.event("new-slot")
    assert {a.user for a in store.audit("event", slot.id)[:1]} == {"olga"}


def test_the_role_is_read_again_at_every_save(store):
    store.add_user("root", "admin", PASSWORD)
    store.add_user("pia", "protocol", PASSWORD)
    pia = Editor(store, "pia", local=True)  # even on this machine
    pia.edit_events("delegations", added=[new_meeting("one")])
    store.remove_user("pia")
    store.add_user("pia", "viewer", PASSWORD)
    with pytest.raises(Forbidden, match="'viewer'"):
        pia.edit_events("delegations", added=[new_meeting("two")])
    store.remove_user("pia")
    with pytest.raises(Forbidden, match="without sign-in"):
        pia.edit_events("delegations", added=[new_meeting("two")])
    with pytest.raises(NotFoundError):
        store.event("two")


def test_single_sign_on_roles(store):
    store.add_user("root", "admin", PASSWORD)
    mapping = {"*@dortmund.de": "protocol", "Chef@Dortmund.de": "admin", "x@example.org": "emperor"}
    assert Editor(store, "someone@dortmund.de", local=False, via="sso", sso_roles=mapping).role() == "protocol"
    assert Editor(store, "chef@dortmund.de", local=False, via="sso", sso_roles=mapping).role() == "admin"
    assert Editor(store, "x@example.org", local=False, via="sso", sso_roles=mapping).role() is None
    with pytest.raises(Forbidden):
        Editor(store, "someone@elsewhere.de", local=False, via="sso", sso_roles=mapping).publish()
    assert Editor(store, "someone@dortmund.de", local=False, via="sso", sso_roles=mapping).publish() == 1


def test_admins_cannot_remove_their_own_account(store):
    store.add_user("root", "admin", PASSWORD)
    with pytest.raises(PlanError, match="your own account"):
        Editor(store, "root", local=False).remove_user("root")
    assert store.users() == [("root", "admin")]
