"""Which browser a request comes from: a random cookie the server gives every browser, so that a
signed-in session, a guest's page and a download link work only in the browser they were made
for.

A Streamlit session id is no secret: it travels in the websocket's protocol header and in every
upload address (`/_stcore/upload_file/<session id>/…`), so a proxy log holds it. Anyone who
sends it in the third `Sec-WebSocket-Protocol` entry is connected to that session. The pages
therefore keep, with a sign-in, the hash of the browser's cookie (`planner_browser`, HttpOnly,
never readable by a page's scripts) and accept the sign-in only while the connection presents
the same cookie; a connection with the session id alone is signed out (`home.py`).

`BrowserCookie` is the ASGI middleware that gives a browser its cookie on its first page load,
and refuses an upload into a session from any other browser than the session's (`SESSIONS`).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from collections import OrderedDict
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


class SessionBrowsers:
    """Which browser each Streamlit session was last drawn for (kept in the app's process,
    bounded): an upload into a session (`/_stcore/upload_file/<session id>/…`, an address a
    proxy log holds) is taken only from that browser."""

    def __init__(self, max_sessions: int = 20_000):
        self.max_sessions = max_sessions
        self._browsers: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, session_id: str, browser: str | None) -> None:
        if not session_id or browser is None:
            return
        with self._lock:
            self._browsers[session_id] = browser
            self._browsers.move_to_end(session_id)
            while len(self._browsers) > self.max_sessions:
                self._browsers.popitem(last=False)

    def browser_of(self, session_id: str) -> str | None:
        with self._lock:
            return self._browsers.get(session_id)


SESSIONS = SessionBrowsers()
UPLOADS = "/_stcore/upload_file/"


def upload_refused(path: str, browser: str | None) -> bool:
    """Whether a request to an upload address comes from another browser than the one its
    session belongs to."""
    if not path.startswith(UPLOADS):
        return False
    session_id = path[len(UPLOADS) :].split("/", 1)[0]
    owner = SESSIONS.browser_of(session_id)
    return owner is not None and owner != browser


ASGIApp = Callable[[dict, Callable[[], Awaitable[dict]], Callable[[dict], Awaitable[None]]], Awaitable[None]]


class BrowserCookie:
    """ASGI middleware: an HTTP response to a browser without a well-formed `planner_browser`
    cookie gives it one. Websocket connections are passed through: they carry the cookie the
    page load set."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(
        self, scope: dict, receive: Callable[[], Awaitable[dict]], send: Callable[[dict], Awaitable[None]]
    ) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        browser = browser_key(_cookie_header(scope.get("headers", [])))
        if upload_refused(scope.get("path", ""), browser):
            await send(
                {
                    "type": "http.response.start",
                    "status": 403,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"cache-control", b"no-store")],
                }
            )
            await send({"type": "http.response.body", "body": b"This upload belongs to another browser.\n"})
            return
        if browser is not None:
            await self.app(scope, receive, send)
            return
        header = set_cookie_value(new_browser_id(), secure=scope.get("scheme") == "https").encode("latin-1")

        async def with_cookie(message: dict[str, Any]) -> None:
            if message.get("type") == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", header)]}
            await send(message)

        await self.app(scope, receive, with_cookie)
