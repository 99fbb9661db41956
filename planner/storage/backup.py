"""Backups of the whole database: making, checking and restoring them, and starting over from the sample."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from pathlib import Path

import sqlalchemy as sa

from planner.errors import PlanError
from planner.storage.audit import write_audit
from planner.storage.database import alembic_config, current_user, now_micros, private_file, upgrade
from planner.storage.draft import PLAN_TABLES, SAMPLE, DraftStorage, plan_summary
from planner.storage.releases import ReleaseStorage
from planner.storage.schema import AUDIT, FEED_TOKENS, RELEASES, REVISION

_NOT_OURS = "is not a backup made by 'python -m planner db backup'"


class BackupStorage(DraftStorage, ReleaseStorage):
    """The whole database at once: backup, check, restore, reset (which read the draft and releases)."""

    def backup(self, target: str | os.PathLike) -> None:
        """A consistent copy of the whole database, taken while others keep working.

        SQLite: the online backup API writes a new database file. PostgreSQL: `pg_dump`
        (custom format, restore with `pg_restore`).
        """
        target = Path(target)
        if target.is_dir():
            raise PlanError("", f"{target} is a folder; give the backup a file name")
        if not target.parent.is_dir():
            raise PlanError("", f"{target.parent}: no such folder")
        database = self.engine.url.database if self.engine.dialect.name == "sqlite" else None
        if database and target.exists() and target.resolve() == Path(database).resolve():
            raise PlanError("", f"{target} is the database itself; choose another file")
        # Written next to the target and renamed at the end, so that a crash never leaves a
        # half-written file under the backup's name (nor destroys the previous backup there).
        partial = target.with_name(target.name + ".partial")
        for leftover in (partial, *(partial.with_name(partial.name + end) for end in ("-journal", "-wal", "-shm"))):
            leftover.unlink(missing_ok=True)  # of a backup that crashed
        private_file(partial)  # pg_dump and SQLite write into it and keep its mode
        if self.engine.dialect.name == "sqlite":
            raw = self.engine.raw_connection()
            try:
                copy = sqlite3.connect(partial)
                try:
                    raw.driver_connection.backup(copy)  # type: ignore[union-attr]
                finally:
                    copy.close()
            finally:
                raw.close()
        else:
            try:
                _run_pg_tool(
                    ["pg_dump", "--format=custom", "--file", str(partial), self._pg_url()], password=self.engine.url.password
                )
            except PlanError:
                partial.unlink(missing_ok=True)
                raise
            with open(partial, "rb+") as written:
                os.fsync(written.fileno())
        os.replace(partial, target)
        _sync_folder(target.parent)

    def check_backup(self, source: str | os.PathLike) -> dict:
        """Check that `source` is a sound backup made by `backup` that this database can take,
        without changing anything; returns what it holds: ``{"schema": version}`` and, from an
        SQLite backup, the plan's summary and ``"releases"``. PlanError says what is wrong."""
        source = self._backup_file(source)
        if self.engine.dialect.name != "sqlite":
            return _checked_pg_dump(source)
        with tempfile.TemporaryDirectory(prefix="planner-restore-") as folder:
            copy, summary = self._checked_sqlite_copy(source, Path(folder) / "restore.db")
            copy.close()
        return summary

    def restore(self, source: str | os.PathLike, *, user: str | None = None) -> dict:
        """Replace the whole database (draft, releases, audit log, accounts, links) with a backup
        made by `backup`, all or nothing; returns what `check_backup` returns.

        The backup is checked first: a bad file raises PlanError and changes nothing. SQLite: a
        checked copy goes into the database through the online backup API in one transaction,
        so other connections (a running app) see the old database or the restored one, never a
        mix. PostgreSQL: `pg_restore --clean --single-transaction`. Afterwards the revision is
        above any the database had before (the app's caches are keyed on it), and the audit
        log has a "restore" entry.
        """
        user = user or current_user()
        source = self._backup_file(source)
        before = self.revision()
        try:
            replaced = None if self.is_empty() else plan_summary(self.load_plan())
        except PlanError:  # a plan that no longer reads is what a restore is for
            replaced = None
        if self.engine.dialect.name != "sqlite":
            summary = _checked_pg_dump(source)
            _run_pg_tool(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    "--dbname",
                    self._pg_url(),
                    str(source),
                ],
                password=self.engine.url.password,
            )
            self.engine.dispose()  # no pooled connection keeps state of the dropped tables
            upgrade(self.engine)  # a backup of an older schema
            summary = {**summary, **({} if self.is_empty() else plan_summary(self.load_plan())), "releases": len(self.releases())}
            self._after_restore(before, user, source, replaced, summary)
            return summary
        with tempfile.TemporaryDirectory(prefix="planner-restore-") as folder:
            copy, summary = self._checked_sqlite_copy(source, Path(folder) / "restore.db")
            try:
                # The restore's own entry travels inside the copy: restored and logged together.
                copy._after_restore(before, user, source, replaced, summary)
                reader, writer = copy.engine.raw_connection(), self.engine.raw_connection()
                try:
                    reader.driver_connection.backup(writer.driver_connection)  # type: ignore[union-attr]
                except sqlite3.Error as error:
                    raise PlanError("", f"cannot restore into {self.engine.url.database}: {error}") from None
                finally:
                    reader.close()
                    writer.close()
            finally:
                copy.close()
        with self._write():
            pass  # one more revision, past a write that another connection may have made meanwhile
        return summary

    def reset(self, *, empty: bool = False, user: str | None = None) -> None:
        """Delete the draft, releases and audit log; refill with the sample plan unless `empty`."""
        user = user or current_user()
        with self._write() as connection:
            for table in (*PLAN_TABLES, RELEASES, AUDIT, FEED_TOKENS):
                connection.execute(table.delete())
            write_audit(connection, now_micros(), user, "reset", "plan", "", None, None)
        if not empty:
            from planner.plan.reading import load_plan

            self.import_plan(load_plan(SAMPLE), user=user)

    def _after_restore(self, before: int, user: str, source: Path, replaced: dict | None, summary: dict) -> None:
        with self._write() as connection:
            number = connection.execute(sa.select(REVISION.c.number).where(REVISION.c.id == 1)).scalar_one()
            connection.execute(REVISION.update().where(REVISION.c.id == 1).values(number=max(number, before) + 1))
            write_audit(connection, now_micros(), user, "restore", "plan", "", replaced, {"backup": str(source), **summary})

    def _backup_file(self, source: str | os.PathLike) -> Path:
        source = Path(source)
        if not source.is_file():
            raise PlanError("", f"{source} is a folder; give the backup file" if source.is_dir() else f"{source}: no such file")
        database = self.engine.url.database if self.engine.dialect.name == "sqlite" else None
        if database and source.resolve() == Path(database).resolve():
            raise PlanError("", f"{source} is the database itself; give a backup made by 'db backup'")
        return source

    def _pg_url(self) -> str:
        """The database's address for pg_dump and pg_restore, without the password: that goes
        through PGPASSWORD, which other users cannot read in the process list."""
        return self.engine.url.set(drivername="postgresql")._replace(password=None).render_as_string(hide_password=False)

    def _checked_sqlite_copy(self, source: Path, target: Path) -> tuple[BackupStorage, dict]:
        """Copy an SQLite backup to `target` and check the copy (never the backup itself, which
        stays untouched): a sound SQLite file, our schema, a plan that reads. Returns the copy,
        opened (as a store like this one) and upgraded to the newest schema, and what it holds."""
        _expect_format(source, "sqlite")
        shutil.copyfile(source, target)
        try:
            with closing(sqlite3.connect(target)) as check:
                problems = [row[0] for row in check.execute("PRAGMA integrity_check(5)")]
                if problems != ["ok"]:
                    raise PlanError("", f"{source} is damaged: {problems[0]}")
                if check.execute("PRAGMA foreign_key_check").fetchone() is not None:
                    raise PlanError("", f"{source} is damaged: rows refer to rows that are missing")
                tables = {row[0] for row in check.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                row = check.execute("SELECT version_num FROM alembic_version").fetchone() if "alembic_version" in tables else None
        except sqlite3.DatabaseError as error:
            raise PlanError("", f"{source} is damaged: {error}") from None
        schema = _known_schema(source, row[0] if row else None)
        copy = type(self)(f"sqlite:///{target}", fill_new=False)  # brings an older schema up to date
        try:
            plan = None if copy.is_empty() else copy.load_plan()
            releases = len(copy.releases())
        except (PlanError, sa.exc.SQLAlchemyError, ValueError, KeyError, TypeError) as error:
            copy.close()
            raise PlanError("", f"{source}: its plan cannot be read: {error}") from None
        return copy, {"schema": schema, **(plan_summary(plan) if plan else {}), "releases": releases}


def _schema_versions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def _known_schema(source: Path, version: str | None) -> str:
    if version is None:
        raise PlanError("", f"{source} {_NOT_OURS} (it has no schema version)")
    if version not in _schema_versions():
        raise PlanError(
            "", f"{source} has schema version {version!r}, which this planner does not know (made by a newer version?)"
        )
    return version


#: Each kind of backup: how its file begins, what to say when it is given to the other kind of
#: database, and what else it is not.
_BACKUP_FORMATS = {
    "sqlite": (b"SQLite format 3\x00", "is an SQLite backup; restore it into an SQLite database", "not an SQLite database"),
    "postgresql": (b"PGDMP", "is a PostgreSQL backup (pg_dump); restore it into a PostgreSQL database", "not a pg_dump archive"),
}


def _expect_format(source: Path, wanted: str) -> None:
    """PlanError unless `source` begins like a backup of the `wanted` database."""
    with open(source, "rb") as file:
        head = file.read(16)
    for kind, (magic, elsewhere, _) in _BACKUP_FORMATS.items():
        if kind != wanted and head.startswith(magic):
            raise PlanError("", f"{source} {elsewhere}")
    magic, _, other = _BACKUP_FORMATS[wanted]
    if not head.startswith(magic):
        raise PlanError("", f"{source} {_NOT_OURS} ({other})")


def _checked_pg_dump(source: Path) -> dict:
    """Check a pg_dump backup (custom format) with `pg_restore --list`: an archive holding our
    schema. Returns ``{"schema": version}``."""
    _expect_format(source, "postgresql")
    contents = _run_pg_tool(["pg_restore", "--list", str(source)], damaged=source)
    if " TABLE DATA public alembic_version " not in contents:
        raise PlanError("", f"{source} {_NOT_OURS} (it has no schema version)")
    data = _run_pg_tool(
        ["pg_restore", "--data-only", "--table=alembic_version", "--file=-", str(source)], damaged=source
    ).splitlines()
    copied = [i for i, line in enumerate(data) if line.startswith("COPY ") and "alembic_version" in line]
    version = data[copied[0] + 1].strip() if copied and copied[0] + 1 < len(data) else None
    return {"schema": _known_schema(source, None if version in (None, "\\.") else version)}


def _run_pg_tool(arguments: list[str], *, damaged: Path | None = None, password: str | None = None) -> str:
    """Run pg_dump or pg_restore; its last line of complaint becomes a PlanError."""
    env = {**os.environ, "PGPASSWORD": password} if password else None
    try:
        done = subprocess.run(arguments, check=True, capture_output=True, text=True, env=env)
    except FileNotFoundError:
        raise PlanError("", f"{arguments[0]} is not installed; install the PostgreSQL client tools") from None
    except subprocess.CalledProcessError as error:
        lines = (error.stderr or "").strip().splitlines()
        reason = lines[-1] if lines else f"exit status {error.returncode}"
        if damaged is not None:
            raise PlanError("", f"{damaged} {_NOT_OURS} or is damaged: {reason}") from None
        raise PlanError("", f"{arguments[0]} failed: {reason}") from None
    return done.stdout


def _sync_folder(folder: Path) -> None:
    """Make a rename in `folder` survive a power cut (where the system allows)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:  # Windows cannot open folders
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
