"""Crashes and restores: SIGKILL in the middle of imports, edits, backups and restores, and of
the app itself, leaves a database that opens, passes SQLite's own checks and holds exactly one
committed state; the latest backup always restores, and a bad backup changes nothing.

The moments of the kills are random (each run tries others); a failure names its delay."""

import io
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import closing, contextmanager, redirect_stderr, redirect_stdout
from dataclasses import replace
from pathlib import Path

import pytest
from support.appserver import app_process, running_app
from support.crash_worker import EDITED, edits_in_title
from support.paths import DATA, ROOT
from support.storage_backends import BACKENDS, PG_URL, fresh_url

from planner import PlanError, load_plan
from planner.cli.main import main
from planner.storage import PlanStore

SAMPLE = DATA / "dortbunt-2027.json"
WORKER = ROOT / "tests" / "support" / "crash_worker.py"  # run as a script, to be killed
RANDOM = random.Random()


def delays(count: int) -> list[float]:
    """When to kill, in seconds after the worker began writing."""
    return [RANDOM.uniform(0.05, 1.0) for _ in range(count)]


@contextmanager
def opened(url: str):
    store = PlanStore(url, fill_new=False)
    try:
        yield store
    finally:
        store.close()


def cli(*args: str, url: str) -> tuple[int, str, str]:
    """`python -m planner db --db URL ARGS...` (in this process): exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["db", "--db", url, *args])
    return code, out.getvalue(), err.getvalue()


def kill_worker(mode: str, url: str, folder: Path, delay: float) -> None:
    """Run tests/support/crash_worker.py MODE and SIGKILL it (with any pg_restore it started) `delay`
    seconds after it began writing."""
    scratch = folder / "tmp"  # where a killed restore leaves its temporary copy
    scratch.mkdir(exist_ok=True)
    log_path = folder / f"{mode}.log"
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, str(WORKER), mode, url, str(folder)],
            cwd=ROOT,
            env={**os.environ, "TMPDIR": str(scratch)},
            stdout=subprocess.PIPE,
            stderr=log,
            start_new_session=True,
        )
        try:
            assert process.stdout.readline() == b"ready\n", log_path.read_text()[-2000:]
            time.sleep(delay)
            assert process.poll() is None, f"the {mode} worker stopped by itself: {log_path.read_text()[-2000:]}"
        finally:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            process.stdout.close()


def assert_sound(database: Path) -> None:
    """SQLite opens the file (recovering its log) and finds nothing wrong in it."""
    with closing(sqlite3.connect(database)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []


def plan_files(folder: Path):
    """plan-a.json (the sample) and plan-b.json (every title changed, the last 20 events gone)."""
    document = json.loads(SAMPLE.read_text())
    (folder / "plan-a.json").write_text(json.dumps(document))
    document["events"] = [{**event, "title": event["title"] + " (B)"} for event in document["events"][:-20]]
    (folder / "plan-b.json").write_text(json.dumps(document))
    return load_plan(folder / "plan-a.json"), load_plan(folder / "plan-b.json")


def edits_held(store: PlanStore) -> int:
    """How many edits of crash_worker's edit loop the database holds, after checking that the
    two events it changes together, their versions and the audit log all tell the same."""
    plan = store.load_plan()
    edits = edits_in_title({e.id: e for e in plan.events}[EDITED[0]].title)
    assert plan.events == [
        replace(e, title=f"edit {edits}") if edits and e.id in EDITED else e for e in load_plan(SAMPLE).events
    ], "one event edited without the other"
    for event_id in EDITED:
        assert store.event(event_id)[1] == edits + 1
        updates = [entry for entry in store.audit("event", event_id) if entry.action == "update"]
        assert len(updates) == edits
        assert not updates or updates[0].after["title"] == f"edit {edits}"
    return edits


# -- SIGKILL of a process writing with the command line or the store --------------------------


def test_sigkill_during_imports_leaves_one_whole_plan(tmp_path):
    a, b = plan_files(tmp_path)
    url = f"sqlite:///{tmp_path}/planner.db"
    store = PlanStore(url)  # holds the sample, plan A
    start = store.revision()
    store.close()
    for delay in delays(4):
        kill_worker("import", url, tmp_path, delay)
        assert_sound(tmp_path / "planner.db")
        with opened(url) as store:
            plan = store.load_plan()
            entries = store.audit()
            assert plan in (a, b), f"half an import after {delay:.2f} s"
            # the audit log and the revision counter agree with the data
            assert entries[0].action in ("import", "replace") and entries[0].after["events"] == len(plan.events)
            assert store.revision() == start + sum(entry.action == "replace" for entry in entries)


def test_sigkill_during_edits_and_backups_then_restore_the_latest_backup(tmp_path):
    url = f"sqlite:///{tmp_path}/planner.db"
    PlanStore(url).close()
    backup, held = tmp_path / "backup.db", []
    for delay in delays(5):
        kill_worker("edit", url, tmp_path, delay)
        assert_sound(tmp_path / "planner.db")
        with opened(url) as store:
            held.append(edits_held(store))
            before = store.revision()
        if not backup.exists():
            continue  # killed before its first backup was complete
        code, _, err = cli("restore", "--yes", str(backup), url=url)
        assert code == 0, err
        assert_sound(tmp_path / "planner.db")
        with opened(url) as store:
            # a backup is taken after every edit: it holds the last edit or the one before
            assert edits_held(store) in (held[-1], held[-1] - 1), f"killed after {delay:.2f} s"
            assert store.audit(limit=1)[0].action == "restore"
            assert store.revision() > before
    assert held[-1] > 0, "the worker never got to edit"


@pytest.mark.parametrize("backend", BACKENDS)
def test_sigkill_during_restores_leaves_one_whole_backup(backend, tmp_path):
    url = fresh_url(backend, tmp_path)
    a, b = plan_files(tmp_path)
    suffix = ".db" if backend == "sqlite" else ".dump"
    with opened(url) as store:
        store.import_plan(a)
        store.backup(tmp_path / f"backup-a{suffix}")
        store.import_plan(b, replace_existing=True)
        store.backup(tmp_path / f"backup-b{suffix}")
    for delay in delays(3):
        kill_worker("restore", url, tmp_path, delay)
        if backend == "sqlite":
            assert_sound(Path(url.removeprefix("sqlite:///")))
        with opened(url) as store:
            plan, latest = store.load_plan(), store.audit(limit=1)[0]
        if latest.action == "restore":
            assert plan == (a if latest.after["backup"].endswith(f"backup-a{suffix}") else b), (
                f"the plan and the audit log disagree after {delay:.2f} s"
            )
        else:
            # No restore entry: the database is as set up, or (PostgreSQL, killed between
            # pg_restore's transaction and the entry's) as a backup holds it, with that
            # backup's own log: its last entry names its plan (a imported, b replacing it).
            assert latest.action in ("import", "replace")
            assert plan == (a if latest.action == "import" else b), f"half a restore after {delay:.2f} s"


# -- SIGKILL of the app -----------------------------------------------------------------------


def _fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, ConnectionError, OSError):
        return 0, b""  # the app was killed under the request


def test_app_killed_while_it_creates_its_database(tmp_path):
    """The app creates and fills its database on the first request; killed in the middle of
    that, the next start must still find the whole sample plan, not an empty database."""
    for attempt, delay in enumerate(RANDOM.uniform(0.0, 0.4) for _ in range(2)):
        folder = tmp_path / f"app-{attempt}"
        folder.mkdir()
        url = f"sqlite:///{folder}/planner.db"
        with app_process(folder) as (process, base, _):
            request = threading.Thread(target=_fetch, args=(f"{base}/feeds/public.ics",))
            request.start()
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
            process.wait()
            request.join()
        if (folder / "planner.db").exists():
            assert_sound(folder / "planner.db")
        store = PlanStore(url)
        assert store.load_plan() == load_plan(SAMPLE), f"killed {delay:.2f} s into the first request"
        store.publish("after the crash")
        store.close()
    with running_app(folder) as (base, _):  # and the app starts again on it
        status, body = _fetch(f"{base}/feeds/public.ics")
    assert status == 200 and body.startswith(b"BEGIN:VCALENDAR")


def test_app_killed_while_the_command_line_writes(tmp_path):
    url = f"sqlite:///{tmp_path}/planner.db"
    with opened(url) as store:
        store.import_plan(load_plan(SAMPLE))
        _, token = store.create_feed_token("person", "prot-wagner")
    stop = threading.Event()
    with app_process(tmp_path) as (process, base, _):

        def read_feeds():
            while not stop.is_set():
                _fetch(f"{base}/feeds/{token}.ics")
                time.sleep(0.01)

        reader = threading.Thread(target=read_feeds)
        reader.start()
        try:
            # the app is killed while the worker edits and backs up, the worker a little later
            worker = threading.Thread(target=kill_worker, args=("edit", url, tmp_path, 1.2))
            worker.start()
            time.sleep(RANDOM.uniform(0.8, 1.4))
            process.send_signal(signal.SIGKILL)
            process.wait()
            worker.join()
        finally:
            stop.set()
            reader.join()
    assert_sound(tmp_path / "planner.db")
    with opened(url) as store:
        edits = edits_held(store)
    assert edits > 0
    with running_app(tmp_path) as (base, _):
        status, body = _fetch(f"{base}/feeds/{token}.ics")
    assert status == 200 and f"SUMMARY:edit {edits}\r\n".encode() in body


def test_app_killed_while_its_pages_save(tmp_path):
    """Protocol officers save events through the app's event form (websocket clients speaking
    the browser's protocol, see tests/support/office_sessions.py) when the app is killed. Every save the
    app confirmed is in the database, none is half there (title and start time of one save),
    and the app starts again on the database and serves the last saves."""
    import asyncio

    from support.office_sessions import prepare, run_session, sessions, verify
    from support.streamlit_client import Client, Outcome

    editors = [session for session in sessions(10) if session.role == "protocol"][:4]
    for session in editors:
        session.shared = session.own  # each saves its own event only: every save should land
    url = f"sqlite:///{tmp_path}/planner.db"
    prepare(url, editors)
    outcome = Outcome()
    delay = RANDOM.uniform(0.5, 3.0)  # after the first confirmed save

    async def edit_until_killed(base: str, process) -> None:
        clients = [Client(base, session, outcome) for session in editors]
        for client in clients:
            await client.connect()
            await client.sign_in()
        started = time.monotonic()
        load = asyncio.gather(*(run_session(client, started, started + 60) for client in clients))
        while not outcome.saved and time.monotonic() - started < 50:  # the first save waits for a 5 s tick
            await asyncio.sleep(0.05)
        await asyncio.sleep(delay)
        process.send_signal(signal.SIGKILL)
        await load

    with app_process(tmp_path, STREAMLIT_SERVER_FILE_WATCHER_TYPE="none") as (process, base, _):
        asyncio.run(edit_until_killed(base, process))
        process.wait()
    assert outcome.saved, "no save was confirmed before the kill"
    assert_sound(tmp_path / "planner.db")
    # The connection errors of the kill are expected; what the database holds must be right.
    outcome.problems = []
    assert verify(url, outcome, "") == [], f"killed {delay:.1f} s after the first save"
    with running_app(tmp_path, STREAMLIT_SERVER_FILE_WATCHER_TYPE="none") as (base, _):

        async def reopen() -> str:
            client = Client(base, editors[0], Outcome())
            await client.connect()
            await client.sign_in()
            await client.open("delegations")
            await client.close()
            return client.title()

        assert asyncio.run(reopen()) == "Delegations"


def _many_events(count: int) -> bytes:
    """The sample plan with its events repeated (new ids) up to `count`: an import that takes a
    while, so that a kill can land in the middle of it."""
    document = json.loads(SAMPLE.read_text())
    events = document["events"]
    document["name"] = "Big import"
    document["events"] = [{**events[n % len(events)], "id": f"copy-{n}"} for n in range(count)]
    return json.dumps(document).encode()


def test_app_killed_while_its_admin_page_imports(tmp_path):
    """An admin replaces the draft with a large plan file through the Admin page (uploaded and
    clicked as the browser does) and the app is killed at a random moment of the import: the
    database holds the old plan or the new one, whole, and the app starts again on it."""
    import asyncio

    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.WidgetStates_pb2 import WidgetState
    from support.streamlit_client import Client, Outcome, Session

    from planner.plan.reading import plan_from_bytes

    data = _many_events(8000)
    new_plan, old_plan = plan_from_bytes(data), load_plan(SAMPLE)
    # The click's run reads the file (about 0.2 s) and imports it (about 0.3 s): kill around then.
    for attempt, delay in enumerate(RANDOM.uniform(0.1, 0.6) for _ in range(4)):
        folder = tmp_path / f"import-{attempt}"
        folder.mkdir()
        url = f"sqlite:///{folder}/planner.db"
        with opened(url) as store:
            store.import_plan(old_plan, user="setup")
            store.add_user("boss", "admin", "load-test-password", user="setup")

        async def import_until_killed(base: str, process) -> None:
            client = Client(base, Session(0, "boss", "admin"), Outcome())
            await client.connect()
            await client.sign_in()
            await client.open("admin")
            uploader = client.widget("file_uploader", "import-file")
            chosen = await client.upload(uploader.id, "big.json", data)
            await client.run("upload", [chosen])
            replace_button = next(b for b in client.tree.button if b.label == "Replace the draft with this plan")
            click = BackMsg()
            click.rerun_script.page_script_hash = client.page_hash
            click.rerun_script.widget_states.widgets.extend([chosen, WidgetState(id=replace_button.id, trigger_value=True)])
            await client.socket.send(click.SerializeToString())  # the click; its answer never comes
            await asyncio.sleep(delay)  # noqa: B023 (the coroutine runs within this iteration)
            process.send_signal(signal.SIGKILL)

        with app_process(folder, STREAMLIT_SERVER_FILE_WATCHER_TYPE="none") as (process, base, _):
            asyncio.run(import_until_killed(base, process))
            process.wait()
        assert_sound(folder / "planner.db")
        with opened(url) as store:
            held = store.load_plan()
            imports = [e for e in store.audit("plan") if e.action == "replace" and e.user == "boss"]
        assert held in (old_plan, new_plan), f"killed {delay:.2f} s after the click"
        assert (held == new_plan) == bool(imports), "the audit log must agree with the plan"
    with running_app(folder) as (base, _):  # and the app starts again on the last one
        assert _fetch(f"{base}/")[0] == 200


def test_a_failed_first_fill_leaves_no_empty_database(tmp_path, monkeypatch):
    """Creating the schema and filling in the sample plan are one transaction: a crash in
    between would otherwise leave a database that every later start takes as set up, empty."""
    from planner.storage import draft as storage

    url = f"sqlite:///{tmp_path}/planner.db"

    def crash(*_):
        raise RuntimeError("crash while filling in the sample plan")

    with monkeypatch.context() as patched:
        patched.setattr(storage, "_insert_plan", crash)
        with pytest.raises(RuntimeError):
            PlanStore(url)
    store = PlanStore(url)
    assert store.load_plan() == load_plan(SAMPLE)
    store.close()


def test_a_pg_dump_killed_half_way_keeps_the_previous_backup(tmp_path, monkeypatch):
    if not PG_URL:
        pytest.skip("PostgreSQL is not configured (PLANNER_TEST_PG_URL)")
    url = fresh_url("postgresql", tmp_path)
    target = tmp_path / "backup.dump"
    with opened(url) as store:
        store.import_plan(load_plan(SAMPLE))
        store.backup(target)
        good = target.read_bytes()
        tools = tmp_path / "bin"
        tools.mkdir()
        (tools / "pg_dump").write_text(
            '#!/bin/sh\nwhile [ "$1" != --file ]; do shift; done\nprintf PGDMP-half > "$2"\nkill -9 $$\n'
        )
        (tools / "pg_dump").chmod(0o755)
        monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
        with pytest.raises(PlanError, match="pg_dump failed"):
            store.backup(target)
        assert target.read_bytes() == good
        assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.dump", "bin"]


# -- restore ----------------------------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def url(request, tmp_path):
    return fresh_url(request.param, tmp_path)


def test_restore_brings_back_everything_the_backup_holds(url, tmp_path):
    backup = tmp_path / ("backup.db" if url.startswith("sqlite") else "backup.dump")
    with opened(url) as store:
        store.import_plan(load_plan(SAMPLE))
        store.publish("first")
        store.backup(backup)
        saved = store.load_plan()
        _, version = store.event("gb-amiens")
        store.update_event("gb-amiens", {"title": "after the backup"}, expected_version=version)
        store.publish("second")
        store.add_user("anna", "admin", "a long password")
        before = store.revision()
    code, _, err = cli("restore", str(backup), url=url)
    assert code == 2 and "--yes" in err
    code, out, err = cli("restore", "--check", str(backup), url=url)
    assert code == 0 and "sound backup" in out, err
    with opened(url) as store:
        assert store.revision() == before and len(store.releases()) == 2  # nothing changed yet
    code, _, err = cli("--user", "it", "restore", "--yes", str(backup), url=url)
    assert code == 0 and "205 events; 1 releases" in err, err
    with opened(url) as store:
        assert store.load_plan() == saved
        assert [r.comment for r in store.releases()] == ["first"] and store.users() == []
        latest = store.audit(limit=1)[0]
        assert (latest.action, latest.user, latest.after["backup"]) == ("restore", "it", str(backup))
        assert latest.before["events"] == 205
        assert store.revision() > before  # the app's caches see the change


def test_restore_after_a_crash_is_not_undone_by_the_left_over_log(tmp_path):
    """After a crash the database's write-ahead log still holds the last commits; copying a
    backup over the database file would let SQLite apply them on top (so the "restored" plan
    is the crashed one). `db restore` writes through SQLite and gets the backup's plan."""
    a, b = plan_files(tmp_path)
    url = f"sqlite:///{tmp_path}/planner.db"
    with opened(url) as store:
        store.import_plan(a)
        store.backup(tmp_path / "backup.db")
    crash = (
        "import os, signal, sys; from planner import load_plan; from planner.storage import PlanStore; "
        "PlanStore(sys.argv[1]).import_plan(load_plan(sys.argv[2]), replace_existing=True); "
        "os.kill(os.getpid(), signal.SIGKILL)"
    )
    subprocess.run([sys.executable, "-c", crash, url, str(tmp_path / "plan-b.json")], cwd=ROOT)
    assert (tmp_path / "planner.db-wal").stat().st_size > 0
    code, _, err = cli("restore", "--yes", str(tmp_path / "backup.db"), url=url)
    assert code == 0, err
    assert_sound(tmp_path / "planner.db")
    with opened(url) as store:
        assert store.load_plan() == a


def test_a_bad_backup_changes_nothing(url, tmp_path):
    sqlite = url.startswith("sqlite")
    with opened(url) as store:
        store.import_plan(load_plan(SAMPLE))
        good = tmp_path / ("good.db" if sqlite else "good.dump")
        store.backup(good)
        before = store.revision()
    data = good.read_bytes()
    other = sqlite3.connect(tmp_path / "other.db")
    other.execute("CREATE TABLE notes (text)")
    other.commit()
    other.close()
    damaged = bytearray(data)
    damaged[len(data) // 2 : len(data) // 2 + 4096] = b"\x7f" * 4096
    files = {
        "text.txt": (b"hello\n", "not an SQLite database" if sqlite else "not a pg_dump archive"),
        "empty": (b"", "not an SQLite database" if sqlite else "not a pg_dump archive"),
        "cut": (data[: len(data) // 2], "damaged"),
        "damaged": (bytes(damaged), "damaged" if sqlite else None),
        "other.db": (None, "no schema version" if sqlite else "is an SQLite backup"),
    }
    for name, (content, message) in files.items():
        if content is not None:
            (tmp_path / name).write_bytes(content)
        if message is None:
            continue  # pg_restore would find this only while restoring: see below
        with opened(url) as store:
            with pytest.raises(PlanError, match=message):
                store.restore(tmp_path / name)
            assert store.revision() == before and store.load_plan() == load_plan(SAMPLE)
    code, _, err = cli("restore", "--yes", str(tmp_path / "missing.db"), url=url)
    assert code == 2 and err.strip().endswith("missing.db: no such file")
    with opened(url) as store:
        if sqlite:
            with pytest.raises(PlanError, match="is the database itself"):
                store.restore(store.engine.url.database)
        else:
            # a dump whose table data is broken: pg_restore fails inside its one transaction
            with pytest.raises(PlanError):
                store.restore(tmp_path / "damaged")
            with opened(f"sqlite:///{tmp_path}/new.db") as elsewhere, pytest.raises(PlanError, match="is a PostgreSQL backup"):
                elsewhere.restore(good)
        assert store.revision() == before and store.load_plan() == load_plan(SAMPLE)
