"""Which browser a request comes from: a random cookie the server gives every browser, so that a
signed-in session, a guest's page and a download link work only in the browser they were made
for.

A Streamlit session id is no secret: it travels in the websocket's protocol header and in every
upload address (`/_stcore/upload_file/<session id>/…`), so a proxy log holds it. Anyone who
sends it in the third `Sec-WebSocket-Protocol` entry is connected to that session. The pages
therefore keep, with a sign-in, the hash of the browser's cookie (`planner_browser`, HttpOnly,
never readable by a page's scripts) and accept the sign-in only while the connection presents
the same cookie; a connection with the session id alone is signed out (`home.py`).

`BrowserCookie` is the ASGI middleware that gives a browser its cookie on its first page load.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

COOKIE = "planner_browser"
# 256 random bits, URL-safe base64: what `new_browser_id` makes, nothing else is taken.
_WELL_FORMED = re.compile(r"[A-Za-z0-9_-]{43}")


def new_browser_id() -> str:
    return secrets.token_urlsafe(32)


def browser_key(cookies: Mapping[str, str] | None) -> str | None:
    """The key a browser is known by (a hash of its cookie; the cookie itself is kept nowhere),
    or None if the request carries no well-formed cookie."""
    value = (cookies or {}).get(COOKIE)
    if not isinstance(value, str) or not _WELL_FORMED.fullmatch(value):
        return None
    return hashlib.sha256(value.encode("ascii")).hexdigest()


def _cookie_header(headers: list[tuple[bytes, bytes]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in headers:
        if name.lower() != b"cookie":
            continue
        for part in value.decode("latin-1").split(";"):
            key, _, item = part.strip().partition("=")
            found.setdefault(key, item)
    return found


def set_cookie_value(browser_id: str, *, secure: bool) -> str:
    """The Set-Cookie header for a browser's id: for this site's requests only (Lax, so that a
    link from an e-mail still arrives with it), never for scripts, for the browser's session."""
    return f"{COOKIE}={browser_id}; Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if secure else "")


ASGIApp = Callable[[dict, Callable[[], Awaitable[dict]], Callable[[dict], Awaitable[None]]], Awaitable[None]]


class BrowserCookie:
    """ASGI middleware: an HTTP response to a browser without a well-formed `planner_browser`
    cookie gives it one. Websocket connections are passed through: they carry the cookie the
    page load set."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: dict, receive: Callable[[], Awaitable[dict]],
                       send: Callable[[dict], Awaitable[None]]) -> None:
        if scope.get("type") != "http" or browser_key(_cookie_header(scope.get("headers", []))) is not None:
            await self.app(scope, receive, send)
            return
        header = set_cookie_value(new_browser_id(), secure=scope.get("scheme") == "https").encode("latin-1")

        async def with_cookie(message: dict[str, Any]) -> None:
            if message.get("type") == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", header)]}
            await send(message)

        await self.app(scope, receive, with_cookie)
