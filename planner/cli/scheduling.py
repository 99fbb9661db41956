"""The scheduling commands: ``slots`` suggests free times, ``schedule`` places requests or repairs a plan."""

from __future__ import annotations

import argparse
import json
import sys

from planner.cli.output import private_files
from planner.cli.parsing import EXIT_ERRORS, EXIT_OK
from planner.cli.store import open_store
from planner.errors import PlanError
from planner.plan.reading import load_plan


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register ``slots`` and ``schedule``."""
    _add_slots(commands)
    _add_schedule(commands)


def _add_slots(commands: argparse._SubParsersAction) -> None:
    slots = commands.add_parser(
        "slots",
        help="suggest free times for one appointment",
        description="The best free times for one appointment: no error conflict, earliest first, then least "
        "travel, then fewest warnings; each with the reason it is free. Times are the plan's local time.",
    )
    slots.add_argument("plan", metavar="PLAN", nargs="?", help="plan file (default: the database's draft)")
    slots.add_argument("--db", metavar="URL", help="database URL when no PLAN is given")
    slots.add_argument("--duration", type=int, required=True, metavar="MINUTES")
    slots.add_argument(
        "--window",
        action="append",
        required=True,
        metavar="FROM/TO",
        help="when it may take place, e.g. 2027-05-07T09:00/2027-05-07T12:00 (repeatable)",
    )
    slots.add_argument("--venue", action="append", required=True, metavar="ID", help="a candidate venue (repeatable)")
    slots.add_argument("--delegation", action="append", default=[], metavar="ID")
    slots.add_argument("--person", action="append", default=[], metavar="ID", help="someone who must attend")
    slots.add_argument(
        "--one-of",
        action="append",
        default=[],
        metavar="ID,ID,...",
        help="one of these people must attend, e.g. ob,dep-becker (repeatable)",
    )
    slots.add_argument("--kind", default="meeting")
    slots.add_argument("--title", default="New appointment")
    slots.add_argument("-k", type=int, default=5, help="how many suggestions (default 5)")
    slots.add_argument("--format", choices=("text", "json"), default="text")
    slots.add_argument("--lang", choices=("en", "de"), default="en")
    slots.set_defaults(run=_slots)


def _slots(args: argparse.Namespace) -> int:
    from planner.plan.clock import WallClock, zone_named
    from planner.rules.messages import Describer
    from planner.scheduling.free_slots import free_slots

    plan = load_plan(args.plan) if args.plan else open_store(args).load_plan()
    wall = WallClock(zone_named(plan.timezone, "timezone"))
    windows = _windows(args.window, wall)
    if not 1 <= args.k <= 100:
        raise PlanError("-k", f"expected 1 to 100 suggestions, got {args.k}")
    found = free_slots(plan, _want(args, windows), args.k, args.lang)
    describer = Describer(plan, args.lang)
    if args.format == "json":
        print(json.dumps([_slot_record(s, wall, describer) for s in found], ensure_ascii=False, indent=1))
    else:
        for line in _slot_lines(plan, found, describer, args.lang):
            print(line)
        if not found:
            print("no free time in the windows given", file=sys.stderr)
    return EXIT_OK if found else EXIT_ERRORS


def _windows(texts: list[str], wall) -> list[tuple]:
    """The --window options FROM/TO as (start, end) instants, read in the plan's local time."""
    windows = []
    for number, text in enumerate(texts):
        begins, slash, ends = text.partition("/")
        if not slash:
            raise PlanError(f"--window[{number}]", f"expected FROM/TO such as 2027-05-07T09:00/2027-05-07T12:00, got {text!r}")
        windows.append((wall.parse(begins, f"--window[{number}] from"), wall.parse(ends, f"--window[{number}] to")))
    return windows


def _want(args: argparse.Namespace, windows: list[tuple]):
    """The appointment the options describe; --one-of ob,dep-becker is one group of people."""
    from datetime import timedelta

    from planner.scheduling.free_slots import Want

    return Want(
        args.title,
        args.kind,
        timedelta(minutes=args.duration),
        tuple(windows),
        tuple(args.venue),
        tuple(args.delegation),
        tuple(args.person),
        tuple(tuple(p for p in group.split(",") if p) for group in args.one_of),
    )


def _slot_record(slot, wall, describer) -> dict:
    """One suggestion for --format json: local times, venue, people, travel, warnings, reason."""
    from planner.plan.writing import format_instant

    return {
        "start": format_instant(slot.start, wall),
        "end": format_instant(slot.end, wall),
        "venue": slot.venue,
        "people": list(slot.people),
        "travel_minutes": round(slot.travel_minutes, 1),
        "warnings": [describer.describe(c) for c in slot.warnings],
        "reason": slot.reason,
    }


def _slot_lines(plan, found, describer, lang: str) -> list[str]:
    """The suggestions as numbered lines, each followed by its warnings."""
    from planner.language.dates import clock_time, moment
    from planner.plan.clock import zone_named

    zone = zone_named(plan.timezone, "timezone")
    lines = []
    for number, s in enumerate(found, 1):
        people = ", ".join(plan.people[p].name for p in s.people)
        lines.append(
            f"{number}. {moment(s.start, zone, lang)}–{clock_time(s.end, zone, lang)} "
            f"{plan.venues[s.venue].name}" + (f" with {people}" if people else "") + f": free {s.reason}"
        )
        lines.extend(f"   warning: {describer.describe(conflict)}" for conflict in s.warnings)
    return lines


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
    schedule.add_argument(
        "--time-limit",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="stop searching after this long and keep the best found (default 10)",
    )
    schedule.add_argument(
        "--work-limit",
        type=float,
        default=3.0,
        metavar="UNITS",
        help="stop after this much search work (CP-SAT's deterministic time, default 3); "
        "unlike the time limit it gives the same plan on every run",
    )
    schedule.add_argument("--seed", type=int, default=0, help="random seed; the same input and seed give the same plan")
    schedule.add_argument("--workers", type=int, default=2, help="parallel search workers (default 2)")
    schedule.add_argument(
        "--step", type=int, default=5, metavar="MINUTES", help="start times on this grid of minutes (default 5)"
    )
    schedule.add_argument(
        "--max-shift", type=int, default=720, metavar="MINUTES", help="--repair: move an event by at most this much (default 720)"
    )
    schedule.add_argument("--format", choices=("text", "json"), default="text")
    schedule.add_argument("--lang", choices=("en", "de"), default="en", help="language of messages")
    schedule.set_defaults(run=_schedule)


def _schedule(args: argparse.Namespace) -> int:
    from planner.scheduling.runs import run_repair, run_schedule

    options = _search_options(args)
    plan = load_plan(args.plan)
    with private_files():  # the new plan is written inside run_*
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


def _search_options(args: argparse.Namespace) -> dict:
    """The search options of run_schedule/run_repair, once the options are checked to make sense together."""
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
    return {
        "time_limit": args.time_limit,
        "work_limit": args.work_limit,
        "seed": args.seed,
        "workers": args.workers,
        "step": args.step,
    }
