"""The export commands: ``export-ics``, ``export-table``, ``export-map`` and ``export-timeline``."""

from __future__ import annotations

import argparse

from planner.cli.output import write_or_print, write_private
from planner.cli.parsing import EXIT_OK
from planner.cli.store import open_store
from planner.errors import PlanError
from planner.plan.reading import load_plan


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register the four export commands."""
    _add_export_ics(commands)
    _add_export_table(commands)
    _add_export_map(commands)
    _add_export_timeline(commands)


def _add_export_ics(commands: argparse._SubParsersAction) -> None:
    export = commands.add_parser(
        "export-ics",
        help="write one calendar (.ics) of a delegation, person, venue, the public programme or all",
        description="Write one iCalendar feed. From a plan file, or without PLAN from the database: "
        "delegation and public feeds from the latest release, the others from the draft.",
    )
    _selection_arguments(export)
    export.add_argument("-o", "--output", metavar="FILE", help="file to write (default: standard output)")
    export.set_defaults(run=_export_ics)


def _add_export_table(commands: argparse._SubParsersAction) -> None:
    table = commands.add_parser(
        "export-table",
        help="write the same selection as a spreadsheet (CSV or Excel), safe to open",
        description="Write the events of a delegation, person, venue, the public programme or all as a CSV or "
        "Excel table in local time. Text that a spreadsheet would run as a formula (=, +, -, @ ...) is "
        "neutralised. From a plan file, or without PLAN from the database like export-ics.",
    )
    _selection_arguments(table)
    table.add_argument("--format", choices=("csv", "xlsx"), help="default: from the file name, else csv")
    table.add_argument("-o", "--output", metavar="FILE", help="file to write (default: standard output)")
    table.set_defaults(run=_export_table)


def _selection_arguments(export: argparse.ArgumentParser) -> None:
    export.add_argument("plan", metavar="PLAN", nargs="?", help="plan file (default: the database)")
    which = export.add_mutually_exclusive_group(required=True)
    which.add_argument("--delegation", metavar="ID")
    which.add_argument("--person", metavar="ID")
    which.add_argument("--venue", metavar="ID")
    which.add_argument("--public", action="store_true", help="public events only")
    which.add_argument("--all", action="store_true", help="every event, with internal details")
    export.add_argument("--lang", choices=("en", "de"), default="en")
    export.add_argument("--db", metavar="URL", help="database URL when no PLAN is given")


def _selection(args: argparse.Namespace):
    """(plan, feed, last-modified instants or None) for the --delegation/--person/... options:
    from the plan file, or from the database (guests' and public selections from the latest
    release, the others from the draft)."""
    from planner.exports.ics import feeds_for

    modified = None
    if args.plan:
        plan = load_plan(args.plan)
    else:
        store = open_store(args)
        guests = args.delegation is not None or args.public
        plan = store.release_plan() if guests else store.load_plan()
        modified = store.last_modified()
    feed = feeds_for(
        plan,
        delegation=args.delegation,
        person=args.person,
        venue=args.venue,
        public=args.public,
        everything=args.all,
        lang=args.lang,
    )
    return plan, feed, modified


def _export_ics(args: argparse.Namespace) -> int:
    from planner.exports.ics import render

    plan, feed, modified = _selection(args)
    write_or_print(args.output, render(plan, feed, args.lang, modified=modified))
    return EXIT_OK


def _export_table(args: argparse.Namespace) -> int:
    from planner.exports.tables import export_table

    file_format = args.format or ("xlsx" if (args.output or "").lower().endswith(".xlsx") else "csv")
    plan, feed, _ = _selection(args)
    write_or_print(args.output, export_table(plan, feed, file_format, args.lang))
    return EXIT_OK


def _add_export_map(commands: argparse._SubParsersAction) -> None:
    export = commands.add_parser(
        "export-map",
        help="write a map page (HTML) that works without internet",
        description="Write one HTML page with the map: all venues (conflicts in red), or with --delegation a "
        "delegation's day as a route. It needs no network at all.",
    )
    export.add_argument("plan", metavar="PLAN", help="plan file")
    which = export.add_mutually_exclusive_group()
    which.add_argument("--delegation", metavar="ID", help="the delegation's day as a route")
    which.add_argument("--festival", metavar="YYYY-MM-DDTHH:MM", help="the stages at this moment")
    export.add_argument("--day", metavar="YYYY-MM-DD", help="which day (default: the delegation's first day)")
    export.add_argument("-o", "--output", metavar="FILE.html", required=True)
    export.set_defaults(run=_export_map)


def _export_map(args: argparse.Namespace) -> int:
    from planner.exports.maps import standalone_html

    plan = load_plan(args.plan)
    deck, title = _map_and_title(plan, args)
    write_private(args.output, standalone_html(deck, title).encode("utf-8"))
    return EXIT_OK


def _map_and_title(plan, args: argparse.Namespace):
    """(pydeck deck, page title) of the map that --festival, --delegation or neither asks for."""
    from planner.exports.maps import conflicts_map, delegation_day_map, festival_map, first_day
    from planner.plan.clock import WallClock, parse_date, zone_named
    from planner.rules.engine import check

    if args.festival:
        moment = WallClock(zone_named(plan.timezone, "timezone")).parse(args.festival, "--festival")
        return festival_map(plan, moment), f"{plan.name} – {args.festival}"
    if args.delegation:
        if args.delegation not in plan.delegations:
            raise PlanError("", f"unknown delegation {args.delegation!r}")
        day = parse_date(args.day, "--day") if args.day else first_day(plan, args.delegation)
        title = f"{plan.name} – {plan.delegations[args.delegation].city} – {day:%d.%m.%Y}"
        return delegation_day_map(plan, args.delegation, day), title
    conflicts = check(plan)
    if args.day:
        conflicts = _conflicts_on(plan, conflicts, parse_date(args.day, "--day"))
    return conflicts_map(plan, conflicts), plan.name


def _conflicts_on(plan, conflicts, day):
    """The conflicts with at least one event starting on `day` (the plan's local date)."""
    from planner.plan.clock import WallClock, zone_named

    clock = WallClock(zone_named(plan.timezone, "timezone"))
    events = {e.id: e for e in plan.events}
    return [c for c in conflicts if any(clock.local_date(events[i].start) == day for i in c.events)]


def _add_export_timeline(commands: argparse._SubParsersAction) -> None:
    export = commands.add_parser(
        "export-timeline",
        help="write a timeline page (HTML, works offline): by venue, delegation or person",
        description="Write a Gantt timeline of the plan as one HTML page with plotly inlined; conflicting "
        "events are outlined in red with the conflict on hover. --hours PERSON draws booked hours per day instead.",
    )
    export.add_argument("plan", metavar="PLAN", help="plan file")
    export.add_argument("--by", choices=("venue", "delegation", "person"), default="venue")
    export.add_argument("--day", metavar="YYYY-MM-DD", help="one day (default: the whole plan)")
    export.add_argument("--hours", metavar="PERSON", help="a person's booked hours per day")
    export.add_argument("--lang", choices=("en", "de"), default="en")
    export.add_argument("-o", "--output", metavar="FILE.html", required=True)
    export.set_defaults(run=_export_timeline)


def _export_timeline(args: argparse.Namespace) -> int:
    from planner.exports.timelines import hours_figure, timeline_figure
    from planner.plan.clock import parse_date
    from planner.rules.engine import check

    plan = load_plan(args.plan)
    if args.hours:
        figure = hours_figure(plan, args.hours)
    else:
        day = parse_date(args.day, "--day") if args.day else None
        figure = timeline_figure(plan, args.by, day, check(plan), args.lang)
    page = figure.to_html(include_plotlyjs=True, full_html=True)
    write_private(args.output, page.encode("utf-8"))
    return EXIT_OK
