"""What the store takes and what it refuses: batches of event edits are all or nothing
(PlanStore.edit_events), guest links expire and can be revoked, and writes that would leave
a plan the app cannot list or publish are refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.sample import first, new_meeting, new_slot

import planner.storage.link_tokens as store_module
from planner import PlanError
from planner.plan.clock import micros
from planner.sharing.access import Editor, Forbidden
from planner.storage import NotFoundError, StaleEditError

PASSWORD = "correct horse battery"


# -- PlanStore.edit_events: all or nothing ---------------------------------------------------


def test_a_batch_with_one_invalid_event_changes_nothing(store):
    before, revision = store.export_document(), store.revision()
    event_, version = first(store, "meeting")
    slot, slot_version = first(store, "festival_slot")
    bad_batches = [
        {"added": [new_meeting("ok-1"), {**new_meeting("bad"), "venue": "the-moon"}]},
        {"added": [new_meeting("ok-1")], "changed": {event_.id: ({"end": "2027-01-01T00:00"}, version)}},
        {"removed": {slot.id: slot_version}, "added": [{**new_meeting("bad"), "kind": "party"}]},
        {"changed": {event_.id: ({"title": "Renamed"}, version)}, "removed": {slot.id: slot_version + 5}},
        {"added": [new_meeting("dup"), new_meeting("dup")]},
        {"added": [new_meeting("ok-1"), {**new_meeting(event_.id)}]},  # an id that exists
        {"changed": {event_.id: ({"title": "Renamed"}, version), "no-such-event": ({"title": "x"}, 1)}},
    ]
    for batch in bad_batches:
        with pytest.raises((PlanError, StaleEditError, NotFoundError)):
            store.edit_events(**batch, user="test")
        assert store.export_document() == before, batch
        assert store.revision() == revision, batch
    with pytest.raises(PlanError, match=r"slot\[1\]\.venue"):
        store.edit_events([new_slot("s1"), {**new_slot("s2"), "venue": "the-moon"}], path="slot")


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    good=st.integers(0, 4),
    spoiled=st.integers(0, 4),
    flaw=st.sampled_from(
        [
            {"venue": "the-moon"},
            {"end": "2027-05-08T07:00"},
            {"kind": "party"},
            {"delegations": ["atlantis"]},
            {"people": ["nobody"]},
            {"status": "maybe"},
            {"title": 7},
            {"start": "yesterday"},
        ]
    ),
    change=st.booleans(),
)
def test_any_batch_with_a_flaw_changes_nothing(store, good, spoiled, flaw, change):
    before, revision = store.export_document(), store.revision()
    added = [new_meeting(f"ok-{i}") for i in range(good)]
    added.insert(min(spoiled, good), {**new_meeting("flawed"), **flaw})
    changed = {}
    if change:
        event_, version = first(store, "meeting")
        changed = {event_.id: ({"title": "Renamed in a failed batch"}, version)}
    with pytest.raises(PlanError):
        store.edit_events(added, changed, user="test")
    assert store.revision() == revision and store.export_document() == before


# -- guest links that expire -----------------------------------------------------------------


def test_guest_link_expiry(store, monkeypatch):
    with pytest.raises(PlanError, match="in the future"):
        store.create_feed_token("guest", "amiens", expires=datetime.now(UTC) - timedelta(seconds=1))
    with pytest.raises(PlanError, match="time zone"):
        store.create_feed_token("guest", "amiens", expires=datetime.now() + timedelta(days=1))
    with pytest.raises(NotFoundError):
        store.create_feed_token("guest", "atlantis")
    expires = datetime.now(UTC) + timedelta(hours=1)
    number, token = store.create_feed_token("guest", "amiens", expires=expires)
    _, forever = store.create_feed_token("guest", "leeds")
    assert store.feed_for_token(token) == ("guest", "amiens")
    [link, _] = store.feed_tokens()
    assert link["number"] == number and link["expires_at"] == expires
    end = micros(expires)
    monkeypatch.setattr(store_module, "now_micros", lambda: end - 1)
    assert store.feed_for_token(token) == ("guest", "amiens")
    monkeypatch.setattr(store_module, "now_micros", lambda: end)
    assert store.feed_for_token(token) is None
    monkeypatch.setattr(store_module, "now_micros", lambda: end + 10 * 365 * 86400 * 10**6)
    assert store.feed_for_token(token) is None
    assert store.feed_for_token(forever) == ("guest", "leeds")  # no expiry: until revoked


def test_revoked_and_wrong_tokens(store):
    number, token = store.create_feed_token("guest", "amiens")
    for wrong in ("", "short", token[:-1] + ("A" if token[-1] != "A" else "B"), token + "x", "x" * 200, None, 42):
        assert store.feed_for_token(wrong) is None
    store.revoke_feed_token(number)
    assert store.feed_for_token(token) is None
    with pytest.raises(NotFoundError):
        store.revoke_feed_token(number)
    assert store.feed_tokens()[0]["revoked_at"] is not None


def test_an_editor_creates_expiring_links(store):
    editor = Editor(store, None, local=True)
    number, token = editor.create_link("guest", "kumasi", datetime.now(UTC) + timedelta(days=30))
    assert store.feed_for_token(token) == ("guest", "kumasi")
    editor.revoke_link(number)
    assert store.feed_for_token(token) is None


# -- what the store refuses so that the app can always list and publish the plan -------------


def test_entities_need_an_id_and_a_name(store):
    base = {"city": "Bolzano", "country": "IT", "size": 4}
    with pytest.raises(PlanError, match=r"delegation\.id: expected a non-empty string id"):
        store.add_entity("delegation", {"id": "", **base})
    with pytest.raises(PlanError, match=r"delegation\.city: must not be empty"):
        store.add_entity("delegation", {"id": "bolzano", **base, "city": "  "})
    store.add_entity("delegation", {"id": "bolzano", **base})
    _, version = store.entity("delegation", "bolzano")
    with pytest.raises(PlanError, match=r"delegation\.city: must not be empty"):
        store.update_entity("delegation", "bolzano", {"city": ""}, expected_version=version)
    with pytest.raises(PlanError, match=r"person\.name: must not be empty"):
        store.add_entity("person", {"id": "x", "name": "", "role": "escort"})
    assert store.entity("delegation", "bolzano")[0].city == "Bolzano"


def test_a_release_that_would_not_read_back_is_refused(store):
    import sqlalchemy as sa

    with store.engine.begin() as connection:  # a row no form lets through, written behind the app's back
        connection.execute(sa.text("UPDATE delegations SET country = 'xx' WHERE id = 'amiens'"))
    with pytest.raises(PlanError, match=r"delegations\[0\]\.country"):
        store.publish("broken", user="test")
    assert store.releases() == []


def test_accounts_change_role_and_password(store):
    from planner.storage import NotFoundError

    store.add_user("root", "admin", PASSWORD)
    store.add_user("anna", "protocol", PASSWORD)
    for _ in range(5):
        assert store.authenticate("anna", "wrong password!") is None
    assert store.authenticate("anna", PASSWORD) is None  # locked out
    store.update_user("anna", role="viewer", password="a new long password", user="root")
    assert dict(store.users())["anna"] == "viewer"
    assert store.authenticate("anna", "a new long password") == "viewer"  # the lock is lifted too
    assert store.authenticate("anna", PASSWORD) is None
    with pytest.raises(PlanError, match="last admin"):
        store.update_user("root", role="viewer")
    with pytest.raises(PlanError, match="at least 10"):
        store.update_user("anna", password="short")
    with pytest.raises(NotFoundError):
        store.update_user("nobody", role="viewer")
    with pytest.raises(Forbidden):
        Editor(store, "anna", local=False).update_user("root", role="viewer")
    with pytest.raises(PlanError, match="lower your own role"):
        Editor(store, "root", local=False).update_user("root", role="protocol")
    assert store.audit("user", "anna")[0].after == {"role": "viewer", "password": "changed"}
