"""The database itself: where it lives, engines and locks, migrations, and the revision counter.

One `PlanStore` per database URL. SQLite (the default, a file in the user's data folder) and
PostgreSQL (psycopg 3) go through the same code. Every write is one transaction: an import
replaces the whole plan or nothing, an edit changes one row only if nobody changed it since
the editor read it.
"""

from __future__ import annotations

import getpass
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from platformdirs import user_data_dir
from sqlalchemy.engine import Connection, Engine

from planner.plan.clock import micros
from planner.storage.schema import REVISION

MIGRATIONS = Path(__file__).parent / "migrations"


def default_url() -> str:
    """`PLANNER_DB_URL`, else an SQLite file in the user's data folder."""
    url = os.environ.get("PLANNER_DB_URL")
    if url:
        return url
    folder = Path(user_data_dir("dortbunt-planner", appauthor=False))
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    _owner_only(folder)  # made under another umask, or by an older version
    return f"sqlite:///{folder / 'planner.db'}"


def _owner_only(path: Path) -> None:
    """Take group's and others' access to `path` away (the database and its backups hold phone
    numbers, notes and password hashes); a file the planner does not own keeps its mode."""
    try:
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            path.chmod(mode & 0o700)
    except (FileNotFoundError, PermissionError):  # gone, or someone else's file: theirs to mind
        pass


def private_file(path: Path) -> None:
    """Create `path` empty and 0600 whatever the umask, so that nothing written into it is ever
    readable by others, not even while it is written; an existing file loses others' access."""
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.is_file():
            _owner_only(path)
        return
    except OSError:  # a folder the planner may not write to: SQLite or pg_dump will say so
        return
    try:
        os.fchmod(handle, 0o600)
    finally:
        os.close(handle)


def now_micros() -> int:
    """Now, in the microseconds since 1970 UTC that the database stores."""
    return micros(datetime.now(UTC))


def current_user() -> str:
    """The login name of whoever runs the planner, for the audit log ("unknown" if there is none)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (containers)
        return "unknown"


#: How long an SQLite writer waits for another writer's lock (milliseconds), and how many times
#: it then begins again, after a growing pause, before "database is locked" reaches the caller:
#: about half a minute in all, after which a person hears that the database is busy.
BUSY_TIMEOUT_MS = 10_000
LOCK_RETRIES = 2


def is_lock_error(error: BaseException) -> bool:
    """Whether a database error means SQLite was locked or busy (worth trying again)."""
    original = getattr(error, "orig", error)
    if not isinstance(original, sqlite3.OperationalError):
        return False
    code = getattr(original, "sqlite_errorcode", None)
    return (
        (code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED))
        or "locked" in str(original)
        or "busy" in str(original)
    )


def make_engine(url: str) -> Engine:
    """An engine with the settings the planner relies on (SQLite: WAL, foreign keys, waiting
    for a lock and trying again instead of failing)."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    if url.startswith("sqlite"):
        database = sa.engine.make_url(url).database
        if database and database != ":memory:" and not database.startswith("file:") and Path(database).parent.is_dir():
            # SQLite gives the -wal, -shm and -journal files it makes the mode of the database.
            private_file(Path(database))
            for companion in ("-wal", "-shm", "-journal"):
                _owner_only(Path(database + companion))
        busy_ms = BUSY_TIMEOUT_MS
        engine = sa.create_engine(url, connect_args={"timeout": busy_ms / 1000})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(connection: sqlite3.Connection, _record: Any) -> None:
            # Let SQLAlchemy, not the driver, decide when transactions begin (BEGIN IMMEDIATE
            # below), so that concurrent writers queue up instead of deadlocking.
            connection.isolation_level = None
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @sa.event.listens_for(engine, "begin")
        def _begin(connection: Connection) -> None:
            # A write takes the lock at BEGIN IMMEDIATE (WAL: commits never wait), so this is the
            # one place a lock can still be refused after busy_timeout: nothing has been done
            # yet, and beginning again is safe.
            for attempt in range(LOCK_RETRIES + 1):
                try:
                    connection.exec_driver_sql("BEGIN IMMEDIATE")
                    return
                except sa.exc.OperationalError as error:
                    if attempt == LOCK_RETRIES or not is_lock_error(error):
                        raise
                    time.sleep(0.05 * 2**attempt)

        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def alembic_config() -> Config:
    """Alembic's settings for the planner's migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, fill: Callable[[Connection], None] | None = None) -> bool:
    """Create or upgrade the schema to the newest migration; True if the database was new.

    A new database gets `fill` in the same transaction: a crash leaves it either not made at all
    or made and filled, never made but empty (which every later start would take as set up)."""
    config = alembic_config()
    with engine.begin() as connection:
        fresh = MigrationContext.configure(connection).get_current_revision() is None
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        if fresh and fill is not None:
            fill(connection)
    return fresh


def raise_revision(connection: Connection) -> None:
    """Count one more write transaction (see `Database.revision`)."""
    connection.execute(REVISION.update().where(REVISION.c.id == 1).values(number=REVISION.c.number + 1))


class Database:
    """One database, opened and brought to the newest schema: what every part of `PlanStore`
    stands on. `_write` and `_consistent_read` are for those parts, not for callers."""

    def __init__(self, url: str | None = None, *, fill: Callable[[Connection], None] | None = None):
        """Open (and create or upgrade) the database at `url` (else `default_url()`); a new one
        gets `fill` in the transaction that creates it."""
        self.url = url or default_url()
        self.engine = make_engine(self.url)
        upgrade(self.engine, fill)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.begin() as connection:
            # First thing: raise the revision (and take its row lock), so that readers who
            # cache on it see every commit, in commit order.
            raise_revision(connection)
            yield connection

    @contextmanager
    def _consistent_read(self) -> Iterator[Connection]:
        """A connection whose reads all see one state of the database: on SQLite its one
        transaction does; PostgreSQL's default (READ COMMITTED) lets each statement see later
        commits, REPEATABLE READ does not."""
        with self.engine.connect() as connection:
            if self.engine.dialect.name == "postgresql":
                connection.execution_options(isolation_level="REPEATABLE READ")
            yield connection

    def revision(self) -> int:
        """How many write transactions the database has committed: it changes with every change
        (a reset included) and grows in commit order. The app keys its caches on it."""
        with self.engine.connect() as connection:
            return connection.execute(sa.select(REVISION.c.number).where(REVISION.c.id == 1)).scalar_one()
