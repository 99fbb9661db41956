"""A Streamlit websocket client: one person's browser as the server sees it, without drawing.

It speaks the browser's own protocol (the BackMsg and ForwardMsg messages of streamlit.proto):
it asks for script runs with the page and the widget values that changed, signs in through the
sign-in form, sets widget values and clicks buttons by their element ids, uploads files and
fetches addresses with the browser's cookies. What the server sends back until a run has
finished is parsed into Streamlit's own element tree (the one AppTest uses). Used by the tests
against a running app and by the load test (support.office_sessions, bench/load_sessions.py).
"""

from __future__ import annotations

import asyncio
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import UploadedFileInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1.element_tree import parse_tree_from_messages

PASSWORD = "load-test-password"  # what a client signs in with
TIMEOUT = 90.0  # seconds for one action on an overloaded machine; a lost answer is a problem, not a hang
FORBIDDEN_TEXT = ("database is locked", "OperationalError", "Traceback", "Not saved", "Not allowed")
TITLES = {
    "overview": "Overview",
    "delegations": "Delegations",
    "golden_book": "Golden Book",
    "festival": "Festival",
    "timeline_map": "Timeline and map",
    "conflicts": "Conflicts",
    "calendars": "Calendars and sharing",
    "admin": "Admin",
}


@dataclass
class Session:
    """Who a client is: its number, account name and role, and for the load test's editors the
    events (id, delegation city) it edits alone and with others."""

    number: int
    name: str
    role: str
    own: tuple[str, str] | None = None
    shared: tuple[str, str] | None = None


@dataclass
class Outcome:
    """What the sessions did and saw."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    saved: list[tuple[str, str, str]] = field(default_factory=list)  # (user, event id, title)
    stale: list[tuple[str, str, str]] = field(default_factory=list)
    unknown: list[tuple[str, str, str]] = field(default_factory=list)  # a save whose answer never came
    problems: list[str] = field(default_factory=list)
    runs: int = 0  # script runs the server finished for the clients

    def record(self, kind: str, seconds: float) -> None:
        self.latencies.setdefault(kind, []).append(seconds)


class Client:
    """One person's connection to the app, speaking Streamlit's websocket protocol as a browser
    does: a script run is asked for with the page and the widget values that changed; what the
    server sends back until the run has finished is parsed into Streamlit's own element tree
    (the one AppTest uses), to find widgets by key and read titles, messages and exceptions."""

    def __init__(self, base: str, session: Session, outcome: Outcome):
        self.base, self.session, self.outcome = base, session, outcome
        self.socket = None
        self.pages: dict[str, str] = {}  # url path -> page script hash
        self.page_hash = ""
        self.tree = None
        self.session_id = ""
        self.query = ""  # the address's query for the next run (a guest link: "g=TOKEN")
        self.cookies: dict[str, str] = {}

    async def connect(self, *, session_id: str = "", cookies: dict[str, str] | None = None) -> None:
        """Open the websocket as a browser does after loading the page: with the cookies the
        page load set (`cookies` to send others), and with `session_id` to reconnect to a
        session (the third entry of Sec-WebSocket-Protocol, as Streamlit's frontend sends it)."""
        from websockets.asyncio.client import connect

        if cookies is not None:
            self.cookies = dict(cookies)
        elif not self.cookies:
            self.cookies = await asyncio.to_thread(self._page_cookies)
        stream = self.base.replace("http://", "ws://") + "/_stcore/stream"
        protocols = ["streamlit"] + ([self.cookies.get("_streamlit_xsrf") or "xsrf", session_id] if session_id else [])
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        self.socket = await connect(
            stream, origin=self.base, max_size=None, open_timeout=TIMEOUT, subprotocols=protocols, additional_headers=headers
        )

    def _page_cookies(self) -> dict[str, str]:
        """The cookies a browser keeps from loading the app's page."""
        with urllib.request.urlopen(self.base + "/", timeout=TIMEOUT) as page:
            return dict(c.split(";")[0].split("=", 1) for c in page.headers.get_all("Set-Cookie") or [])

    def fetch(self, path: str, *, cookies: bool = True) -> tuple[int, bytes]:
        """(status, body) of a GET of `path` as this browser (with its cookies) or as a stranger."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if cookies and self.cookies else {}
        try:
            with urllib.request.urlopen(urllib.request.Request(self.base + path, headers=headers), timeout=TIMEOUT) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()

    async def run(self, kind: str, widgets=(), page: str | None = None):
        """Ask for one script run (on `page`, with `widgets` as WidgetState messages); wait for
        its end, record its latency as `kind`, and return the element tree it drew."""

        if page is not None:
            self.page_hash = self.pages[page]
        message = BackMsg()
        state = message.rerun_script
        state.page_script_hash = self.page_hash
        state.query_string, self.query = self.query, ""  # the app takes a link out of the address
        state.widget_states.widgets.extend(widgets)
        state.context_info.timezone = "Europe/Berlin"
        state.context_info.url = self.base + "/"
        began = time.monotonic()
        await self.socket.send(message.SerializeToString())
        received: list = []
        while True:
            data = await asyncio.wait_for(self.socket.recv(), TIMEOUT)
            forward = ForwardMsg()
            forward.ParseFromString(data)
            kind_of = forward.WhichOneof("type")
            if kind_of == "new_session":  # a run begins (also the one a rerun starts)
                received = []
                self.session_id = forward.new_session.initialize.session_id or self.session_id
                if forward.new_session.page_script_hash:
                    self.page_hash = forward.new_session.page_script_hash
            elif kind_of == "navigation":
                # The default page's address is the bare "/": keep it under its own name too.
                self.pages = {page.url_pathname or "": page.page_script_hash for page in forward.navigation.app_pages}
                defaults = [page.page_script_hash for page in forward.navigation.app_pages if page.is_default]
                if defaults:
                    self.pages["overview"] = defaults[-1]
                if forward.navigation.page_script_hash:
                    self.page_hash = forward.navigation.page_script_hash
            elif kind_of == "script_finished":
                if forward.script_finished != ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN:
                    break
            received.append(forward)
        self.outcome.record(kind, time.monotonic() - began)
        self.outcome.runs += 1
        self.tree = parse_tree_from_messages(received)
        self._check()
        return self.tree

    async def _reply(self, kind: str) -> ForwardMsg:
        """The next message of `kind` the server sends (others are passed over)."""
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(await asyncio.wait_for(self.socket.recv(), TIMEOUT))
            if forward.WhichOneof("type") == kind:
                return forward

    async def deferred_file(self, file_id: str):
        """What a click on a download button whose file is made on the click asks for: the
        server runs the button's function now and answers with the file's URL or an error."""
        message = BackMsg()
        request = message.backend_operation_request
        request.request_id = uuid.uuid4().hex
        request.session_id = self.session_id
        request.deferred_file.file_id = file_id
        await self.socket.send(message.SerializeToString())
        return (await self._reply("backend_operation_response")).backend_operation_response

    async def upload(self, widget_id: str, name: str, data: bytes):
        """Upload a file into a file uploader as the browser does (ask for an upload address,
        PUT the file with the XSRF token and this browser's cookies, then name it in the
        widget's state); returns the widget state to send with the next run."""
        urls = await self.upload_address(name)
        await asyncio.to_thread(self.put_file, urls.upload_url, name, data)
        state = WidgetState(id=widget_id)
        state.file_uploader_state_value.uploaded_file_info.append(
            UploadedFileInfo(name=name, size=len(data), file_id=urls.file_id, file_urls=urls)
        )
        return state

    async def upload_address(self, name: str):
        """The upload address the server gives this session for a file (its FileURLs)."""
        message = BackMsg()
        message.file_urls_request.request_id = uuid.uuid4().hex
        message.file_urls_request.file_names.append(name)
        message.file_urls_request.session_id = self.session_id
        await self.socket.send(message.SerializeToString())
        return (await self._reply("file_urls_response")).file_urls_response.file_urls[0]

    def put_file(self, upload_url: str, name: str, data: bytes) -> int:
        """PUT a file to an upload address with this browser's cookies and XSRF token; the
        HTTP status (urllib raises for an error status)."""
        token = self.cookies.get("_streamlit_xsrf")
        if token is None:
            with urllib.request.urlopen(self.base + "/_stcore/health", timeout=TIMEOUT) as page:  # sets the cookie
                cookie = next(c for c in page.headers.get_all("Set-Cookie") if c.startswith("_streamlit_xsrf="))
            token = self.cookies["_streamlit_xsrf"] = cookie.split(";")[0].split("=", 1)[1]
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                f"Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        request = urllib.request.Request(
            self.base + upload_url if upload_url.startswith("/") else upload_url,
            body,
            method="PUT",
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "X-Xsrftoken": token,
                "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            },
        )
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            return answer.status

    def _check(self) -> None:
        for exception in self.tree.exception:
            self.outcome.problems.append(f"{self.session.name}: exception on the page: {exception.message[:300]}")
        for error in self.tree.error:
            if any(word in error.value for word in FORBIDDEN_TEXT):
                self.outcome.problems.append(f"{self.session.name}: error on the page: {error.value[:300]}")

    def title(self) -> str:
        return self.tree.title[0].value if len(self.tree.title) else ""

    def widget(self, kind: str, key_end: str):
        """The widget of this type whose key ends with `key_end` (None if not on the page)."""
        for widget in getattr(self.tree, kind):
            if (widget.key or "").endswith(key_end):
                return widget
        return None

    async def sign_in(self) -> None:
        """Sign in through the sign-in form with the session's name and PASSWORD."""
        await self.run("open the app")
        fields = {field.label: field.id for field in self.tree.text_input}
        button = next(b for b in self.tree.button if b.label == "Sign in")
        states = [
            WidgetState(id=fields["Name"], string_value=self.session.name),
            WidgetState(id=fields["Password"], string_value=PASSWORD),
            WidgetState(id=button.id, trigger_value=True),
        ]
        await self.run("sign in", states)
        if self.title() != "Overview":
            raise RuntimeError(f"signing in led to {self.title()!r}: {[e.value for e in self.tree.error]}")

    async def open(self, page: str) -> None:
        """Open the page whose url path is `page` (a key of TITLES) and check its title."""
        await self.run(f"open {TITLES[page]}", page=page)
        if self.title() != TITLES[page]:
            raise RuntimeError(f"asked for {page}, got {self.title()!r}")
