"""Load test of the app: many people reading and editing at once against one server.

Run from the repository root:  python bench/load_sessions.py [--sessions 20] [--seconds 60]

Starts `streamlit run app.py` on a fresh SQLite database with the sample plan and an account per
person, then connects one Streamlit websocket client per person. Each speaks the browser's own
protocol (the BackMsg and ForwardMsg messages of streamlit.proto): it signs in through the
sign-in form, asks for pages, and sets widget values and clicks buttons by their element ids,
exactly the messages a browser sends, without drawing anything, so that twenty of them fit on a
small machine beside the server:

- protocol editors open pages and edit events through the event form of the Delegations page:
  each has an event of its own, and every other edit goes to an event it shares with others,
  saved at the same moment as theirs so that stale edits really race;
- organisers and viewers only read pages.

Every edit writes a marker (session, counter and the start time it sets) into the title, so the
database tells whether a title and a time came from the same save. Afterwards the database and
its audit log are checked against what the clients were told (see `verify`), and the latency of
each kind of action is reported: from sending the request until the server has finished running
the script (after any rerun the script asked for).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import UploadedFileInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1.element_tree import parse_tree_from_messages


ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

PASSWORD = "load-test-password"
TIMEOUT = 90.0  # seconds for one action on an overloaded machine; a lost answer is a problem, not a hang
SHARED_TICK = 5.0  # seconds: sessions sharing an event click Save on these ticks, counted from the start
STALE = "Someone else was faster"
FORBIDDEN_TEXT = ("database is locked", "OperationalError", "Traceback", "Not saved", "Not allowed")

# (event id, delegation city): events with one delegation that end after 12:30, so every
# start time 07:00–11:55 the load sets keeps them in the day.
OWN_EVENTS = [
    ("lunch-xian-fri", "Xi'an"), ("tour-leeds-stadion", "Leeds"), ("lunch-zhytomyr-fri", "Zhytomyr"),
    ("lunch-cluj-napoca-fri", "Cluj-Napoca"), ("lunch-amiens-fri", "Amiens"), ("lunch-netanya-fri", "Netanya"),
    ("lunch-trabzon-fri", "Trabzon"), ("lunch-novi-sad-fri", "Novi Sad"), ("meeting-kumasi-climate", "Kumasi"),
    ("tour-xian-mkk", "Xi'an"), ("tour-zhytomyr-u", "Zhytomyr"), ("tour-leeds-westfalenpark", "Leeds"),
]
SHARED_EVENTS = [("tour-amiens-fm", "Amiens"), ("meeting-cluj-napoca-digital", "Cluj-Napoca"),
                 ("tour-netanya-synagogue", "Netanya")]
# Pages each role reads (url path, title).
READS = {
    "protocol": ["overview", "festival", "conflicts", "timeline_map", "golden_book"],
    "organiser": ["overview", "festival", "conflicts", "timeline_map", "calendars"],
    "viewer": ["overview", "delegations", "golden_book", "festival", "timeline_map", "conflicts"],
}
TITLES = {"overview": "Overview", "delegations": "Delegations", "golden_book": "Golden Book", "festival": "Festival",
          "timeline_map": "Timeline and map", "conflicts": "Conflicts", "calendars": "Calendars and sharing",
          "admin": "Admin"}
@dataclass
class Session:
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


def sessions(count: int) -> list[Session]:
    """Three in five edit (protocol), one in five organises, one in five views."""
    made = []
    editors = 0
    for number in range(count):
        role = ("protocol", "protocol", "organiser", "protocol", "viewer")[number % 5]
        session = Session(number, f"load{number:02d}", role)
        if role == "protocol":
            session.own = OWN_EVENTS[editors % len(OWN_EVENTS)]
            session.shared = SHARED_EVENTS[editors % len(SHARED_EVENTS)]
            editors += 1
        made.append(session)
    return made


def prepare(url: str, people: list[Session]) -> None:
    """The sample plan, an account per session, and the events to edit titled "LOAD <id> start"."""
    from planner.storage import PlanStore

    store = PlanStore(url)
    for session in people:
        store.add_user(session.name, session.role, PASSWORD, user="load-setup")
    for event_id, _ in OWN_EVENTS + SHARED_EVENTS:
        _, version = store.event(event_id)
        store.update_event(event_id, {"title": f"LOAD {event_id} start"}, expected_version=version, user="load-setup")
    store.close()


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
        self.socket = await connect(stream, origin=self.base, max_size=None, open_timeout=TIMEOUT,
                                    subprotocols=protocols, additional_headers=headers)

    def _page_cookies(self) -> dict[str, str]:
        """The cookies a browser keeps from loading the app's page."""
        with urllib.request.urlopen(self.base + "/", timeout=TIMEOUT) as page:
            return dict(c.split(";")[0].split("=", 1) for c in page.headers.get_all("Set-Cookie") or [])

    def fetch(self, path: str, *, cookies: bool = True) -> tuple[int, bytes]:
        """(status, body) of a GET of `path` as this browser (with its cookies) or as a stranger."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if cookies and self.cookies else {}
        try:
            with urllib.request.urlopen(urllib.request.Request(self.base + path, headers=headers),
                                        timeout=TIMEOUT) as answer:
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
                self.pages.update({"overview": page.page_script_hash for page in forward.navigation.app_pages
                                   if page.is_default})
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
            UploadedFileInfo(name=name, size=len(data), file_id=urls.file_id, file_urls=urls))
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
        body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        request = urllib.request.Request(
            self.base + upload_url if upload_url.startswith("/") else upload_url, body, method="PUT",
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "X-Xsrftoken": token,
                     "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())})
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

        await self.run("open the app")
        fields = {field.label: field.id for field in self.tree.text_input}
        button = next(b for b in self.tree.button if b.label == "Sign in")
        states = [WidgetState(id=fields["Name"], string_value=self.session.name),
                  WidgetState(id=fields["Password"], string_value=PASSWORD),
                  WidgetState(id=button.id, trigger_value=True)]
        await self.run("sign in", states)
        if self.title() != "Overview":
            raise RuntimeError(f"signing in led to {self.title()!r}: {[e.value for e in self.tree.error]}")

    async def open(self, page: str) -> None:
        await self.run(f"open {TITLES[page]}", page=page)
        if self.title() != TITLES[page]:
            raise RuntimeError(f"asked for {page}, got {self.title()!r}")

    async def edit(self, event: tuple[str, str], counter: int, shared: bool) -> None:
        """Open the event on the Delegations page, type a marked title and a start time, and
        save (on the shared tick for a shared event); after a refusal, discard and reload."""

        event_id, city = event
        if self.title() != "Delegations":
            await self.open("delegations")
        picker = self.widget("selectbox", "delegation")
        wanted = next(option for option in picker.options if option.startswith(city + " ("))
        await self.run("choose a delegation", [WidgetState(id=picker.id, string_value=wanted)])
        picker = next(box for box in self.tree.selectbox if (box.key or "").startswith("event-"))
        wanted = next(option for option in picker.options if f"LOAD {event_id} " in option)
        await self.run("choose an event", [WidgetState(id=picker.id, string_value=wanted)])
        start = f"{7 + (counter * 7 + self.session.number) % 5:02d}:{(counter * 5 + self.session.number * 15) % 60:02d}"
        title = f"LOAD {event_id} {self.session.name}-{counter} @{start}"
        typed = [WidgetState(id=self.widget("text_input", f"-{event_id}-title").id, string_value=title),
                 WidgetState(id=self.widget("time_input", f"-{event_id}-start").id, string_value=start)]
        await self.run("type a title and a time", typed)
        if shared:  # all editors of a shared event click Save at the same moment
            now = time.monotonic() - self.started
            await asyncio.sleep(SHARED_TICK - now % SHARED_TICK)
        save = self.widget("button", f"-{event_id}-save")
        record = (self.session.name, event_id, title)
        try:
            await self.run("save", [*typed, WidgetState(id=save.id, trigger_value=True)])
        except Exception:  # no answer (a timeout, a server that died): saved or not, nobody knows
            self.outcome.unknown.append(record)
            raise
        if any(message.value == f"Saved “{title}”." for message in self.tree.success):
            self.outcome.saved.append(record)
            return
        refusals = [message.value for message in self.tree.error]
        if refusals and all(message.startswith(STALE) for message in refusals):
            self.outcome.stale.append(record)
            discard = self.widget("button", f"-{event_id}-discard")
            await self.run("discard after a refusal", [WidgetState(id=discard.id, trigger_value=True)])
            return
        self.outcome.unknown.append(record)
        self.outcome.problems.append(f"{self.session.name}: saving {event_id} showed neither success nor the "
                                     f"stale message: {refusals or [m.value for m in self.tree.warning]}")


async def run_session(client: Client, started: float, deadline: float) -> None:
    session = client.session
    client.started = started
    reads = READS[session.role]
    rng = random.Random(session.number)
    step = counter = failures = 0
    while time.monotonic() < deadline and failures < 2:
        try:
            if session.role == "protocol" and step % 2 == 0:
                counter += 1
                shared = counter % 2 == 1  # first the shared event: all its editors open it at once
                await client.edit(session.shared if shared else session.own, counter, shared)
            else:
                current = client.title()
                await client.open(rng.choice([page for page in reads if TITLES[page] != current]))
        except Exception as error:  # noqa: BLE001 — one session's trouble is a finding, not the end
            client.outcome.problems.append(f"{session.name}: {type(error).__name__}: {str(error)[:300]}")
            failures += 1
        step += 1
        await asyncio.sleep(rng.uniform(0.2, 1.0))  # a person reads before the next click


async def drive(base: str, people: list[Session], seconds: float) -> Outcome:
    outcome = Outcome()
    clients = [Client(base, session, outcome) for session in people]

    async def sign_in(client: Client) -> None:
        try:
            await client.connect()
            await client.sign_in()
        except Exception as error:  # noqa: BLE001
            outcome.problems.append(f"{client.session.name} could not sign in: {type(error).__name__}: {str(error)[:300]}")
            clients.remove(client)

    await asyncio.gather(*(sign_in(client) for client in list(clients)))
    started = time.monotonic()
    await asyncio.gather(*(run_session(client, started, started + seconds) for client in clients))
    outcome.record("(wall time of the load)", time.monotonic() - started)
    for client in clients:
        await client.close()
    return outcome


def verify(url: str, outcome: Outcome, log: str) -> list[str]:
    """What went wrong, judged from the database: a save the browser was told of that is not
    there as saved, a change nobody was told of, an event whose title and time come from two
    saves, a refusal that was not the stale-edit message, an error page, a traceback."""
    from planner.storage import PlanStore

    problems = list(outcome.problems)
    store = PlanStore(url)
    marked = re.compile(r"^LOAD (\S+) (load\d+)-(\d+) @(\d\d:\d\d)$")
    updates = [entry for entry in reversed(store.audit(entity="event")) if entry.action == "update"
               and entry.user != "load-setup"]
    written = {(entry.user, entry.entity_id, entry.after["title"]): entry for entry in updates}
    for record in outcome.saved:
        if record not in written:
            problems.append(f"lost edit: {record} was reported saved but is not in the audit log")
    told = set(outcome.saved) | set(outcome.unknown)
    for record in written:
        if record not in told:
            problems.append(f"a change nobody was told of: {record}")
    for record in outcome.stale:
        if record in written:
            problems.append(f"reported as refused but written: {record}")
    if len(written) != len(updates):
        problems.append("the same save is in the audit log twice")
    for entry in updates:
        found = marked.match(entry.after["title"])
        if not found or found[1] != entry.entity_id or found[2] != entry.user:
            problems.append(f"an edit not made by this test: {entry.entity_id} {entry.after['title']!r} by {entry.user}")
        elif entry.after["start"][11:16] != found[4]:
            problems.append(f"mixed edit in the audit log: {entry.entity_id} title {entry.after['title']!r} "
                            f"start {entry.after['start']}")
    last = {entry.entity_id: entry for entry in updates}
    plan = store.load_plan()
    from planner.plan.clock import WallClock, zone_named

    wall = WallClock(zone_named(plan.timezone, "timezone"))
    for event_id, _ in OWN_EVENTS + SHARED_EVENTS:
        event = next(e for e in plan.events if e.id == event_id)
        if event_id in last:
            if event.title != last[event_id].after["title"]:
                problems.append(f"{event_id}: the database holds {event.title!r}, the last save was "
                                f"{last[event_id].after['title']!r}")
            found = marked.match(event.title)
            if not found or wall.wall(event.start).strftime("%H:%M") != found[4]:
                problems.append(f"mixed edit: {event_id} is titled {event.title!r} but starts "
                                f"{wall.wall(event.start):%H:%M}")
    store.close()
    if "Traceback" in log:
        problems.append("the server log holds a traceback: " + log[log.index("Traceback"):][:1500])
    if "database is locked" in log:
        problems.append("the server log mentions a locked database")
    return problems


def table(outcome: Outcome) -> str:
    """Latency per kind of action, in seconds: count, median, p95, max."""
    lines = ["| action | count | median | p95 | max |", "|---|---:|---:|---:|---:|"]
    for kind, values in sorted(outcome.latencies.items()):
        values = sorted(values)
        p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        lines.append(f"| {kind} | {len(values)} | {statistics.median(values):.2f} s | {p95:.2f} s | {values[-1]:.2f} s |")
    return "\n".join(lines)


def run(sessions_count: int, seconds: float, folder: Path) -> tuple[Outcome, list[str]]:
    """Start the app in `folder`, load it, and verify; (what happened, problems found)."""
    from appserver import running_app

    url = f"sqlite:///{folder}/planner.db"
    people = sessions(sessions_count)
    prepare(url, people)
    # No file watcher: a source file changing during the run would make Streamlit import the
    # planner's modules again while sessions use them (a development feature, not load).
    with running_app(folder, STREAMLIT_SERVER_FILE_WATCHER_TYPE="none") as (base, _):
        outcome = asyncio.run(drive(base, people, seconds))
    problems = verify(url, outcome, (folder / "server.log").read_text(errors="replace"))
    return outcome, problems


def summary(outcome: Outcome) -> str:
    return (f"{len(outcome.saved)} saves, {len(outcome.stale)} refused as stale "
            f"(\"{STALE}\"), {len(outcome.unknown)} without an answer; {outcome.runs} script runs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    began = time.monotonic()
    outcome, problems = run(args.sessions, args.seconds, Path(tempfile.mkdtemp(prefix="load-sessions-")))
    print(table(outcome))
    print(summary(outcome))
    print(f"whole run {time.monotonic() - began:.0f} s")
    for problem in problems:
        print("PROBLEM:", problem)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
