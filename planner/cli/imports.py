"""The ``import-ics`` command: someone's own calendar as busy time in the plan."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC

from planner.cli.output import private_files
from planner.cli.parsing import EXIT_OK
from planner.cli.store import open_store
from planner.plan.reading import load_plan


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register ``import-ics``."""
    imports = commands.add_parser(
        "import-ics",
        help="turn someone's own calendar (.ics from Outlook, Google, Apple) into busy time",
        description="Read busy time of one person from an exported calendar into 'unavailable' events, "
        "replacing that person's earlier import. Into the database draft, or with --plan into a plan file.",
    )
    imports.add_argument("file", metavar="FILE", help="the exported calendar (.ics)")
    imports.add_argument("--person", metavar="ID", required=True)
    imports.add_argument("--plan", metavar="PLAN", help="read this plan file instead of the database")
    imports.add_argument("-o", "--output", metavar="FILE", help="with --plan: write the result here (default: stdout)")
    imports.add_argument("--from", dest="since", metavar="YYYY-MM-DD", help="first day (default: a month before the plan)")
    imports.add_argument("--to", dest="until", metavar="YYYY-MM-DD", help="last day (default: a month after the plan)")
    imports.add_argument("--db", metavar="URL")
    imports.add_argument("--user", help="your name in the audit log")
    imports.set_defaults(run=_import_ics)


def _import_ics(args: argparse.Namespace) -> int:
    from planner.imports.busy_time import busy_events, with_busy_time
    from planner.plan.reading import read_bytes
    from planner.plan.writing import dump_plan, save_plan

    data = read_bytes(args.file)
    store = None
    if args.plan:
        plan = load_plan(args.plan)
    else:
        store = open_store(args)
        plan = store.load_plan()
    start, end = _busy_span(plan, args.since, args.until)
    busy = busy_events(data, plan, args.person, start, end, source=args.file)
    if store is not None:
        removed = store.replace_busy_time(args.person, busy, user=args.user)
        print(
            f"{len(busy)} busy blocks of {args.person} imported into the draft ({removed} earlier ones replaced)", file=sys.stderr
        )
        return EXIT_OK
    result = with_busy_time(plan, args.person, busy)
    if args.output:
        with private_files():
            save_plan(result, args.output)
        print(f"{len(busy)} busy blocks of {args.person} written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(dump_plan(result))
    return EXIT_OK


def _busy_span(plan, since: str | None, until: str | None):
    """(start, end) in UTC of the calendar to read: from a day before --from to the end of the day
    after --to (slack for time zones), else the plan's default span."""
    from datetime import datetime, time, timedelta

    from planner.imports.busy_time import default_span
    from planner.plan.clock import parse_date

    start, end = default_span(plan)
    if since:
        start = datetime.combine(parse_date(since, "--from"), time(0), UTC) - timedelta(days=1)
    if until:
        end = datetime.combine(parse_date(until, "--to"), time(0), UTC) + timedelta(days=2)
    return start, end
