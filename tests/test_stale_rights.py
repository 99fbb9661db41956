"""Rights are checked when a file is made, not only when its button was drawn: a guest's
programme made on the click stops with the link. (The office's downloads — the draft, backups,
internal calendars — come from the app's own route and are tested in test_downloads.py.) The
clicks are sent as the browser sends them (a Streamlit websocket client, see
bench/load_sessions.py)."""

from __future__ import annotations

import asyncio

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


def test_a_revoked_guest_link_gets_no_programme_from_a_page_left_open(app):
    """The guest's programme comes from the app's route, made when fetched: it stops with the
    link, and nothing of it is in Streamlit's media store (no button whose file an anonymous
    session could ask for by its id)."""
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
            assert not guest.tree.get("download_button")
            link = next(b.proto.url for b in guest.tree.get("link_button") if b.key == "guest-download")
            stranger = guest.fetch(link, cookies=False)
            first = guest.fetch(link)
            await guest.run("the click reruns the page")
            link = next(b.proto.url for b in guest.tree.get("link_button") if b.key == "guest-download")
            store.revoke_feed_token(number, user="boss")
            return stranger, first, guest.fetch(link)
        finally:
            await guest.close()

    try:
        stranger, first, second = asyncio.run(visit())
    finally:
        store.close()
    assert stranger[0] == 404
    assert first[0] == 200 and first[1].startswith(b"BEGIN:VCALENDAR") and b"Amiens" in first[1]
    assert second[0] == 403 and b"VCALENDAR" not in second[1]
