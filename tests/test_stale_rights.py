"""Rights are checked when a file is made, not only when its button was drawn: a guest's
programme made on the click stops with the link. (The office's downloads — the draft, backups,
internal calendars — come from the app's own route and are tested in test_downloads.py.) The
clicks are sent as the browser sends them (a Streamlit websocket client, see
bench/load_sessions.py)."""

from __future__ import annotations

import asyncio
import urllib.request

import pytest

from appserver import running_app
from bench.load_sessions import Client, Outcome, Session
from planner.storage import PlanStore

PASSWORD = "load-test-password"  # what the client signs in with


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


def _fetched(base: str, answer) -> bytes:
    return urllib.request.urlopen(base + answer.deferred_file.url, timeout=30).read()


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
