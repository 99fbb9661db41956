"""The app end to end in real headless Chromium, as the protocol office and a guest use it:
start the app, create a delegation, add an event that clashes, see the conflict, fix it,
publish, download the programme as .ics, and open the guest link in a fresh browser that sees
only that delegation.

The screenshots of the README come from this test: every run writes them to docs/screenshots/
(generated, not tracked; PLANNER_SCREENSHOTS=FOLDER puts them elsewhere).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from support.appserver import running_app
from support.browser import TIMEOUT, launched_chromium, settle
from support.paths import DATA, ROOT

from planner import load_plan

SAMPLE = load_plan(DATA / "dortbunt-2027.json")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("e2e")) as (base, _):
        yield base


@pytest.fixture
def browser():
    with launched_chromium() as launched:
        yield launched


def fresh_page(browser, tmp_path: Path):
    """A new browser context (no cookies, no session) that may reach only this machine."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(("http://localhost", "data:", "blob:")) else route.abort()
        ),
    )
    return context.new_page()


def open_page(page, title: str) -> None:
    page.get_by_role("link", name=title).click()
    page.get_by_role("heading", name=title, level=1).wait_for(timeout=TIMEOUT)
    settle(page)


def choose(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).first.click()
    page.get_by_role("option", name=option).first.click()
    settle(page)


def type_text(page, label: str, text: str) -> None:
    box = page.get_by_role("textbox", name=label, exact=True).first
    box.fill(text)
    box.press("Enter")
    settle(page)


def set_time(page, label: str, hh_mm: str) -> None:
    hours, minutes = hh_mm.split(":")
    page.get_by_role("spinbutton", name=f"hour, {label}").first.click()
    page.keyboard.type(hours)
    page.get_by_role("spinbutton", name=f"minute, {label}").first.click()
    page.keyboard.type(minutes)
    page.keyboard.press("Tab")
    settle(page)


def click(page, name: str) -> None:
    page.get_by_role("button", name=name).first.click()
    settle(page)


def shoot(page, name: str) -> None:
    """A screenshot for the README: docs/screenshots/ (not tracked), or PLANNER_SCREENSHOTS."""
    folder = Path(os.environ.get("PLANNER_SCREENSHOTS") or ROOT / "docs" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"))


def test_protocol_office_and_guest_end_to_end(app, browser, tmp_path):
    page = fresh_page(browser, tmp_path)
    page.goto(app)
    page.get_by_role("heading", name="Overview", level=1).wait_for(timeout=TIMEOUT)
    settle(page)
    shoot(page, "overview")

    # A new delegation.
    open_page(page, "Delegations")
    choose(page, "Delegation", "New delegation")
    type_text(page, "City", "Bolzano")
    page.get_by_text("Short id: bolzano").wait_for(timeout=TIMEOUT)  # made from the city
    type_text(page, "Country (ISO code, e.g. FR)", "IT")
    type_text(page, "Languages (codes, comma-separated, e.g. fr, en)", "it, de")
    set_time(page, "at", "09:00")  # arrives at 09:00 on the festival's first day
    click(page, "Create delegation")
    page.get_by_text("Created the delegation of Bolzano.").wait_for(timeout=TIMEOUT)

    # An event that clashes with the signing of Cluj-Napoca at the Rathaus (14:15–14:45).
    type_text(page, "Title", "Visit of Bolzano to the Rathaus")
    set_time(page, "From", "14:00")
    set_time(page, "To", "15:00")
    page.get_by_text("This change would create 1 conflict(s):").wait_for(timeout=TIMEOUT)
    page.get_by_role("button", name="Add event").scroll_into_view_if_needed()  # the warning in the picture
    shoot(page, "delegations")
    click(page, "Add event")
    page.get_by_text("Added “Visit of Bolzano to the Rathaus”.").wait_for(timeout=TIMEOUT)

    # The Conflicts page lists it, and leads back to the event.
    open_page(page, "Conflicts")
    page.get_by_role("combobox", name="Concerns").first.click()
    page.get_by_role("option", name="Rathaus Dortmund").first.click()
    settle(page)
    grid = page.locator("[data-testid=stDataFrame]").first
    grid.wait_for(timeout=TIMEOUT)
    shoot(page, "conflicts")
    rows = int(re.search(r"(\d+) of \d+ shown", page.get_by_text(re.compile(r"\d+ of \d+ shown")).inner_text())[1])
    assert rows >= 1
    before = int(page.locator("[data-testid=stMetricValue]").first.inner_text())

    # Select the conflict: it leads to its events; open ours on the Delegations page.
    opener = page.get_by_role("button", name=re.compile(r"^Open .*Visit of Bolzano"))
    for _ in range(5):  # the grid draws itself on a canvas: click its first row's box until it is selected
        if opener.count():
            break
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 15, box["y"] + 52)
        settle(page)
        page.wait_for_timeout(500)
    opener.click()
    page.get_by_role("heading", name="Delegations", level=1).wait_for(timeout=TIMEOUT)
    settle(page)
    assert page.get_by_role("combobox", name="Delegation").first.input_value() == "Bolzano (IT)"
    assert "Visit of Bolzano" in page.get_by_role("combobox", name="Event").first.input_value()

    # Fix it: move the visit to 15:00–15:30, when the Rathaus is free.
    set_time(page, "From", "15:00")
    set_time(page, "To", "15:30")
    page.get_by_text("No new conflicts.").wait_for(timeout=TIMEOUT)
    page.get_by_text("It would solve 1 conflict(s).").wait_for(timeout=TIMEOUT)
    click(page, "Save changes")
    page.get_by_text("Saved “Visit of Bolzano to the Rathaus”.").wait_for(timeout=TIMEOUT)
    open_page(page, "Conflicts")
    assert int(page.locator("[data-testid=stMetricValue]").first.inner_text()) == before - 1

    # Publish, then download the delegation's calendar.
    open_page(page, "Overview")
    page.get_by_role("textbox", name="What changed (for the record)").fill("Bolzano joins")  # in a form: no Enter
    click(page, "Publish the draft")
    page.get_by_text(re.compile(r"Published release 1")).wait_for(timeout=TIMEOUT)

    open_page(page, "Calendars and sharing")
    choose(page, "Calendar of", "A delegation (its released programme)")
    choose(page, "Which", "Bolzano")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download “")).first.click()
    data = Path(download.value.path()).read_bytes()
    calendar = icalendar.Calendar.from_ical(data)
    visits = [e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]) == "Visit of Bolzano to the Rathaus"]
    assert len(visits) == 1
    assert visits[0].decoded("DTSTART").astimezone(ZoneInfo("Europe/Berlin")).isoformat() == "2027-05-07T15:00:00+02:00"

    # A guest link, opened in a fresh browser context.
    choose(page, "Kind", "Guest link for a delegation")
    choose(page, "For", "Bolzano")
    click(page, "Create link")
    page.get_by_text("Guest page:").wait_for(timeout=TIMEOUT)
    shoot(page, "calendars")
    link = page.locator("code").filter(has_text="?g=").first.inner_text().strip()
    assert re.fullmatch(r"http://localhost:\d+/\?g=[A-Za-z0-9_-]{43}", link), link

    guest = fresh_page(browser, tmp_path)
    guest.goto(link)
    guest.get_by_role("heading", name="Welcome, delegation of Bolzano!").wait_for(timeout=TIMEOUT)
    settle(guest)
    guest.wait_for_timeout(1000)
    assert "g=" not in guest.url  # the token left the address bar
    shoot(guest, "guest")
    text = guest.locator("body").inner_text()
    assert "Visit of Bolzano to the Rathaus" in text
    for other in SAMPLE.delegations.values():
        assert other.city not in text, other.city
    assert guest.get_by_role("link", name="Overview").count() == 0  # no staff pages
    # What the browser received holds no other delegation either (tables send all their rows).
    html = guest.content()
    for other in SAMPLE.delegations.values():
        assert other.city not in html, other.city
    with guest.expect_download() as download:
        guest.get_by_role("link", name="Download the programme (.ics)").click()
    titles = {str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(Path(download.value.path()).read_bytes()).walk("VEVENT")}
    assert titles == {"Visit of Bolzano to the Rathaus"}
