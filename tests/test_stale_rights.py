"""Rights are checked when a file is made, not only when its button was drawn: a download made
on the click (the whole draft on the Admin page, internal calendars and tables) gives nothing
to an account removed or lowered after the page was drawn. The clicks are sent as the browser
sends them (a Streamlit websocket client, see bench/load_sessions.py)."""

from __future__ import annotations

import asyncio
import urllib.request

import pytest

from appserver import running_app
from bench.load_sessions import Client, Outcome, Session
from planner.storage import PlanStore

PASSWORD = "load-test-password"  # what the client signs in with
SECRET = "SECRET-AFTER-THE-CHANGE"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("stale-rights")
    url = f"sqlite:///{folder}/planner.db"
    store = PlanStore(url)
    store.add_user("boss", "admin", PASSWORD, user="setup")
    store.close()
    with running_app(folder, STREAMLIT_SERVER_FILE_WATCHER_TYPE="none") as (base, _):
        yield base, url


def _deferred_id(client: Client, label_start: str) -> str:
    button = next(b for b in client.tree.get("download_button") if b.proto.label.startswith(label_start))
    assert button.proto.deferred_file_id
    return button.proto.deferred_file_id


async def _click_after_change(base: str, url: str, name: str, role: str, page: str, label: str, change,
                              choose_all: bool = False):
    """Sign in `name`, open `page`, click the download `label` once (it works), apply `change`
    to the account, write a secret into the draft, and click again: (first, second) answers."""
    store = PlanStore(url)
    store.add_user(name, role, PASSWORD, user="setup")
    client = Client(base, Session(0, name, role), Outcome())
    await client.connect()
    try:
        await client.sign_in()
        await client.open(page)
        if choose_all:  # Calendars: everything, internal
            from streamlit.proto.WidgetStates_pb2 import WidgetState

            kind = client.widget("selectbox", "feed-kind")
            await client.run("choose", [WidgetState(id=kind.id, string_value="Everything (draft, internal)")])
        file_id = _deferred_id(client, label)
        first = await client.deferred_file(file_id)
        change(store, name)
        event, version = store.event("lunch-amiens-fri")
        store.update_event(event.id, {"notes": SECRET}, expected_version=version, user="boss")
        second = await client.deferred_file(file_id)
    finally:
        await client.close()
        store.close()
    return first, second


def _fetched(base: str, answer) -> bytes:
    return urllib.request.urlopen(base + answer.deferred_file.url, timeout=30).read()


def _removed(store, name):
    store.remove_user(name, user="boss")


def _lowered(store, name):
    store.update_user(name, role="organiser", user="boss")


@pytest.mark.parametrize("change", [_removed, _lowered], ids=["removed", "lowered"])
def test_an_admin_removed_or_lowered_gets_no_export_of_the_draft(app, change):
    base, url = app
    name = f"admin-{change.__name__[1:]}"
    first, second = asyncio.run(_click_after_change(base, url, name, "admin", "admin", "Export the draft", change))
    assert first.deferred_file.url and b'"format": "dortbunt-plan/1"' in _fetched(base, first)
    assert second.error_msg and not second.deferred_file.url


def test_a_protocol_officer_lowered_gets_no_internal_calendar_or_table(app):
    base, url = app
    for number, label in enumerate(("Download “", "As a table (CSV)", "As a table (Excel)")):
        name = f"protocol-{number}"
        first, second = asyncio.run(_click_after_change(base, url, name, "protocol", "calendars", label, _lowered,
                                                        choose_all=True))
        assert first.deferred_file.url and len(_fetched(base, first)) > 1000, label
        assert second.error_msg and not second.deferred_file.url, label


def test_a_revoked_guest_link_gets_no_programme_from_a_page_left_open(app):
    base, url = app
    store = PlanStore(url)
    store.publish("for the guests", user="boss")
    number, token = store.create_feed_token("guest", "amiens", user="boss")

    async def visit():
        guest = Client(base, Session(0, "guest", "guest"), Outcome())
        guest.query = f"g={token}"
        await guest.connect()
        try:
            await guest.run("open the guest link")
            assert guest.title() == "Welcome, delegation of Amiens!"
            file_id = _deferred_id(guest, "Download the programme")
            first = await guest.deferred_file(file_id)
            store.revoke_feed_token(number, user="boss")
            return first, await guest.deferred_file(file_id)
        finally:
            await guest.close()

    try:
        first, second = asyncio.run(visit())
    finally:
        store.close()
    assert first.deferred_file.url and b"BEGIN:VCALENDAR" in _fetched(base, first)
    assert second.error_msg and not second.deferred_file.url
