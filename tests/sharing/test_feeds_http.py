"""Subscribing over HTTP, end to end: `streamlit run app.py` serves secret calendar links and
the public programme; a revoked or unknown link answers 404 and reveals nothing."""

import os
import subprocess
import sys
import urllib.error
import urllib.request

import icalendar
import pytest
from support.appserver import running_app
from support.paths import ROOT


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("server")
    with running_app(folder) as (base, env):

        def cli(*args):
            result = subprocess.run(
                [sys.executable, "-m", "planner", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
            )
            assert result.returncode == 0, result.stderr
            return result.stdout

        yield base, cli, env["PLANNER_DB_URL"]


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.headers.get("Content-Type"), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type"), error.read()


def test_subscribe_revoke_and_guess(server):
    base, cli, _ = server
    assert fetch(f"{base}/feeds/public.ics")[0] == 404  # nothing released yet
    # A guest who subscribes before the first release gets an empty calendar that fills later.
    early = cli("feeds", "create", "--guest", "amiens", "--base-url", base).splitlines()[2]
    status, kind, body = fetch(early)
    assert (status, kind) == (200, "text/calendar; charset=utf-8")
    assert icalendar.Calendar.from_ical(body).walk("VEVENT") == []
    cli("db", "publish", "-m", "for the guests")
    assert "gb-amiens@dortbunt-planner" in {str(e["uid"]) for e in icalendar.Calendar.from_ical(fetch(early)[2]).walk("VEVENT")}
    lines = cli("feeds", "create", "--delegation", "amiens", "--base-url", base).splitlines()
    url, webcal = lines[1], lines[2]
    assert webcal == "webcal://" + url.split("://", 1)[1]
    status, kind, body = fetch(url)
    assert (status, kind) == (200, "text/calendar; charset=utf-8")
    uids = {str(e["uid"]) for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}
    assert "gb-amiens@dortbunt-planner" in uids and "gb-leeds@dortbunt-planner" not in uids
    german = fetch(url + "?lang=de")[2]
    assert b"Programm Amiens" in german
    number = lines[0].split()[1]
    cli("feeds", "revoke", number)
    revoked = fetch(url)
    unknown = fetch(f"{base}/feeds/{'x' * 43}.ics")
    short = fetch(f"{base}/feeds/abc.ics")
    assert revoked == unknown == short == (404, "text/plain; charset=utf-8", b"Not found\n")


def test_person_feed_and_public_programme(server):
    base, cli, _ = server
    cli("db", "publish", "-m", "again")
    url = cli("feeds", "create", "--person", "ob", "--base-url", base).splitlines()[1]
    status, _, body = fetch(url)
    calendar = icalendar.Calendar.from_ical(body)
    from support.paths import DATA

    from planner import load_plan

    wanted = {f"{e.id}@dortbunt-planner" for e in load_plan(DATA / "dortbunt-2027.json").events if "ob" in e.people}
    assert status == 200 and {str(e["uid"]) for e in calendar.walk("VEVENT")} == wanted
    status, kind, body = fetch(f"{base}/feeds/public.ics")
    assert (status, kind) == (200, "text/calendar; charset=utf-8")
    assert len(icalendar.Calendar.from_ical(body).walk("VEVENT")) == 109


def test_a_guest_links_feed_names_no_other_delegation(server):
    """The guest link's subscription serves the guest's copy of the release: at the joint
    reception of all partner cities, no other delegation's escort or interpreter is named."""
    from support.paths import DATA

    from planner import load_plan

    base, cli, _ = server
    cli("db", "publish", "-m", "for guests")
    lines = cli("feeds", "create", "--guest", "amiens", "--days", "3", "--base-url", base).splitlines()
    assert lines[1].startswith(f"{base}/?g=") and lines[2].endswith(".ics")
    status, _, body = fetch(lines[2])
    text = b"".join(body.split(b"\r\n ")).decode("utf-8")  # unfolded
    sample = load_plan(DATA / "dortbunt-2027.json")
    assert status == 200 and "reception-partners@dortbunt-planner" in text
    for other in sample.delegations.values():
        if other.id != "amiens":
            assert other.city not in text, other.city
    status, _, _ = fetch(f"{base}/feeds/public.ics?lang=xx")  # an unknown language reads English
    assert status == 200


def test_tokens_are_stored_only_as_hashes(server, tmp_path):
    from planner.storage import PlanStore

    store = PlanStore(f"sqlite:///{tmp_path}/t.db")
    number, token = store.create_feed_token("delegation", "leeds", user="anna")
    assert len(token) >= 43 and store.feed_for_token(token) == ("delegation", "leeds")
    with store.engine.connect() as connection:
        dump = "\n".join(connection.connection.driver_connection.iterdump())
    assert token not in dump
    store.revoke_feed_token(number)
    assert store.feed_for_token(token) is None
    with pytest.raises(Exception, match="no person 'nobody'"):
        store.create_feed_token("person", "nobody")
    store.close()


@pytest.mark.parametrize("base", ["planner.example.org", "javascript:alert(1)", "ftp://x.org", "https://"])
def test_a_bad_base_url_creates_no_link(tmp_path, base):
    env = {**os.environ, "PLANNER_DB_URL": f"sqlite:///{tmp_path}/p.db"}
    result = subprocess.run(
        [sys.executable, "-m", "planner", "feeds", "create", "--person", "ob", "--base-url", base],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "--base-url" in result.stderr
    listing = subprocess.run(
        [sys.executable, "-m", "planner", "feeds", "list"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert listing.stdout == ""


def test_pages_cannot_be_opened_by_url_around_the_sign_in(server):
    """With an account in the database, opening a page's URL directly shows the sign-in."""
    from playwright.sync_api import sync_playwright
    from support.browser import FLAGS, chromium

    base, _, url = server
    subprocess.run(
        [sys.executable, "-m", "planner", "user", "add", "anna", "--role", "viewer"],
        cwd=ROOT,
        env={**os.environ, "PLANNER_DB_URL": url},
        input="correct horse battery\n",
        text=True,
        check=True,
        capture_output=True,
        timeout=120,
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=FLAGS)
        page = browser.new_page()
        page.route("**/*", lambda route: route.continue_() if "localhost" in route.request.url else route.abort())
        for path in ("/timeline_map", "/conflicts", "/"):
            page.goto(base + path, wait_until="load")
            page.wait_for_selector("h1", timeout=30000)
            page.wait_for_timeout(1500)
            assert page.locator("h1").first.inner_text() == "Sign in", path
            assert page.locator("text=Timeline and map").count() == 0
        browser.close()


def test_any_id_gives_a_sound_file_name_header():
    """Ids are almost free text: none may break the Content-Disposition header (a quote would
    end the file name, non-Latin letters could not be sent at all, a line break would add a
    header)."""
    from urllib.parse import unquote

    from planner.sharing.feed_routes import _calendar

    for name in ("amiens", "kyiv-київ", 'evil";x=1', "a\r\nSet-Cookie: x=1", "x" * 300, ""):
        header = _calendar(b"BEGIN:VCALENDAR\r\n", name).headers["content-disposition"]
        header.encode("latin-1")  # sendable at all
        assert "\r" not in header and "\n" not in header
        plain, encoded = header.removeprefix("inline; ").split("; ")
        assert plain.startswith('filename="') and plain.count('"') == 2
        assert unquote(encoded.removeprefix("filename*=UTF-8''")) == name + ".ics"


def test_without_base_url_links_use_the_public_address_and_warn_on_localhost(tmp_path):
    from planner.sharing.access import Editor
    from planner.storage import PlanStore

    env = {**os.environ, "PLANNER_DB_URL": f"sqlite:///{tmp_path}/p.db"}
    env.pop("PLANNER_PUBLIC_URL", None)

    def create(**extra):
        return subprocess.run(
            [sys.executable, "-m", "planner", "feeds", "create", "--guest", "amiens"],
            cwd=ROOT,
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=120,
        )

    local = create()
    assert local.returncode == 0 and local.stdout.splitlines()[1].startswith("http://localhost:8501/?g=")
    assert "reached only from this computer" in local.stderr
    store = PlanStore(env["PLANNER_DB_URL"])
    Editor(store, None, local=True).set_public_url("https://planner.dortmund.de", expected_version=0)
    store.close()
    admins = create()
    assert admins.stdout.splitlines()[1].startswith("https://planner.dortmund.de/?g=") and admins.stderr == ""
    servers = create(PLANNER_PUBLIC_URL="https://termine.dortmund.de")
    assert servers.stdout.splitlines()[1].startswith("https://termine.dortmund.de/?g=")
    wrong = create(PLANNER_PUBLIC_URL="termine.dortmund.de")
    assert wrong.returncode == 2 and "PLANNER_PUBLIC_URL: expected the app's address" in wrong.stderr
