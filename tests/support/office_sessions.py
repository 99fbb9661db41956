"""The protocol office at work, for the load test: sessions of protocol editors, organisers and
viewers, each a Streamlit websocket client (support.streamlit_client) signed in through the
sign-in form of one running app, reading pages and editing events through the real event form,
some of them racing for the same event.

- protocol editors open pages and edit events through the event form of the Delegations page:
  each has an event of its own, and every other edit goes to an event it shares with others,
  saved at the same moment as theirs so that stale edits really race;
- organisers and viewers only read pages.

Every edit writes a marker (session, counter and the start time it sets) into the title, so the
database tells whether a title and a time came from the same save. Afterwards the database and
its audit log are checked against what the clients were told (see `verify`), and the latency of
each kind of action is reported: from sending the request until the server has finished running
the script (after any rerun the script asked for). Run by tests/views/test_load.py and
bench/load_sessions.py.
"""

from __future__ import annotations

import asyncio
import random
import re
import statistics
import time
from pathlib import Path

from streamlit.proto.WidgetStates_pb2 import WidgetState

from support.appserver import running_app
from support.streamlit_client import PASSWORD, TIMEOUT, TITLES, Client, Outcome, Session

__all__ = [
    "PASSWORD",
    "TIMEOUT",
    "Client",
    "Outcome",
    "Session",
    "sessions",
    "prepare",
    "run_session",
    "drive",
    "verify",
    "table",
    "run",
    "summary",
]

SHARED_TICK = 5.0  # seconds: sessions sharing an event click Save on these ticks, counted from the start
STALE = "Someone else was faster"

# (event id, delegation city): events with one delegation that end after 12:30, so every
# start time 07:00–11:55 the load sets keeps them in the day.
OWN_EVENTS = [
    ("lunch-xian-fri", "Xi'an"),
    ("tour-leeds-stadion", "Leeds"),
    ("lunch-zhytomyr-fri", "Zhytomyr"),
    ("lunch-cluj-napoca-fri", "Cluj-Napoca"),
    ("lunch-amiens-fri", "Amiens"),
    ("lunch-netanya-fri", "Netanya"),
    ("lunch-trabzon-fri", "Trabzon"),
    ("lunch-novi-sad-fri", "Novi Sad"),
    ("meeting-kumasi-climate", "Kumasi"),
    ("tour-xian-mkk", "Xi'an"),
    ("tour-zhytomyr-u", "Zhytomyr"),
    ("tour-leeds-westfalenpark", "Leeds"),
]
SHARED_EVENTS = [
    ("tour-amiens-fm", "Amiens"),
    ("meeting-cluj-napoca-digital", "Cluj-Napoca"),
    ("tour-netanya-synagogue", "Netanya"),
]
# Pages each role reads (url path, title).
READS = {
    "protocol": ["overview", "festival", "conflicts", "timeline_map", "golden_book"],
    "organiser": ["overview", "festival", "conflicts", "timeline_map", "calendars"],
    "viewer": ["overview", "delegations", "golden_book", "festival", "timeline_map", "conflicts"],
}


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


async def edit(client: Client, event: tuple[str, str], counter: int, shared: bool, started: float) -> None:
    """Open the event on the Delegations page, type a marked title and a start time, and
    save (on the shared tick for a shared event, counted from `started`); after a refusal,
    discard and reload."""
    event_id, city = event
    if client.title() != "Delegations":
        await client.open("delegations")
    picker = client.widget("selectbox", "delegation")
    wanted = next(option for option in picker.options if option.startswith(city + " ("))
    await client.run("choose a delegation", [WidgetState(id=picker.id, string_value=wanted)])
    picker = next(box for box in client.tree.selectbox if (box.key or "").startswith("event-"))
    wanted = next(option for option in picker.options if f"LOAD {event_id} " in option)
    await client.run("choose an event", [WidgetState(id=picker.id, string_value=wanted)])
    start = f"{7 + (counter * 7 + client.session.number) % 5:02d}:{(counter * 5 + client.session.number * 15) % 60:02d}"
    title = f"LOAD {event_id} {client.session.name}-{counter} @{start}"
    typed = [
        WidgetState(id=client.widget("text_input", f"-{event_id}-title").id, string_value=title),
        WidgetState(id=client.widget("time_input", f"-{event_id}-start").id, string_value=start),
    ]
    await client.run("type a title and a time", typed)
    if shared:  # all editors of a shared event click Save at the same moment
        now = time.monotonic() - started
        await asyncio.sleep(SHARED_TICK - now % SHARED_TICK)
    save = client.widget("button", f"-{event_id}-save")
    record = (client.session.name, event_id, title)
    try:
        await client.run("save", [*typed, WidgetState(id=save.id, trigger_value=True)])
    except Exception:  # no answer (a timeout, a server that died): saved or not, nobody knows
        client.outcome.unknown.append(record)
        raise
    if any(message.value == f"Saved “{title}”." for message in client.tree.success):
        client.outcome.saved.append(record)
        return
    refusals = [message.value for message in client.tree.error]
    if refusals and all(message.startswith(STALE) for message in refusals):
        client.outcome.stale.append(record)
        discard = client.widget("button", f"-{event_id}-discard")
        await client.run("discard after a refusal", [WidgetState(id=discard.id, trigger_value=True)])
        return
    client.outcome.unknown.append(record)
    client.outcome.problems.append(
        f"{client.session.name}: saving {event_id} showed neither success nor the "
        f"stale message: {refusals or [m.value for m in client.tree.warning]}"
    )


async def run_session(client: Client, started: float, deadline: float) -> None:
    """One person's minute: editors edit every other step (the shared event first), everyone
    opens pages; a session ends early after a second failure."""
    session = client.session
    reads = READS[session.role]
    rng = random.Random(session.number)
    step = counter = failures = 0
    while time.monotonic() < deadline and failures < 2:
        try:
            if session.role == "protocol" and step % 2 == 0:
                counter += 1
                shared = counter % 2 == 1  # first the shared event: all its editors open it at once
                await edit(client, session.shared if shared else session.own, counter, shared, started)
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
    updates = [
        entry for entry in reversed(store.audit(entity="event")) if entry.action == "update" and entry.user != "load-setup"
    ]
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
            problems.append(
                f"mixed edit in the audit log: {entry.entity_id} title {entry.after['title']!r} start {entry.after['start']}"
            )
    last = {entry.entity_id: entry for entry in updates}
    plan = store.load_plan()
    from planner.plan.clock import WallClock, zone_named

    wall = WallClock(zone_named(plan.timezone, "timezone"))
    for event_id, _ in OWN_EVENTS + SHARED_EVENTS:
        event = next(e for e in plan.events if e.id == event_id)
        if event_id in last:
            if event.title != last[event_id].after["title"]:
                problems.append(
                    f"{event_id}: the database holds {event.title!r}, the last save was {last[event_id].after['title']!r}"
                )
            found = marked.match(event.title)
            if not found or wall.wall(event.start).strftime("%H:%M") != found[4]:
                problems.append(f"mixed edit: {event_id} is titled {event.title!r} but starts {wall.wall(event.start):%H:%M}")
    store.close()
    if "Traceback" in log:
        problems.append("the server log holds a traceback: " + log[log.index("Traceback") :][:1500])
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
    return (
        f"{len(outcome.saved)} saves, {len(outcome.stale)} refused as stale "
        f'("{STALE}"), {len(outcome.unknown)} without an answer; {outcome.runs} script runs'
    )
