"""The addresses people are given: a delegation's guest page, secret calendar feeds and the
public programme's feed, all under the app's own address (the one home of their shape)."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from planner.errors import PlanError

FEEDS_PATH = "/feeds/"
#: The query parameter of a guest page's address that carries the guest link's token.
GUEST_PARAMETER = "g"
PUBLIC_FEED = "public.ics"


def check_base_url(base_url: str) -> str:
    """The app's address as given, if it is an http(s) URL with a host and no query or fragment."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise PlanError("--base-url", f"expected the app's address such as https://planner.example.org, got {base_url!r}")
    return base_url


def _root(base_url: str) -> str:
    return check_base_url(base_url).rstrip("/")


def feed_url(base_url: str, token: str, lang: str | None = None) -> str:
    """The address of a secret feed (a delegation's or a person's), in `lang` if given."""
    query = f"?{urlencode({'lang': lang})}" if lang else ""
    return f"{_root(base_url)}{FEEDS_PATH}{token}.ics{query}"


def webcal_url(url: str) -> str:
    """The webcal:// twin of a feed's http(s) address: calendar apps subscribe to that."""
    return "webcal://" + url.split("://", 1)[1]


def feed_urls(base_url: str, token: str) -> tuple[str, str]:
    """The https/http address of a secret feed and its webcal:// twin."""
    url = feed_url(base_url, token)
    return url, webcal_url(url)


def public_feed_url(base_url: str) -> str:
    """The address of the public programme's feed (no token: it holds public events only)."""
    return f"{_root(base_url)}{FEEDS_PATH}{PUBLIC_FEED}"


def guest_url(base_url: str, token: str) -> str:
    """The address of a delegation's guest page."""
    return f"{_root(base_url)}/?{GUEST_PARAMETER}={token}"
