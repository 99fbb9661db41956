"""The addresses people are given (planner.sharing.links): one shape for each, checked."""

import pytest

from planner import PlanError
from planner.sharing.links import check_base_url, feed_url, feed_urls, guest_url, public_feed_url, webcal_url


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
