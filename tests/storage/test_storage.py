"""The plan in a database: lossless round trips, all-or-nothing imports, no lost edit,
revisions, releases and changes, audit log, backups, migrations — on SQLite and PostgreSQL."""

import json
import os
import signal
import subprocess
import sys
from multiprocessing import get_context

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from hypothesis import HealthCheck, given, settings
from support.paths import DATA, ROOT
from support.reference import Invalid, reference_conflicts
from support.storage_backends import BACKENDS, fresh_url
from support.strategies import plan_documents

from planner import PlanError, load_plan, parse_plan
from planner.plan.reading import decode_json
from planner.plan.writing import dump_plan
from planner.storage import PlanStore, StaleEditError
from planner.storage.schema import Base

SAMPLE = DATA / "dortbunt-2027.json"


@pytest.fixture(params=BACKENDS)
def url(request, tmp_path):
    return fresh_url(request.param, tmp_path)


@pytest.fixture
def store(url):
    opened = PlanStore(url)
    yield opened
    opened.close()


def cli(*args, url, stdin=None):
    env = {**os.environ, "PLANNER_DB_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "planner", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, input=stdin
    )


# -- round trips --------------------------------------------------------------------------------


def test_new_database_holds_the_sample_plan(store):
    assert store.load_plan() == load_plan(SAMPLE)


def test_start_empty(url, monkeypatch):
    monkeypatch.setenv("PLANNER_START_EMPTY", "1")
    store = PlanStore(url)
    assert store.is_empty()
    with pytest.raises(PlanError, match="holds no plan yet"):
        store.load_plan()
    store.close()


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(document=plan_documents())
def test_round_trip_of_random_plans(backend, tmp_path_factory, document):
    try:
        reference_conflicts(document)
    except Invalid:
        return
    plan = parse_plan(document)
    store = PlanStore(fresh_url(backend, tmp_path_factory.mktemp("db")), fill_new=False)
    try:
        store.import_plan(plan)
        back = store.load_plan()
        assert back == plan
        assert parse_plan(decode_json(dump_plan(back).encode())) == plan
    finally:
        store.close()


def test_cli_import_export_round_trip(url, tmp_path):
    assert cli("db", "import", str(SAMPLE), "--replace", url=url).returncode == 0
    out = tmp_path / "out.json"
    result = cli("db", "export", "-o", str(out), url=url)
    assert result.returncode == 0, result.stderr
    assert load_plan(out) == load_plan(SAMPLE)


def test_import_into_a_filled_database_needs_replace(url):
    PlanStore(url).close()
    result = cli("db", "import", str(SAMPLE), url=url)
    assert result.returncode == 2 and "use --replace" in result.stderr and result.stderr.count("\n") == 1


def test_invalid_import_leaves_the_database_byte_for_byte(tmp_path):
    url = f"sqlite:///{tmp_path}/planner.db"
    PlanStore(url).close()
    files = sorted(tmp_path.iterdir())
    before = {f.name: f.read_bytes() for f in files}
    bad = json.loads(SAMPLE.read_text())
    bad["events"][100]["venue"] = "nowhere"
    path = tmp_path.parent / "bad.json"
    path.write_text(json.dumps(bad))
    result = cli("db", "import", str(path), "--replace", url=url)
    assert result.returncode == 2
    assert result.stderr == "error: events[100].venue: unknown venue 'nowhere'\n"
    assert {f.name: f.read_bytes() for f in sorted(tmp_path.iterdir())} == before


def test_invalid_import_changes_nothing_on_any_backend(store, url, tmp_path):
    before = store.export_document()
    audit = store.audit()
    bad = json.loads(SAMPLE.read_text())
    bad["events"][-1]["end"] = bad["events"][-1]["start"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    assert cli("db", "import", str(path), "--replace", url=url).returncode == 2
    assert store.export_document() == before and store.audit() == audit


# -- editing ------------------------------------------------------------------------------------


def test_sequence_rises_on_time_venue_or_status_only(store):
    event, version = store.event("gb-amiens")
    version = store.update_event("gb-amiens", {"title": "Golden Book: Amiens"}, expected_version=version, user="anna")
    assert store.event("gb-amiens")[0].sequence == event.sequence
    version = store.update_event("gb-amiens", {"notes": "chain of office"}, expected_version=version)
    assert store.event("gb-amiens")[0].sequence == event.sequence
    version = store.update_event("gb-amiens", {"start": "2027-05-07T12:35"}, expected_version=version)
    assert store.event("gb-amiens")[0].sequence == event.sequence + 1
    version = store.update_event("gb-amiens", {"status": "tentative"}, expected_version=version)
    assert store.event("gb-amiens")[0].sequence == event.sequence + 2
    store.update_event("gb-amiens", {"venue": "mkk", "kind": "meeting"}, expected_version=version)
    assert store.event("gb-amiens")[0].sequence == event.sequence + 3


def test_invalid_edit_is_refused_and_changes_nothing(store):
    event, version = store.event("gb-amiens")
    with pytest.raises(PlanError, match="event.venue: unknown venue 'moon'"):
        store.update_event("gb-amiens", {"venue": "moon"}, expected_version=version)
    with pytest.raises(PlanError, match="must end after it starts"):
        store.update_event("gb-amiens", {"end": "2027-05-07T08:00"}, expected_version=version)
    assert store.event("gb-amiens") == (event, version)


def test_stale_edit_is_refused(store):
    _, version = store.event("gb-amiens")
    store.update_event("gb-amiens", {"title": "First"}, expected_version=version, user="anna")
    with pytest.raises(StaleEditError, match=r"changed by anna at .* since you opened it"):
        store.update_event("gb-amiens", {"title": "Second"}, expected_version=version, user="ben")
    assert store.event("gb-amiens")[0].title == "First"


def _update_from(url, version, title, barrier, results):
    store = PlanStore(url)
    barrier.wait()
    try:
        store.update_event("gb-amiens", {"title": title}, expected_version=version, user=title)
        results.put(("ok", title))
    except StaleEditError as error:
        results.put(("stale", str(error)))
    finally:
        store.close()


def test_two_processes_edit_the_same_version_exactly_one_wins(store, url):
    _, version = store.event("gb-amiens")
    context = get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    workers = [context.Process(target=_update_from, args=(url, version, title, barrier, results)) for title in ("Alpha", "Beta")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    outcomes = sorted(results.get(timeout=10) for _ in workers)
    assert [kind for kind, _ in outcomes] == ["ok", "stale"]
    winner = outcomes[0][1]
    assert store.event("gb-amiens") == (store.event("gb-amiens")[0], version + 1)
    assert store.event("gb-amiens")[0].title == winner
    assert f"changed by {winner}" in outcomes[1][1]


def test_add_and_delete_event(store):
    added = store.add_event(
        {
            "id": "extra",
            "title": "Extra",
            "kind": "meeting",
            "start": "2027-05-08T10:00",
            "end": "2027-05-08T11:00",
            "venue": "rathaus",
            "people": ["ob"],
        },
        user="anna",
    )
    assert added.id == "extra" and store.load_plan().events[-1] == added
    with pytest.raises(PlanError, match="exists already"):
        store.add_event(
            {
                "id": "extra",
                "title": "Again",
                "kind": "other",
                "start": "2027-05-08T10:00",
                "end": "2027-05-08T11:00",
                "venue": "rathaus",
            }
        )
    store.delete_event("extra", expected_version=1, user="anna")
    assert "extra" not in {e.id for e in store.load_plan().events}


# -- releases, changes, audit -------------------------------------------------------------------


def test_releases_and_changes_from_the_cli(store, url):
    assert cli("db", "publish", "-m", "programme for the partner cities", url=url).stdout == "published release 1\n"
    _, version = store.event("gb-amiens")
    store.update_event("gb-amiens", {"start": "2027-05-07T12:40", "end": "2027-05-07T13:10"}, expected_version=version)
    _, version = store.event("tour-zollern")
    store.update_event("tour-zollern", {"status": "cancelled"}, expected_version=version)
    _, version = store.event("walk-leeds-phoenix")
    store.delete_event("walk-leeds-phoenix", expected_version=version)
    store.add_event(
        {
            "id": "late-talk",
            "title": "Late talk",
            "kind": "press",
            "start": "2027-05-08T18:00",
            "end": "2027-05-08T18:30",
            "venue": "rathaus",
            "people": ["ob"],
        }
    )
    draft = cli("db", "changes", "--draft", "--format", "json", url=url)
    assert draft.returncode == 0, draft.stderr
    kinds = {(c["kind"], c["event"]) for c in json.loads(draft.stdout)}
    assert kinds == {
        ("moved", "gb-amiens"),
        ("cancelled", "tour-zollern"),
        ("removed", "walk-leeds-phoenix"),
        ("new", "late-talk"),
    }
    assert cli("db", "publish", "-m", "Amiens moved", url=url).stdout == "published release 2\n"
    text = cli("db", "changes", url=url).stdout
    assert 'Moved: "Golden Book signing" Fri 7 May 2027 12:30–13:00, Rathaus Dortmund → Fri 7 May 2027 12:40–13:10' in text
    assert "Cancelled:" in text and "Removed:" in text and 'New: "Late talk"' in text
    moved = [
        c for c in json.loads(cli("db", "changes", "--since", "1", "--format", "json", url=url).stdout) if c["kind"] == "moved"
    ][0]
    assert moved["before"]["start"] == "2027-05-07T12:30:00+02:00" and moved["after"]["start"] == "2027-05-07T12:40:00+02:00"
    listing = cli("db", "releases", url=url).stdout.splitlines()
    assert len(listing) == 2 and listing[1].endswith("Amiens moved")
    # Guests see the latest release, not later edits of the draft.
    _, version = store.event("gb-amiens")
    store.update_event("gb-amiens", {"title": "Draft only"}, expected_version=version)
    assert next(e for e in store.release_plan().events if e.id == "gb-amiens").title == "Golden Book signing"


def test_audit_log_records_who_what_when_before_after(store):
    _, version = store.event("gb-amiens")
    store.update_event("gb-amiens", {"title": "New title"}, expected_version=version, user="anna")
    entry = store.audit("event", "gb-amiens")[0]
    assert (entry.user, entry.action, entry.entity_id) == ("anna", "update", "gb-amiens")
    assert entry.before["title"] == "Golden Book signing" and entry.after["title"] == "New title"
    assert entry.at.tzinfo is not None
    actions = [e.action for e in store.audit()]
    assert actions[-1] == "import" and actions[0] == "update"


# -- backups and crashes ------------------------------------------------------------------------


def test_backup_while_open(tmp_path):
    store = PlanStore(f"sqlite:///{tmp_path}/planner.db")
    target = tmp_path / "backup.db"
    result = cli("db", "backup", str(target), url=store.url)
    assert result.returncode == 0, result.stderr
    copy = PlanStore(f"sqlite:///{target}")
    assert copy.load_plan() == store.load_plan()
    copy.close()
    store.close()


def test_backup_postgresql(tmp_path):
    from support.storage_backends import PG_URL

    if not PG_URL:
        pytest.skip("PostgreSQL is not configured (PLANNER_TEST_PG_URL)")
    store = PlanStore(fresh_url("postgresql", tmp_path))
    target = tmp_path / "backup.dump"
    started = []
    real_run = subprocess.run
    import planner.storage.backup as store_module

    def run(arguments, **options):  # what other users of the machine see in the process list
        started.append((arguments, options.get("env") or {}))
        return real_run(arguments, **options)

    store_module.subprocess.run = run
    try:
        store.backup(target)
    finally:
        store_module.subprocess.run = real_run
    assert target.stat().st_size > 10_000
    store.close()
    password = sa.engine.make_url(PG_URL).password
    assert started and password
    addresses = [part for arguments, _ in started for part in arguments if part.startswith("postgresql://")]
    assert addresses and all(sa.engine.make_url(address).password is None for address in addresses)
    assert all(env.get("PGPASSWORD") == password for _, env in started)


def _city_plan_file(tmp_path, events):
    from support.city_plans import city_plan

    path = tmp_path / "city.json"
    path.write_text(json.dumps(city_plan(events)))
    return path


def test_sigkill_during_import_leaves_old_or_new_plan(url, tmp_path):
    PlanStore(url).close()
    old = load_plan(SAMPLE)
    big = _city_plan_file(tmp_path, 30_000)
    new = load_plan(big)
    outcomes = set()
    for delay in (0.5, 1.0, 1.5, 2.5, 20):
        process = subprocess.Popen(
            [sys.executable, "-m", "planner", "db", "import", str(big), "--replace"],
            cwd=ROOT,
            env={**os.environ, "PLANNER_DB_URL": url},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait()
        store = PlanStore(url)
        plan = store.load_plan()
        store.close()
        assert plan in (old, new)
        outcomes.add("new" if plan == new else "old")
        if plan == new:
            store = PlanStore(url)
            store.import_plan(old, replace_existing=True)
            store.close()
    assert "old" in outcomes and "new" in outcomes


# -- schema -------------------------------------------------------------------------------------


def test_migrations_build_exactly_the_models(url):
    store = PlanStore(url, fill_new=False)
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    store.close()
    assert differences == []


def test_an_older_database_is_upgraded_on_open(tmp_path):
    url = f"sqlite:///{tmp_path}/old.db"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE unrelated (x INTEGER)"))
    engine.dispose()
    store = PlanStore(url)
    with store.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == "0006"
    assert store.load_plan() == load_plan(SAMPLE)
    store.close()


@pytest.mark.parametrize(
    "kind,entity_id,change,field",
    [
        ("venue", "rathaus", {"capacity": 140}, "capacity"),
        ("person", "ob", {"languages": ["de", "en", "fr"]}, "languages"),
        ("delegation", "amiens", {"size": 7, "departure": "2027-05-09T18:00"}, "size"),
    ],
)
def test_venues_people_and_delegations_are_edited_with_versions(store, kind, entity_id, change, field):
    before, version = store.entity(kind, entity_id)
    new_version = store.update_entity(kind, entity_id, change, expected_version=version, user="anna")
    after, current = store.entity(kind, entity_id)
    assert current == new_version == version + 1
    assert getattr(after, field) != getattr(before, field)
    assert (
        getattr(store.load_plan(), {"venue": "venues", "person": "people", "delegation": "delegations"}[kind])[entity_id] == after
    )
    with pytest.raises(StaleEditError, match="changed by anna"):
        store.update_entity(kind, entity_id, change, expected_version=version, user="ben")
    entry = store.audit(kind, entity_id)[0]
    assert entry.user == "anna" and entry.before != entry.after


def test_entity_edit_is_validated(store):
    _, version = store.entity("delegation", "amiens")
    with pytest.raises(PlanError, match="delegation.hotel: unknown venue 'ritz'"):
        store.update_entity("delegation", "amiens", {"hotel": "ritz"}, expected_version=version)
    with pytest.raises(PlanError, match="delegation.departure: departure must be after arrival"):
        store.update_entity("delegation", "amiens", {"departure": "2027-05-01T10:00"}, expected_version=version)
    assert store.entity("delegation", "amiens")[1] == version


def test_a_database_of_the_first_schema_is_upgraded_with_its_data(tmp_path):
    from alembic import command
    from alembic.config import Config

    from planner.storage.database import MIGRATIONS, make_engine
    from planner.storage.draft import _insert_plan

    url = f"sqlite:///{tmp_path}/old.db"
    engine = make_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    with engine.begin() as connection:
        _insert_plan(connection, load_plan(SAMPLE), "old", 0)
        assert "feed_tokens" not in sa.inspect(connection).get_table_names()
    engine.dispose()
    store = PlanStore(url)
    assert store.load_plan() == load_plan(SAMPLE)
    number, token = store.create_feed_token("person", "ob")
    assert store.feed_for_token(token) == ("person", "ob")
    store.close()


def test_sequence_stays_within_31_bits(store):
    plan = store.load_plan()
    from dataclasses import replace

    top = [replace(e, sequence=2**31 - 1) if e.id == "gb-amiens" else e for e in plan.events]
    store.import_plan(replace(plan, events=top), replace_existing=True)
    moved = [replace(e, start=e.start.replace(minute=5)) if e.id == "gb-amiens" else e for e in top]
    store.import_plan(replace(plan, events=moved), replace_existing=True)
    assert store.event("gb-amiens")[0].sequence == 2**31 - 1
    _, version = store.event("gb-amiens")
    store.update_event("gb-amiens", {"status": "tentative"}, expected_version=version)
    assert store.event("gb-amiens")[0].sequence == 2**31 - 1


def test_backup_refuses_bad_targets(tmp_path):
    url = f"sqlite:///{tmp_path}/planner.db"
    store = PlanStore(url)
    with pytest.raises(PlanError, match="is a folder"):
        store.backup(tmp_path)
    with pytest.raises(PlanError, match="no such folder"):
        store.backup(tmp_path / "missing" / "b.db")
    with pytest.raises(PlanError, match="is the database itself"):
        store.backup(tmp_path / "planner.db")
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("planner.db")) == []
    store.close()


# -- SQLite locks -----------------------------------------------------------------------------


def test_a_write_outlasts_a_lock_held_longer_than_the_busy_timeout(tmp_path, monkeypatch):
    import sqlite3
    import threading
    import time

    from planner.storage import database as store_module

    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 100)
    store = PlanStore(f"sqlite:///{tmp_path}/planner.db")
    _, version = store.event("gb-amiens")
    other = sqlite3.connect(tmp_path / "planner.db", isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another process writing, for three busy timeouts
    threading.Timer(0.3, other.rollback).start()
    started = time.monotonic()
    assert store.update_event("gb-amiens", {"title": "Signing after the lock"}, expected_version=version) == version + 1
    assert time.monotonic() - started >= 0.25
    assert store.event("gb-amiens")[0].title == "Signing after the lock"
    other.close()
    store.close()


def test_a_lock_that_never_ends_is_an_error_that_says_so_and_writes_nothing(tmp_path, monkeypatch):
    import sqlite3

    from planner.storage import database as store_module

    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 20)
    store = PlanStore(f"sqlite:///{tmp_path}/planner.db")
    _, version = store.event("gb-amiens")
    other = sqlite3.connect(tmp_path / "planner.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    with pytest.raises(sa.exc.OperationalError) as raised:
        store.update_event("gb-amiens", {"title": "Never"}, expected_version=version)
    assert store_module.is_lock_error(raised.value)
    other.rollback()
    other.close()
    assert store.event("gb-amiens") == (store.event("gb-amiens")[0], version)
    assert store.event("gb-amiens")[0].title != "Never"
    store.update_event("gb-amiens", {"title": "Later"}, expected_version=version)  # the pool still works
    store.close()


def test_the_app_explains_a_lock_instead_of_a_traceback():
    from streamlit.testing.v1 import AppTest

    def page():
        import sqlite3

        import sqlalchemy as sa

        from views.ui import save

        def locked():
            raise sa.exc.OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))

        save(locked, "Saved.")

    app = AppTest.from_function(page, default_timeout=30).run()
    assert not app.exception
    assert [e.value for e in app.error] == [
        "Not saved: the database is busy with another change. Nothing was lost; save again in a moment."
    ]
