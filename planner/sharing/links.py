"""The addresses people are given: a delegation's guest page, secret calendar feeds and the
public programme's feed, all under the app's own address (the one home of their shape)."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from planner.errors import PlanError

FEEDS_PATH = "/feeds/"
#: The query parameter of a guest page's address that carries the guest link's token.
GUEST_PARAMETER = "g"
PUBLIC_FEED = "public.ics"


#: Where the app's address for guests is set: the deployment's environment wins over the
#: address an admin sets on the Admin page (the store's setting of this name).
PUBLIC_URL_VARIABLE = "PLANNER_PUBLIC_URL"
PUBLIC_URL_SETTING = "public_url"


def check_base_url(base_url: str, what: str = "--base-url") -> str:
    """The app's address as given, if it is an http(s) URL with a host and no query or fragment;
    else PlanError naming `what` (the option, variable or field it came from)."""
    parts = urlsplit(base_url) if isinstance(base_url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise PlanError(what, f"expected the app's address such as https://planner.example.org, got {base_url!r}")
    return base_url


def is_local_url(url: str) -> bool:
    """Whether an address reaches only the computer it is opened on (localhost, 127.0.0.1, ::1):
    a link with it cannot be sent to a guest."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


@dataclass(frozen=True)
class PublicAddress:
    """The address guests reach the app at, as links are made with it: `url` (no trailing
    slash), where it comes from (`source`: "environment", "setting" or "browser") and whether
    it reaches only this computer (`local`)."""

    url: str
    source: str
    local: bool


def public_address(setting: object, environment: Mapping[str, str], browser_address: str) -> PublicAddress:
    """Where guests reach the app: PLANNER_PUBLIC_URL if the deployment sets it, else the
    address an admin set on the Admin page (`setting`), else the address this browser used.
    PlanError if PLANNER_PUBLIC_URL is set but is no http(s) address."""
    configured = environment.get(PUBLIC_URL_VARIABLE, "").strip()
    if configured:
        url, source = check_base_url(configured, PUBLIC_URL_VARIABLE).rstrip("/"), "environment"
    elif isinstance(setting, str) and setting:
        url, source = setting.rstrip("/"), "setting"
    else:
        url, source = browser_address.rstrip("/"), "browser"
    return PublicAddress(url, source, is_local_url(url))


def checked_public_url(url: str) -> str | None:
    """An address an admin typed for guests, cleaned (no trailing slash), or None for an empty
    one (links then use the address of the browser that makes them); PlanError if it is no
    http(s) address."""
    url = url.strip() if isinstance(url, str) else url
    if not url:
        return None
    return check_base_url(url, "public address").rstrip("/")


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
