"""The addresses people are given (planner.sharing.links): one shape for each, checked."""

import pytest

from planner import PlanError
from planner.sharing.links import (
    PUBLIC_URL_SETTING,
    PublicAddress,
    check_base_url,
    feed_url,
    feed_urls,
    guest_url,
    is_local_url,
    public_feed_url,
    webcal_url,
)


def test_the_addresses_people_are_given():
    base = "https://planner.dortmund.de/"
    assert guest_url(base, "t0k") == "https://planner.dortmund.de/?g=t0k"
    assert feed_url(base, "t0k") == "https://planner.dortmund.de/feeds/t0k.ics"
    assert feed_url(base, "t0k", "de") == "https://planner.dortmund.de/feeds/t0k.ics?lang=de"
    assert feed_urls(base, "t0k") == ("https://planner.dortmund.de/feeds/t0k.ics", "webcal://planner.dortmund.de/feeds/t0k.ics")
    assert public_feed_url("http://localhost:8501") == "http://localhost:8501/feeds/public.ics"
    assert webcal_url("http://localhost:8501/feeds/x.ics") == "webcal://localhost:8501/feeds/x.ics"


@pytest.mark.parametrize(
    "base", ["planner.example.org", "javascript:alert(1)", "ftp://x.org", "https://", "https://x.org/?a=1", "https://x.org/#top"]
)
def test_an_address_that_is_not_the_apps_is_refused_before_any_link_is_made(base):
    with pytest.raises(PlanError, match="--base-url: expected the app's address"):
        check_base_url(base)
    with pytest.raises(PlanError):
        guest_url(base, "t0k")


def test_the_app_serves_its_feeds_where_the_links_point():
    from planner.sharing.feed_routes import feed_routes

    paths = {route.path for route in feed_routes()}
    assert {"/feeds/public.ics", "/feeds/{token}.ics"} <= paths


def test_guests_reach_the_app_at_the_servers_address_else_the_admins_else_the_browsers():
    from planner.sharing.links import public_address

    browser = "http://localhost:8501"
    assert public_address(None, {}, browser) == PublicAddress("http://localhost:8501", "browser", True)
    assert public_address("https://planner.dortmund.de", {}, browser) == PublicAddress(
        "https://planner.dortmund.de", "setting", False
    )
    server = {"PLANNER_PUBLIC_URL": "https://termine.dortmund.de/planer/"}
    assert public_address("https://planner.dortmund.de", server, browser) == PublicAddress(
        "https://termine.dortmund.de/planer", "environment", False
    )
    with pytest.raises(PlanError, match="PLANNER_PUBLIC_URL: expected the app's address"):
        public_address(None, {"PLANNER_PUBLIC_URL": "planner.dortmund.de"}, browser)


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://localhost:8501", True),
        ("http://127.0.0.1:8501", True),
        ("http://[::1]:8501", True),
        ("http://app.localhost", True),
        ("http://0.0.0.0:8501", True),
        ("https://planner.dortmund.de", False),
        ("http://192.168.1.20:8501", False),
    ],
)
def test_a_link_that_only_this_computer_reaches_is_told_apart(url, local):
    assert is_local_url(url) is local


def test_only_an_admin_sets_the_public_address_and_it_must_be_one(tmp_path):
    from planner.sharing.access import Editor, Forbidden
    from planner.storage import PlanStore

    store = PlanStore(f"sqlite:///{tmp_path}/p.db")
    store.add_user("root", "admin", "a long password 1", user="setup")
    store.add_user("anna", "protocol", "a long password 2", user="setup")
    admin, protocol = Editor(store, "root", local=False), Editor(store, "anna", local=False)
    with pytest.raises(Forbidden):
        protocol.set_public_url("https://planner.dortmund.de", expected_version=0)
    with pytest.raises(PlanError, match="public address: expected the app's address"):
        admin.set_public_url("planner.dortmund.de", expected_version=0)
    assert store.setting(PUBLIC_URL_SETTING) == (None, 0)
    assert admin.set_public_url(" https://planner.dortmund.de/ ", expected_version=0) == 1
    assert store.setting(PUBLIC_URL_SETTING) == ("https://planner.dortmund.de", 1)
    assert admin.set_public_url("", expected_version=1) == 2  # empty: the browser's address again
    assert store.setting(PUBLIC_URL_SETTING) == (None, 2)
    last = store.audit()[0]  # newest first
    assert (last.user, last.entity_id, last.before["value"], last.after["value"]) == (
        "root",
        PUBLIC_URL_SETTING,
        "https://planner.dortmund.de",
        None,
    )
    store.close()
