"""Sensitive downloads and sessions are bound to the signed-in browser (planner/sharing/downloads.py,
planner/sharing/browsers.py), checked against a running app with clients that speak the browser's
websocket protocol (support/streamlit_client.py) and fetch as a browser does, with its cookies.

- A Streamlit session id (it is in every upload address, so in a proxy log) replayed from
  another connection gets the sign-in page, not the session.
- The draft's export, a backup and internal calendars come from `/downloads/<ticket>`: once,
  within minutes, for the browser the page was drawn in, with the role it has at that moment;
  nothing of them is ever put in Streamlit's public `/media/` store.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3

import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetState
from support.appserver import running_app
from support.streamlit_client import PASSWORD, Client, Outcome, Session

from planner.sharing.browsers import COOKIE, browser_key
from planner.sharing.downloads import Desk
from planner.storage import PlanStore

# -- the ticket desk -----------------------------------------------------------------------------


def test_a_ticket_works_once_in_its_own_browser_within_its_time():
    now = [0.0]
    desk = Desk(60, clock=lambda: now[0])
    mine, other = "a" * 64, "b" * 64
    secret = desk.issue("plan", browser=mine, account="anna")
    assert desk.redeem(secret, other) is None  # another browser: nothing, and the ticket stays
    assert desk.redeem(secret, None) is None
    ticket = desk.redeem(secret, mine)
    assert ticket is not None and (ticket.what, ticket.account) == ("plan", "anna")
    assert desk.redeem(secret, mine) is None  # used
    late = desk.issue("backup", browser=mine, account="anna")
    now[0] = 61
    assert desk.redeem(late, mine) is None  # expired
    assert desk.redeem("made-up", mine) is None


def test_one_browser_cannot_push_out_the_tickets_of_others():
    desk = Desk(per_browser=3)
    theirs = desk.issue("plan", browser="b" * 64, account="bert")
    mine = [desk.issue("calendar", browser="a" * 64, account="anna") for _ in range(10)]
    assert [desk.redeem(secret, "a" * 64) is not None for secret in mine] == [False] * 7 + [True] * 3
    assert desk.redeem(theirs, "b" * 64) is not None


def test_no_ticket_without_a_browser_cookie():
    with pytest.raises(ValueError, match="allow cookies"):
        Desk().issue("plan", browser=None, account="anna")


def test_only_a_well_formed_cookie_names_a_browser():
    assert browser_key({COOKIE: "x" * 43}) is not None
    for value in ("", "short", "x" * 44, "x" * 42 + "!", None):
        assert browser_key({COOKIE: value}) is None
    assert browser_key({}) is None and browser_key(None) is None


# -- against the running app ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("downloads")
    url = f"sqlite:///{folder}/planner.db"
    store = PlanStore(url)
    store.add_user("boss", "admin", PASSWORD, user="setup")
    store.close()
    with running_app(folder, STREAMLIT_SERVER_FILE_WATCHER_TYPE="none") as (base, _):
        yield base, url


def _signed_in(base: str, url: str, name: str, role: str) -> Client:
    store = PlanStore(url)
    if name not in dict(store.users()):
        store.add_user(name, role, PASSWORD, user="setup")
    store.close()
    return Client(base, Session(0, name, role), Outcome())


def _links(client: Client) -> dict[str, str]:
    """Link buttons of the page drawn last: key -> address."""
    return {b.key: b.proto.url for b in client.tree.get("link_button")}


def _media_addresses(client: Client) -> list[str]:
    """Everything of the last page that Streamlit would serve from its media store."""
    return [b.proto.url for b in client.tree.get("download_button")] + [
        b.proto.deferred_file_id for b in client.tree.get("download_button")
    ]


async def _session(base, url, name, role, steps):
    client = _signed_in(base, url, name, role)
    await client.connect()
    try:
        await client.sign_in()
        return await steps(client)
    finally:
        await client.close()


def test_a_session_id_replayed_from_another_connection_gets_the_sign_in(app):
    base, url = app

    async def steps(victim: Client):
        await victim.open("admin")
        session_id = victim.session_id
        assert session_id
        for cookies in ({}, {COOKIE: "A" * 43}):  # no cookie, or another browser's
            thief = Client(base, Session(1, "thief", "viewer"), Outcome())
            await thief.connect(session_id=session_id, cookies=cookies)
            try:
                await thief.run("replay the session", page=None)
                assert thief.title() == "Sign in", cookies
                assert not thief.tree.get("link_button")
            finally:
                await thief.close()
        # The signed-in browser itself, reconnecting with its own cookie, is asked again
        # (the session was given up when another connection took its id).
        again = Client(base, Session(2, "boss", "admin"), Outcome())
        await again.connect(session_id=session_id, cookies=victim.cookies)
        try:
            await again.run("reconnect")
            return again.title()
        finally:
            await again.close()

    assert asyncio.run(_session(base, url, "boss", "admin", steps)) == "Sign in"


def test_a_reconnect_of_the_signing_in_browser_keeps_its_session(app):
    base, url = app

    async def steps(client: Client):
        await client.open("admin")
        session_id = client.session_id
        await client.close()
        await client.connect(session_id=session_id)  # a network blip: the same browser again
        await client.run("after the reconnect")
        return client.title()

    assert asyncio.run(_session(base, url, "boss", "admin", steps)) == "Admin"


def test_the_export_and_the_backup_come_once_to_the_admins_browser_and_never_from_media(app):
    base, url = app

    async def steps(client: Client):
        await client.open("admin")
        links = _links(client)
        assert set(links) >= {"export", "backup"}
        assert not _media_addresses(client)
        export, backup = links["export"], links["backup"]
        assert export.startswith("/downloads/") and backup.startswith("/downloads/")
        stranger = client.fetch(export, cookies=False)  # a proxy log, another browser: nothing
        found = [client.fetch(export), client.fetch(export), client.fetch(backup, cookies=False), client.fetch(backup)]
        return stranger, found

    stranger, (first, again, backup_stranger, backup) = asyncio.run(_session(base, url, "boss", "admin", steps))
    assert stranger[0] == 404 and b"expired or was used" in stranger[1]
    assert first[0] == 200 and json.loads(first[1])["format"] == "dortbunt-plan/1"
    assert again[0] == 404  # once only
    assert backup_stranger[0] == 404
    assert backup[0] == 200 and backup[1].startswith(b"SQLite format 3\x00")


def test_media_serves_nothing_of_a_backup_or_export(app, tmp_path):
    base, url = app

    async def steps(client: Client):
        await client.open("admin")
        status, data = client.fetch(_links(client)["backup"])
        answers = [client.fetch(f"/media/{name}", cookies=False) for name in ("backup.bin", "plan.json")]
        return status, data, answers

    status, data, answers = asyncio.run(_session(base, url, "boss", "admin", steps))
    assert status == 200
    copy = tmp_path / "copy.db"
    copy.write_bytes(data)
    with sqlite3.connect(copy) as database:
        assert database.execute("select count(*) from users").fetchone()[0] >= 1
    assert all(code == 404 for code, _ in answers)


@pytest.mark.parametrize("change", ["removed", "lowered"])
def test_an_admin_removed_or_lowered_after_the_page_was_drawn_gets_no_file(app, change):
    base, url = app
    name = f"admin-{change}"

    async def steps(client: Client):
        await client.open("admin")
        links = _links(client)
        store = PlanStore(url)
        try:
            if change == "removed":
                store.remove_user(name, user="boss")
            else:
                store.update_user(name, role="organiser", user="boss")
        finally:
            store.close()
        return client.fetch(links["export"]), client.fetch(links["backup"])

    export, backup = asyncio.run(_session(base, url, name, "admin", steps))
    assert export[0] == 403 and b"dortbunt-plan" not in export[1]
    assert backup[0] == 403 and not backup[1].startswith(b"SQLite")


def test_internal_calendars_come_to_the_office_and_stop_when_the_role_is_lowered(app):
    base, url = app
    name = "protocol-calendars"

    async def steps(client: Client):
        await client.open("calendars")
        kind = client.widget("selectbox", "feed-kind")
        await client.run("choose", [WidgetState(id=kind.id, string_value="Everything (draft, internal)")])
        links = _links(client)
        assert not _media_addresses(client)
        first = client.fetch(links["download-feed"]), client.fetch(links["download-csv"])
        await client.run("draw the page again")  # a click on a link reruns the page: fresh links
        links = _links(client)
        store = PlanStore(url)
        store.update_user(name, role="organiser", user="boss")
        store.close()
        return first, client.fetch(links["download-feed"]), client.fetch(links["download-xlsx"])

    (ics, csv), ics_after, xlsx_after = asyncio.run(_session(base, url, name, "protocol", steps))
    assert ics[0] == 200 and ics[1].startswith(b"BEGIN:VCALENDAR")
    assert csv[0] == 200 and b"Notes" in csv[1]
    assert ics_after[0] == 403 and xlsx_after[0] == 403


def test_an_upload_into_a_session_is_taken_only_from_its_own_browser(app):
    """The upload address names the session (so a proxy log holds it): another browser that
    PUTs a file there, with an XSRF token and cookie of its own, is refused; the session's
    own browser uploads as before."""
    import urllib.error

    base, url = app

    async def steps(victim: Client):
        await victim.open("admin")
        address = (await victim.upload_address("plan.json")).upload_url
        thief = Client(base, Session(1, "thief", "viewer"), Outcome())
        thief.cookies = await asyncio.to_thread(thief._page_cookies)  # a browser of its own
        try:
            thief.put_file(address, "plan.json", b'{"format": "dortbunt-plan/1", "name": "ATTACKER PLAN"}')
            refused = None
        except urllib.error.HTTPError as error:
            refused = error.code, error.read()
        own = victim.put_file(address, "plan.json", b'{"format": "dortbunt-plan/1"}')
        return refused, own

    refused, own = asyncio.run(_session(base, url, "boss", "admin", steps))
    assert refused == (403, b"This upload belongs to another browser.\n")
    assert own in (200, 204)


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
