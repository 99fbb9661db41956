"""The ``db`` commands: import, export, backup, restore, releases, changes and the audit log."""

from __future__ import annotations

import argparse
import json
import sys

from planner.cli.output import private_files
from planner.cli.parsing import EXIT_OK, CommandParser
from planner.cli.store import open_store
from planner.errors import PlanError
from planner.plan.reading import load_plan


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register ``db`` and its actions."""
    db = commands.add_parser(
        "db",
        help="the plan database: import, export, backup, releases, changes",
        description="The plan database (PLANNER_DB_URL, default an SQLite file in your user data folder).",
    )
    db.add_argument("--db", metavar="URL", help="database URL (default: PLANNER_DB_URL or the SQLite file)")
    db.add_argument("--user", help="your name in the audit log (default: your login name)")
    actions = db.add_subparsers(dest="action", required=True, parser_class=CommandParser)

    imports = actions.add_parser("import", help="make a plan file the draft (all or nothing)")
    imports.add_argument("plan", metavar="PLAN")
    imports.add_argument("--replace", action="store_true", help="replace the plan the database holds")
    imports.set_defaults(run=_db_import)

    export = actions.add_parser("export", help="write the draft as a plan file")
    export.add_argument("-o", "--output", metavar="FILE", help="file to write (default: standard output)")
    export.add_argument("--release", type=int, metavar="N", help="export release N instead of the draft")
    export.set_defaults(run=_db_export)

    backup = actions.add_parser("backup", help="a consistent copy of the whole database, while the app runs")
    backup.add_argument("file", metavar="FILE")
    backup.set_defaults(run=_db_backup)

    restore = actions.add_parser(
        "restore",
        help="replace the whole database with a backup (checked first; all or nothing)",
        description="Replace the whole database (plan, releases, audit log, accounts, links) with a backup made by "
        "'db backup'. The backup is checked first; a bad file changes nothing. Stop the app before restoring.",
    )
    restore.add_argument("file", metavar="BACKUP")
    restore.add_argument("--check", action="store_true", help="only check the backup and say what it holds")
    restore.add_argument("--yes", action="store_true", help="really replace everything the database holds")
    restore.set_defaults(run=_db_restore)

    publish = actions.add_parser("publish", help="freeze the draft as the next release")
    publish.add_argument("-m", "--comment", default="", help="what this release is about")
    publish.set_defaults(run=_db_publish)

    releases = actions.add_parser("releases", help="list the releases")
    releases.set_defaults(run=_db_releases)

    changes = actions.add_parser("changes", help="new, moved, cancelled and removed events between releases")
    changes.add_argument("--since", type=int, metavar="N", help="from release N (default: the one before the latest)")
    changes.add_argument("--draft", action="store_true", help="up to the unpublished draft instead of the latest release")
    changes.add_argument("--format", choices=("text", "json"), default="text")
    changes.add_argument("--lang", choices=("en", "de"), default="en")
    changes.set_defaults(run=_db_changes)

    audit = actions.add_parser("audit", help="who changed what and when")
    audit.add_argument("--event", metavar="ID", help="only this event")
    audit.add_argument("--limit", type=int, default=50)
    audit.set_defaults(run=_db_audit)

    reset = actions.add_parser("reset", help="delete everything; refill with the sample plan unless --empty")
    reset.add_argument("--empty", action="store_true")
    reset.add_argument("--yes", action="store_true", help="really delete the plan, releases and audit log")
    reset.set_defaults(run=_db_reset)


def _db_import(args: argparse.Namespace) -> int:
    plan = load_plan(args.plan)  # validated before the database is touched
    store = open_store(args, fill_new=False)
    store.import_plan(plan, replace_existing=args.replace, user=args.user)
    print(
        f"imported {args.plan}: {len(plan.venues)} venues, {len(plan.people)} people, "
        f"{len(plan.delegations)} delegations, {len(plan.events)} events",
        file=sys.stderr,
    )
    return EXIT_OK


def _db_export(args: argparse.Namespace) -> int:
    from planner.plan.writing import dump_plan, save_plan

    store = open_store(args)
    plan = store.load_plan() if args.release is None else store.release_plan(args.release)
    if args.output:
        with private_files():
            save_plan(plan, args.output)
    else:
        sys.stdout.write(dump_plan(plan))
    return EXIT_OK


def _db_backup(args: argparse.Namespace) -> int:
    open_store(args).backup(args.file)
    print(f"backup written to {args.file}", file=sys.stderr)
    return EXIT_OK


def _db_restore(args: argparse.Namespace) -> int:
    if not (args.yes or args.check):
        raise PlanError(
            "",
            "restore replaces the plan, all releases, the audit log and the accounts with the "
            "backup's; add --yes to do it (or --check to only check the backup)",
        )
    store = open_store(args, fill_new=False)
    if args.check:
        print(f"{args.file} is a sound backup: {_backup_contents(store.check_backup(args.file))}")
        return EXIT_OK
    summary = store.restore(args.file, user=args.user)
    print(f"restored {args.file}: {_backup_contents(summary)}", file=sys.stderr)
    return EXIT_OK


def _backup_contents(summary: dict) -> str:
    """What a backup holds, from the summary the store's check_backup() or restore() returns."""
    if "events" in summary:
        held = (
            f"plan {summary['name']!r} with {summary['venues']} venues, {summary['people']} people, "
            f"{summary['delegations']} delegations, {summary['events']} events"
        )
    elif "releases" in summary:
        held = "no plan"
    else:
        return f"schema {summary['schema']}"
    return f"{held}; {summary['releases']} releases; schema {summary['schema']}"


def _db_publish(args: argparse.Namespace) -> int:
    number = open_store(args).publish(args.comment, user=args.user)
    print(f"published release {number}")
    return EXIT_OK


def _db_releases(args: argparse.Namespace) -> int:
    releases = open_store(args).releases()
    if not releases:
        print("nothing has been published yet")
    for release in releases:
        print(f"{release.number:>4}  {release.created_at:%Y-%m-%d %H:%M} UTC  {release.created_by}  {release.comment}")
    return EXIT_OK


def _db_changes(args: argparse.Namespace) -> int:
    from planner.exports.change_notices import change_record, describe_change

    store = open_store(args)
    changes = store.changes(since=args.since, until="draft" if args.draft else None)
    plan = store.load_plan()
    if args.format == "json":
        sys.stdout.write(json.dumps([change_record(c, plan) for c in changes], ensure_ascii=False, indent=2) + "\n")
    else:
        if not changes:
            print("Keine Änderungen." if args.lang == "de" else "No changes.")
        for change in changes:
            print(describe_change(change, plan, args.lang))
    return EXIT_OK


def _db_audit(args: argparse.Namespace) -> int:
    entries = open_store(args).audit("event" if args.event else None, args.event, args.limit)
    for entry in entries:
        target = f"{entry.entity} {entry.entity_id}".strip()
        print(f"{entry.at:%Y-%m-%d %H:%M:%S} UTC  {entry.user}  {entry.action}  {target}")
        for key, before, after in _changed_fields(entry):
            print(f"      {key}: {before!r} → {after!r}")
    return EXIT_OK


def _changed_fields(entry) -> list[tuple[str, object, object]]:
    """(field, before, after) for each field an audit entry changed, by name; none unless it has both sides."""
    if not (entry.before and entry.after):
        return []
    keys = sorted(set(entry.before) | set(entry.after))
    return [(key, entry.before.get(key), entry.after.get(key)) for key in keys if entry.before.get(key) != entry.after.get(key)]


def _db_reset(args: argparse.Namespace) -> int:
    if not args.yes:
        raise PlanError("", "reset deletes the plan, all releases and the audit log; add --yes to do it")
    open_store(args, fill_new=False).reset(empty=args.empty, user=args.user)
    print("the database is empty" if args.empty else "the database holds the sample plan again", file=sys.stderr)
    return EXIT_OK
