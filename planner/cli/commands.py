"""The command line: ``python -m planner check PLAN [--format text|json] [--lang en|de]``."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator, Sequence

import json

from planner.errors import PlanError
from planner.plan.reading import load_plan
from planner.rules.report import check_file, check_json, check_text

EXIT_OK, EXIT_ERRORS, EXIT_INVALID = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line on stderr and exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_INVALID, f"{self.prog}: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m planner", description="DORTBUNT! planner on the command line.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    check = commands.add_parser(
        "check",
        help="validate a plan and list all conflicts",
        description="Validate a dortbunt-plan/1 file and print all conflicts. "
        "Exit 0: no errors; 1: errors found; 2: invalid input.",
    )
    check.add_argument("plan", metavar="PLAN", help="plan file (dortbunt-plan/1 JSON)")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--lang", choices=("en", "de"), default="en", help="language of messages")
    check.set_defaults(run=_check)
    _add_export_ics(commands)
    _add_export_map(commands)
    _add_export_timeline(commands)
    _add_feed_commands(commands)
    _add_import_ics(commands)
    _add_db_commands(commands)
    _add_user_commands(commands)
    _add_slots(commands)
    _add_schedule(commands)
    return parser


def _add_schedule(commands: argparse._SubParsersAction) -> None:
    schedule = commands.add_parser(
        "schedule",
        help="place requested items conflict-free, or repair a plan with minimal change",
        description="Place the requests of a dortbunt-requests/1 file among the plan's events so that no "
        "error conflict, travel-time or changeover warning involves them, and write the plan with them "
        "(as tentative events) to OUT. With --repair instead: remove every error conflict by moving as "
        "few events as possible, never a pinned one. Exit 0: written; 1: not possible (with the reasons); "
        "2: invalid input.",
    )
    schedule.add_argument("plan", metavar="PLAN", help="plan file (dortbunt-plan/1 JSON)")
    schedule.add_argument("requests", metavar="REQUESTS", nargs="?", help="requests file (dortbunt-requests/1 JSON)")
    schedule.add_argument("-o", "--output", required=True, metavar="OUT", help="where to write the new plan")
    schedule.add_argument("--repair", action="store_true", help="move events to remove error conflicts")
    schedule.add_argument("--time-limit", type=float, default=10.0, metavar="SECONDS",
                          help="stop searching after this long and keep the best found (default 10)")
    schedule.add_argument("--work-limit", type=float, default=3.0, metavar="UNITS",
                          help="stop after this much search work (CP-SAT's deterministic time, default 3); "
                          "unlike the time limit it gives the same plan on every run")
    schedule.add_argument("--seed", type=int, default=0, help="random seed; the same input and seed give the same plan")
    schedule.add_argument("--workers", type=int, default=2, help="parallel search workers (default 2)")
    schedule.add_argument("--step", type=int, default=5, metavar="MINUTES",
                          help="start times on this grid of minutes (default 5)")
    schedule.add_argument("--max-shift", type=int, default=720, metavar="MINUTES",
                          help="--repair: move an event by at most this much (default 720)")
    schedule.add_argument("--format", choices=("text", "json"), default="text")
    schedule.add_argument("--lang", choices=("en", "de"), default="en", help="language of messages")
    schedule.set_defaults(run=_schedule)


def _schedule(args: argparse.Namespace) -> int:
    from planner.scheduling.placement import run_repair, run_schedule

    if args.repair and args.requests:
        raise PlanError("REQUESTS", "--repair works on the plan alone; leave out the requests file")
    if not args.repair and not args.requests:
        raise PlanError("REQUESTS", "name a requests file (dortbunt-requests/1), or use --repair")
    if not 0 < args.time_limit <= 24 * 3600:
        raise PlanError("--time-limit", "must be between 0 and 86400 seconds")
    if not 0 < args.work_limit <= 1e6:
        raise PlanError("--work-limit", "must be a positive number")
    if not 1 <= args.workers <= 64:
        raise PlanError("--workers", "must be between 1 and 64")
    if not 1 <= args.step <= 60:
        raise PlanError("--step", "must be between 1 and 60 minutes")
    if not 0 <= args.max_shift <= 7 * 24 * 60:
        raise PlanError("--max-shift", "must be between 0 and 10080 minutes")
    plan = load_plan(args.plan)
    options = {"time_limit": args.time_limit, "work_limit": args.work_limit, "seed": args.seed,
               "workers": args.workers, "step": args.step}
    with _private_files():  # the new plan is written inside run_*
        if args.repair:
            report = run_repair(plan, args.output, lang=args.lang, max_minutes=args.max_shift, **options)
        else:
            report = run_schedule(plan, args.requests, args.output, lang=args.lang, **options)
    if args.format == "json":
        sys.stdout.write(json.dumps(report.document, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write("".join(f"{line}\n" for line in report.lines))
    for line in report.problems:
        print(line, file=sys.stderr)
    return EXIT_OK if report.ok else EXIT_ERRORS


def _add_slots(commands: argparse._SubParsersAction) -> None:
    slots = commands.add_parser(
        "slots", help="suggest free times for one appointment",
        description="The best free times for one appointment: no error conflict, earliest first, then least "
        "travel, then fewest warnings; each with the reason it is free. Times are the plan's local time.")
    slots.add_argument("plan", metavar="PLAN", nargs="?", help="plan file (default: the database's draft)")
    slots.add_argument("--db", metavar="URL", help="database URL when no PLAN is given")
    slots.add_argument("--duration", type=int, required=True, metavar="MINUTES")
    slots.add_argument("--window", action="append", required=True, metavar="FROM/TO",
                       help="when it may take place, e.g. 2027-05-07T09:00/2027-05-07T12:00 (repeatable)")
    slots.add_argument("--venue", action="append", required=True, metavar="ID", help="a candidate venue (repeatable)")
    slots.add_argument("--delegation", action="append", default=[], metavar="ID")
    slots.add_argument("--person", action="append", default=[], metavar="ID", help="someone who must attend")
    slots.add_argument("--one-of", action="append", default=[], metavar="ID,ID,...",
                       help="one of these people must attend, e.g. ob,dep-becker (repeatable)")
    slots.add_argument("--kind", default="meeting")
    slots.add_argument("--title", default="New appointment")
    slots.add_argument("-k", type=int, default=5, help="how many suggestions (default 5)")
    slots.add_argument("--format", choices=("text", "json"), default="text")
    slots.add_argument("--lang", choices=("en", "de"), default="en")
    slots.set_defaults(run=_slots)


def _slots(args: argparse.Namespace) -> int:
    import json
    from datetime import timedelta

    from planner.plan.clock import WallClock, zone_named
    from planner.language.dates import clock_time, moment
    from planner.plan.writing import format_instant
    from planner.rules.messages import Describer
    from planner.scheduling.free_slots import Want, free_slots

    plan = load_plan(args.plan) if args.plan else _store(args).load_plan()
    wall = WallClock(zone_named(plan.timezone, "timezone"))
    windows = []
    for number, text in enumerate(args.window):
        begins, slash, ends = text.partition("/")
        if not slash:
            raise PlanError(f"--window[{number}]", f"expected FROM/TO such as 2027-05-07T09:00/2027-05-07T12:00, got {text!r}")
        windows.append((wall.parse(begins, f"--window[{number}] from"), wall.parse(ends, f"--window[{number}] to")))
    if not 1 <= args.k <= 100:
        raise PlanError("-k", f"expected 1 to 100 suggestions, got {args.k}")
    want = Want(args.title, args.kind, timedelta(minutes=args.duration), tuple(windows), tuple(args.venue),
                tuple(args.delegation), tuple(args.person),
                tuple(tuple(p for p in group.split(",") if p) for group in args.one_of))
    found = free_slots(plan, want, args.k, args.lang)
    describer = Describer(plan, args.lang)
    if args.format == "json":
        print(json.dumps([{"start": format_instant(s.start, wall), "end": format_instant(s.end, wall), "venue": s.venue,
                           "people": list(s.people), "travel_minutes": round(s.travel_minutes, 1),
                           "warnings": [describer.describe(c) for c in s.warnings], "reason": s.reason}
                          for s in found], ensure_ascii=False, indent=1))
    else:
        zone = zone_named(plan.timezone, "timezone")
        for number, s in enumerate(found, 1):
            people = ", ".join(plan.people[p].name for p in s.people)
            print(f"{number}. {moment(s.start, zone, args.lang)}–{clock_time(s.end, zone, args.lang)} "
                  f"{plan.venues[s.venue].name}" + (f" with {people}" if people else "") + f": free {s.reason}")
            for conflict in s.warnings:
                print(f"   warning: {describer.describe(conflict)}")
        if not found:
            print("no free time in the windows given", file=sys.stderr)
    return EXIT_OK if found else EXIT_ERRORS


def _add_user_commands(commands: argparse._SubParsersAction) -> None:
    users = commands.add_parser("user", help="local accounts of the app",
                                description="Local accounts (admin, protocol, organiser, viewer).")
    users.add_argument("--db", metavar="URL", help="database URL (default: PLANNER_DB_URL or the SQLite file)")
    actions = users.add_subparsers(dest="action", required=True, parser_class=_Parser)
    add = actions.add_parser("add", help="a new account; the password is asked for (or read from stdin)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=("admin", "protocol", "organiser", "viewer"))
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(run=_user_add)
    listing = actions.add_parser("list", help="all accounts")
    listing.set_defaults(run=_user_list)
    change = actions.add_parser("set", help="another role and/or a new password (asked for with --password)")
    change.add_argument("name")
    change.add_argument("--role", choices=("admin", "protocol", "organiser", "viewer"))
    change.add_argument("--password", action="store_true", help="set a new password (asked for, or read from stdin)")
    change.set_defaults(run=_user_set)
    remove = actions.add_parser("remove", help="delete an account")
    remove.add_argument("name")
    remove.set_defaults(run=_user_remove)


def _ask_password(name: str, from_stdin: bool) -> str:
    import getpass
    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass(f"password for {name}: ")
    if getpass.getpass("again: ") != password:
        raise PlanError("password", "the two entries differ")
    return password


def _user_add(args: argparse.Namespace) -> int:
    password = _ask_password(args.name, args.password_stdin)
    _store(args).add_user(args.name, args.role, password)
    print(f"account {args.name} ({args.role}) created", file=sys.stderr)
    return EXIT_OK


def _user_set(args: argparse.Namespace) -> int:
    password = _ask_password(args.name, False) if args.password else None
    _store(args).update_user(args.name, role=args.role, password=password)
    print(f"account {args.name} changed", file=sys.stderr)
    return EXIT_OK


def _user_list(args: argparse.Namespace) -> int:
    for name, role in _store(args).users():
        print(f"{name}\t{role}")
    return EXIT_OK


def _user_remove(args: argparse.Namespace) -> int:
    _store(args).remove_user(args.name)
    print(f"account {args.name} removed", file=sys.stderr)
    return EXIT_OK


def _add_import_ics(commands: argparse._SubParsersAction) -> None:
    imports = commands.add_parser(
        "import-ics", help="turn someone's own calendar (.ics from Outlook, Google, Apple) into busy time",
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
    from datetime import datetime, time, timedelta, timezone

    from planner.imports.busy_time import busy_events, default_span, with_busy_time
    from planner.plan.clock import parse_date
    from planner.plan.reading import read_bytes
    from planner.plan.writing import dump_plan, save_plan

    data = read_bytes(args.file)
    store = None
    if args.plan:
        plan = load_plan(args.plan)
    else:
        store = _store(args)
        plan = store.load_plan()
    start, end = default_span(plan)
    if args.since:
        start = datetime.combine(parse_date(args.since, "--from"), time(0), timezone.utc) - timedelta(days=1)
    if args.until:
        end = datetime.combine(parse_date(args.until, "--to"), time(0), timezone.utc) + timedelta(days=2)
    busy = busy_events(data, plan, args.person, start, end, source=args.file)
    if store is not None:
        removed = store.replace_busy_time(args.person, busy, user=args.user)
        print(f"{len(busy)} busy blocks of {args.person} imported into the draft ({removed} earlier ones replaced)",
              file=sys.stderr)
        return EXIT_OK
    result = with_busy_time(plan, args.person, busy)
    if args.output:
        with _private_files():
            save_plan(result, args.output)
        print(f"{len(busy)} busy blocks of {args.person} written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(dump_plan(result))
    return EXIT_OK


def _add_export_map(commands: argparse._SubParsersAction) -> None:
    export = commands.add_parser(
        "export-map", help="write a map page (HTML) that works without internet",
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
    from planner.plan.clock import WallClock, parse_date, zone_named
    from planner.rules.engine import check
    from planner.exports.maps import conflicts_map, delegation_day_map, festival_map, first_day, standalone_html

    plan = load_plan(args.plan)
    if args.festival:
        moment = WallClock(zone_named(plan.timezone, "timezone")).parse(args.festival, "--festival")
        deck, title = festival_map(plan, moment), f"{plan.name} – {args.festival}"
    elif args.delegation:
        if args.delegation not in plan.delegations:
            raise PlanError("", f"unknown delegation {args.delegation!r}")
        day = parse_date(args.day, "--day") if args.day else first_day(plan, args.delegation)
        deck = delegation_day_map(plan, args.delegation, day)
        title = f"{plan.name} – {plan.delegations[args.delegation].city} – {day:%d.%m.%Y}"
    else:
        conflicts = check(plan)
        if args.day:
            day = parse_date(args.day, "--day")
            clock = WallClock(zone_named(plan.timezone, "timezone"))
            events = {e.id: e for e in plan.events}
            conflicts = [c for c in conflicts if any(clock.local_date(events[i].start) == day for i in c.events)]
        deck, title = conflicts_map(plan, conflicts), plan.name
    _write_atomically(args.output, standalone_html(deck, title).encode("utf-8"))
    return EXIT_OK


def _add_export_timeline(commands: argparse._SubParsersAction) -> None:
    export = commands.add_parser(
        "export-timeline", help="write a timeline page (HTML, works offline): by venue, delegation or person",
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
    from planner.plan.clock import parse_date
    from planner.rules.engine import check
    from planner.exports.timelines import hours_figure, timeline_figure

    plan = load_plan(args.plan)
    if args.hours:
        figure = hours_figure(plan, args.hours)
    else:
        day = parse_date(args.day, "--day") if args.day else None
        figure = timeline_figure(plan, args.by, day, check(plan), args.lang)
    page = figure.to_html(include_plotlyjs=True, full_html=True)
    _write_atomically(args.output, page.encode("utf-8"))
    return EXIT_OK


def _add_feed_commands(commands: argparse._SubParsersAction) -> None:
    feeds = commands.add_parser("feeds", help="secret calendar links for delegations and people",
                                description="Subscribable calendar links, served by 'streamlit run app.py' under /feeds/.")
    feeds.add_argument("--db", metavar="URL", help="database URL (default: PLANNER_DB_URL or the SQLite file)")
    feeds.add_argument("--user", help="your name in the audit log")
    actions = feeds.add_subparsers(dest="action", required=True, parser_class=_Parser)
    create = actions.add_parser("create", help="a new secret link (shown once)")
    who = create.add_mutually_exclusive_group(required=True)
    who.add_argument("--delegation", metavar="ID")
    who.add_argument("--person", metavar="ID")
    who.add_argument("--guest", metavar="DELEGATION",
                     help="a guest link: the delegation's page in the app (?g=TOKEN) and its feed")
    create.add_argument("--days", type=int, metavar="N", help="the link stops working after N days (default: never)")
    create.add_argument("--base-url", default="http://localhost:8501",
                        help="where the app is reached (default: http://localhost:8501)")
    create.set_defaults(run=_feeds_create)
    listing = actions.add_parser("list", help="all links (without their secrets)")
    listing.set_defaults(run=_feeds_list)
    revoke = actions.add_parser("revoke", help="make a link answer 404 from now on")
    revoke.add_argument("number", type=int)
    revoke.set_defaults(run=_feeds_revoke)


def check_base_url(base_url: str) -> str:
    """The app's address as given, if it is an http(s) URL with a host."""
    from urllib.parse import urlsplit

    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise PlanError("--base-url", f"expected the app's address such as https://planner.example.org, got {base_url!r}")
    return base_url


def feed_urls(base_url: str, token: str) -> tuple[str, str]:
    """The https/http URL of a feed and its webcal:// twin (calendar apps subscribe to that)."""
    url = f"{check_base_url(base_url).rstrip('/')}/feeds/{token}.ics"
    return url, "webcal://" + url.split("://", 1)[1]


def guest_url(base_url: str, token: str) -> str:
    """The address of a delegation's guest page."""
    return f"{check_base_url(base_url).rstrip('/')}/?g={token}"


def _feeds_create(args: argparse.Namespace) -> int:
    from datetime import datetime, timedelta, timezone

    kind, target = (("delegation", args.delegation) if args.delegation else
                    ("person", args.person) if args.person else ("guest", args.guest))
    check_base_url(args.base_url)  # before a token exists that nobody could use
    if args.days is not None and not 1 <= args.days <= 3660:
        raise PlanError("--days", f"expected 1 to 3660 days, got {args.days}")
    expires = None if args.days is None else datetime.now(timezone.utc) + timedelta(days=args.days)
    number, token = _store(args).create_feed_token(kind, target, expires=expires, user=args.user)
    url, webcal = feed_urls(args.base_url, token)
    print(f"link {number} for {kind} {target} (shown only now):")
    if kind == "guest":
        print(guest_url(args.base_url, token))
    print(url)
    print(webcal)
    return EXIT_OK


def _feeds_list(args: argparse.Namespace) -> int:
    for link in _store(args).feed_tokens():
        state = (f"revoked {link['revoked_at']:%Y-%m-%d %H:%M} UTC" if link["revoked_at"] else
                 f"expires {link['expires_at']:%Y-%m-%d %H:%M} UTC" if link["expires_at"] else "live")
        print(f"{link['number']:>4}  {link['kind']:<10} {link['target']:<20} {link['created_at']:%Y-%m-%d %H:%M} UTC  "
              f"{link['created_by']}  {state}")
    return EXIT_OK


def _feeds_revoke(args: argparse.Namespace) -> int:
    _store(args).revoke_feed_token(args.number, user=args.user)
    print(f"link {args.number} revoked")
    return EXIT_OK


def _add_export_ics(commands: argparse._SubParsersAction) -> None:
    export = commands.add_parser(
        "export-ics", help="write one calendar (.ics) of a delegation, person, venue, the public programme or all",
        description="Write one iCalendar feed. From a plan file, or without PLAN from the database: "
        "delegation and public feeds from the latest release, the others from the draft.",
    )
    _selection_arguments(export)
    export.add_argument("-o", "--output", metavar="FILE", help="file to write (default: standard output)")
    export.set_defaults(run=_export_ics)
    table = commands.add_parser(
        "export-table", help="write the same selection as a spreadsheet (CSV or Excel), safe to open",
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
        store = _store(args)
        guests = args.delegation is not None or args.public
        plan = store.release_plan() if guests else store.load_plan()
        modified = store.last_modified()
    feed = feeds_for(plan, delegation=args.delegation, person=args.person, venue=args.venue,
                     public=args.public, everything=args.all, lang=args.lang)
    return plan, feed, modified


def _export_table(args: argparse.Namespace) -> int:
    from planner.exports.tables import export_table

    file_format = args.format or ("xlsx" if (args.output or "").lower().endswith(".xlsx") else "csv")
    plan, feed, _ = _selection(args)
    _write_or_print(args.output, export_table(plan, feed, file_format, args.lang))
    return EXIT_OK


def _export_ics(args: argparse.Namespace) -> int:
    from planner.exports.ics import render

    plan, feed, modified = _selection(args)
    _write_or_print(args.output, render(plan, feed, args.lang, modified=modified))
    return EXIT_OK


def _write_or_print(output: str | None, data: bytes) -> None:
    if output:
        _write_atomically(output, data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


@contextlib.contextmanager
def _private_files() -> Iterator[None]:
    """Every file the command line writes (-o) holds internal data (phone numbers, notes, who
    does what): readable by the owner only, like the database. The writers (loading.write_atomically,
    save_plan) give a file the umask's permissions, from a temporary file that was private all
    along, so a umask of 077 around the write makes it 0600 from the moment it exists."""
    umask = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(umask)


def _write_atomically(path: str, data: bytes) -> None:
    from planner.plan.writing import write_atomically

    try:
        with _private_files():
            write_atomically(path, data)
    except FileNotFoundError:
        raise PlanError("", f"cannot write {path}: no such folder") from None


def _add_db_commands(commands: argparse._SubParsersAction) -> None:
    db = commands.add_parser(
        "db", help="the plan database: import, export, backup, releases, changes",
        description="The plan database (PLANNER_DB_URL, default an SQLite file in your user data folder).",
    )
    db.add_argument("--db", metavar="URL", help="database URL (default: PLANNER_DB_URL or the SQLite file)")
    db.add_argument("--user", help="your name in the audit log (default: your login name)")
    actions = db.add_subparsers(dest="action", required=True, parser_class=_Parser)

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
        "restore", help="replace the whole database with a backup (checked first; all or nothing)",
        description="Replace the whole database (plan, releases, audit log, accounts, links) with a backup made by "
        "'db backup'. The backup is checked first; a bad file changes nothing. Stop the app before restoring.")
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


def _store(args: argparse.Namespace, *, fill_new: bool = True):
    """The database of `--db` (or PLANNER_DB_URL, or the user's SQLite file)."""
    from planner.storage import PlanStore

    return PlanStore(args.db, fill_new=fill_new)


def _db_import(args: argparse.Namespace) -> int:
    plan = load_plan(args.plan)  # validated before the database is touched
    store = _store(args, fill_new=False)
    store.import_plan(plan, replace_existing=args.replace, user=args.user)
    print(f"imported {args.plan}: {len(plan.venues)} venues, {len(plan.people)} people, "
          f"{len(plan.delegations)} delegations, {len(plan.events)} events", file=sys.stderr)
    return EXIT_OK


def _db_export(args: argparse.Namespace) -> int:
    from planner.plan.writing import dump_plan, save_plan

    store = _store(args)
    plan = store.load_plan() if args.release is None else store.release_plan(args.release)
    if args.output:
        with _private_files():
            save_plan(plan, args.output)
    else:
        sys.stdout.write(dump_plan(plan))
    return EXIT_OK


def _db_backup(args: argparse.Namespace) -> int:
    _store(args).backup(args.file)
    print(f"backup written to {args.file}", file=sys.stderr)
    return EXIT_OK


def _db_restore(args: argparse.Namespace) -> int:
    if not (args.yes or args.check):
        raise PlanError("", "restore replaces the plan, all releases, the audit log and the accounts with the "
                            "backup's; add --yes to do it (or --check to only check the backup)")
    store = _store(args, fill_new=False)
    if args.check:
        print(f"{args.file} is a sound backup: {_backup_contents(store.check_backup(args.file))}")
        return EXIT_OK
    summary = store.restore(args.file, user=args.user)
    print(f"restored {args.file}: {_backup_contents(summary)}", file=sys.stderr)
    return EXIT_OK


def _backup_contents(summary: dict) -> str:
    if "events" in summary:
        held = (f"plan {summary['name']!r} with {summary['venues']} venues, {summary['people']} people, "
                f"{summary['delegations']} delegations, {summary['events']} events")
    elif "releases" in summary:
        held = "no plan"
    else:
        return f"schema {summary['schema']}"
    return f"{held}; {summary['releases']} releases; schema {summary['schema']}"


def _db_publish(args: argparse.Namespace) -> int:
    number = _store(args).publish(args.comment, user=args.user)
    print(f"published release {number}")
    return EXIT_OK


def _db_releases(args: argparse.Namespace) -> int:
    releases = _store(args).releases()
    if not releases:
        print("nothing has been published yet")
    for release in releases:
        print(f"{release.number:>4}  {release.created_at:%Y-%m-%d %H:%M} UTC  {release.created_by}  {release.comment}")
    return EXIT_OK


def _db_changes(args: argparse.Namespace) -> int:
    from planner.plan.changes import describe_change

    store = _store(args)
    changes = store.changes(since=args.since, until="draft" if args.draft else None)
    plan = store.load_plan()
    if args.format == "json":
        from planner.plan.changes import change_record

        sys.stdout.write(json.dumps([change_record(c, plan) for c in changes], ensure_ascii=False, indent=2) + "\n")
    else:
        if not changes:
            print("Keine Änderungen." if args.lang == "de" else "No changes.")
        for change in changes:
            print(describe_change(change, plan, args.lang))
    return EXIT_OK


def _db_audit(args: argparse.Namespace) -> int:
    entries = _store(args).audit("event" if args.event else None, args.event, args.limit)
    for entry in entries:
        target = f"{entry.entity} {entry.entity_id}".strip()
        print(f"{entry.at:%Y-%m-%d %H:%M:%S} UTC  {entry.user}  {entry.action}  {target}")
        if entry.before and entry.after:
            for key in sorted(set(entry.before) | set(entry.after)):
                if entry.before.get(key) != entry.after.get(key):
                    print(f"      {key}: {entry.before.get(key)!r} → {entry.after.get(key)!r}")
    return EXIT_OK


def _db_reset(args: argparse.Namespace) -> int:
    if not args.yes:
        raise PlanError("", "reset deletes the plan, all releases and the audit log; add --yes to do it")
    _store(args, fill_new=False).reset(empty=args.empty, user=args.user)
    print("the database is empty" if args.empty else "the database holds the sample plan again", file=sys.stderr)
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    plan, document = check_file(args.plan, args.lang)
    if args.format == "json":
        out = check_json(document)
    else:
        out = check_text(plan, document, args.lang)
    sys.stdout.write(out)
    return EXIT_ERRORS if document["summary"]["errors"] else EXIT_OK


def _stale_error() -> type[Exception]:
    from planner.storage import StaleEditError

    return StaleEditError


def _database_errors() -> tuple[type[Exception], ...]:
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    return (SQLAlchemyError, ArgumentError, OSError)


def _first_line(error: Exception) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; invalid input is one line on stderr and exit 2, never a traceback."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except BrokenPipeError:
        # The reader went away (`… | head`): nothing more to say to it.
        sys.stdout = None  # type: ignore[assignment]
        return EXIT_OK
    except PlanError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INVALID
    except _stale_error() as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_ERRORS
    except _database_errors() as error:
        print(f"error: the database cannot be used: {_first_line(error)}", file=sys.stderr)
        return EXIT_INVALID
    except RecursionError:
        print("error: input is nested too deeply", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        return 130

