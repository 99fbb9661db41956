"""The database, its backups and exported plans hold phone numbers, notes and password hashes:
they are readable by the app's own account only (files 0600, the data folder 0700), whatever
the umask, and from the moment they exist, not only once they are complete."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from support.files import mode
from support.paths import ROOT

import planner.storage.backup as store_module
from planner.storage import PlanStore, default_url

pytestmark = pytest.mark.usefixtures("usual_umask")  # new files 0644 unless the planner says otherwise


def _database_files(database: Path) -> list[Path]:
    return [path for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")) if path.exists()]


def test_a_new_database_its_folder_and_its_backups_are_private(tmp_path, monkeypatch):
    monkeypatch.delenv("PLANNER_DB_URL")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    url = default_url()
    database = Path(url.removeprefix("sqlite:///"))
    assert database.parent == tmp_path / "share" / "dortbunt-planner" and mode(database.parent) == 0o700

    # What exists of a backup while it is being written: modes as they were made, not fixed later.
    made = {}
    real_connect = store_module.sqlite3.connect

    def connect(path, *args, **options):
        connection = real_connect(path, *args, **options)
        made[Path(path).name] = mode(Path(path))
        return connection

    monkeypatch.setattr(store_module.sqlite3, "connect", connect)
    store = PlanStore(url)
    store.update_event("gb-amiens", {"title": "Golden Book"}, expected_version=store.event("gb-amiens")[1])
    files = _database_files(database)
    assert {path.name for path in files} == {"planner.db", "planner.db-wal", "planner.db-shm"}
    assert {path.name: mode(path) for path in files} == {path.name: 0o600 for path in files}
    target = tmp_path / "backup.db"
    store.backup(target)
    store.close()
    assert made == {"backup.db.partial": 0o600}
    assert mode(target) == 0o600


def test_an_open_database_file_is_tightened_when_the_store_opens_it(tmp_path):
    url = f"sqlite:///{tmp_path}/planner.db"
    PlanStore(url).close()
    database = tmp_path / "planner.db"
    for path in _database_files(database):
        path.chmod(0o644)
    store = PlanStore(url)
    store.load_plan()
    assert {path.name: mode(path) for path in _database_files(database)} == {
        path.name: 0o600 for path in _database_files(database)
    }
    store.close()


def test_a_plan_exported_from_the_database_is_private(tmp_path):
    url = f"sqlite:///{tmp_path}/planner.db"
    PlanStore(url).close()
    out = tmp_path / "plan.json"
    done = subprocess.run(
        [sys.executable, "-m", "planner", "db", "--db", url, "export", "-o", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert mode(out) == 0o600 and b'"events"' in out.read_bytes()
    backup = tmp_path / "cli-backup.db"
    done = subprocess.run(
        [sys.executable, "-m", "planner", "db", "--db", url, "backup", str(backup)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert mode(backup) == 0o600


def test_a_postgresql_dump_is_private(tmp_path, monkeypatch):
    from support.storage_backends import PG_URL, fresh_url

    if not PG_URL:
        pytest.skip("PostgreSQL is not configured (PLANNER_TEST_PG_URL)")
    store = PlanStore(fresh_url("postgresql", tmp_path))
    made = {}
    real_run = store_module.subprocess.run

    def run(arguments, **options):
        done = real_run(arguments, **options)
        partial = Path(arguments[arguments.index("--file") + 1])
        made[partial.name] = mode(partial)
        return done

    monkeypatch.setattr(store_module.subprocess, "run", run)
    store.backup(tmp_path / "backup.dump")
    store.close()
    assert made == {"backup.dump.partial": 0o600}
    assert mode(tmp_path / "backup.dump") == 0o600
