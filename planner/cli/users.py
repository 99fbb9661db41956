"""The ``user`` commands: the app's local accounts."""

from __future__ import annotations

import argparse
import sys

from planner.cli.parsing import EXIT_OK, CommandParser
from planner.cli.store import open_store
from planner.errors import PlanError
from planner.storage.account_rules import ACCOUNT_ROLES


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register ``user add``, ``user list``, ``user set`` and ``user remove``."""
    users = commands.add_parser(
        "user", help="local accounts of the app", description="Local accounts (admin, protocol, organiser, viewer)."
    )
    users.add_argument("--db", metavar="URL", help="database URL (default: PLANNER_DB_URL or the SQLite file)")
    actions = users.add_subparsers(dest="action", required=True, parser_class=CommandParser)
    add = actions.add_parser("add", help="a new account; the password is asked for (or read from stdin)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ACCOUNT_ROLES)
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(run=_user_add)
    listing = actions.add_parser("list", help="all accounts")
    listing.set_defaults(run=_user_list)
    change = actions.add_parser("set", help="another role and/or a new password (asked for with --password)")
    change.add_argument("name")
    change.add_argument("--role", choices=ACCOUNT_ROLES)
    change.add_argument("--password", action="store_true", help="set a new password (asked for, or read from stdin)")
    change.set_defaults(run=_user_set)
    remove = actions.add_parser("remove", help="delete an account")
    remove.add_argument("name")
    remove.set_defaults(run=_user_remove)


def _ask_password(name: str, from_stdin: bool) -> str:
    """The new password: one line of stdin when asked to or not at a terminal, else typed twice."""
    import getpass

    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass(f"password for {name}: ")
    if getpass.getpass("again: ") != password:
        raise PlanError("password", "the two entries differ")
    return password


def _user_add(args: argparse.Namespace) -> int:
    password = _ask_password(args.name, args.password_stdin)
    open_store(args).add_user(args.name, args.role, password)
    print(f"account {args.name} ({args.role}) created", file=sys.stderr)
    return EXIT_OK


def _user_list(args: argparse.Namespace) -> int:
    for name, role in open_store(args).users():
        print(f"{name}\t{role}")
    return EXIT_OK


def _user_set(args: argparse.Namespace) -> int:
    password = _ask_password(args.name, False) if args.password else None
    open_store(args).update_user(args.name, role=args.role, password=password)
    print(f"account {args.name} changed", file=sys.stderr)
    return EXIT_OK


def _user_remove(args: argparse.Namespace) -> int:
    open_store(args).remove_user(args.name)
    print(f"account {args.name} removed", file=sys.stderr)
    return EXIT_OK
