"""The ``feeds`` commands: create, list and revoke the secret calendar links."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC

from planner.cli.parsing import EXIT_OK, CommandParser
from planner.cli.store import open_store
from planner.errors import PlanError
from planner.sharing.links import PUBLIC_URL_SETTING, check_base_url, feed_urls, guest_url, is_local_url, public_address


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register ``feeds create``, ``feeds list`` and ``feeds revoke``."""
    feeds = commands.add_parser(
        "feeds",
        help="secret calendar links for delegations and people",
        description="Subscribable calendar links, served by 'streamlit run app.py' under /feeds/.",
    )
    feeds.add_argument("--db", metavar="URL", help="database URL (default: PLANNER_DB_URL or the SQLite file)")
    feeds.add_argument("--user", help="your name in the audit log")
    actions = feeds.add_subparsers(dest="action", required=True, parser_class=CommandParser)
    create = actions.add_parser("create", help="a new secret link (shown once)")
    who = create.add_mutually_exclusive_group(required=True)
    who.add_argument("--delegation", metavar="ID")
    who.add_argument("--person", metavar="ID")
    who.add_argument(
        "--guest", metavar="DELEGATION", help="a guest link: the delegation's page in the app (?g=TOKEN) and its feed"
    )
    create.add_argument("--days", type=int, metavar="N", help="the link stops working after N days (default: never)")
    create.add_argument(
        "--base-url",
        help="where guests reach the app (default: PLANNER_PUBLIC_URL, else the address set on the app's Admin page, "
        "else http://localhost:8501)",
    )
    create.set_defaults(run=_feeds_create)
    listing = actions.add_parser("list", help="all links (without their secrets)")
    listing.set_defaults(run=_feeds_list)
    revoke = actions.add_parser("revoke", help="make a link answer 404 from now on")
    revoke.add_argument("number", type=int)
    revoke.set_defaults(run=_feeds_revoke)


def _feeds_create(args: argparse.Namespace) -> int:
    kind, target = (
        ("delegation", args.delegation) if args.delegation else ("person", args.person) if args.person else ("guest", args.guest)
    )
    store = open_store(args)
    if args.base_url is not None:
        base = check_base_url(args.base_url)  # before a token exists that nobody could use
    else:
        base = public_address(store.setting(PUBLIC_URL_SETTING)[0], os.environ, "http://localhost:8501").url
    if is_local_url(base):
        print(
            f"warning: {base} is reached only from this computer; a guest cannot open the link "
            "(give --base-url or set PLANNER_PUBLIC_URL)",
            file=sys.stderr,
        )
    expires = _expiry(args.days)
    number, token = store.create_feed_token(kind, target, expires=expires, user=args.user)
    url, webcal = feed_urls(base, token)
    print(f"link {number} for {kind} {target} (shown only now):")
    if kind == "guest":
        print(guest_url(base, token))
    print(url)
    print(webcal)
    return EXIT_OK


def _expiry(days: int | None):
    """When a link made now for --days `days` stops working (UTC), or None for never."""
    from datetime import datetime, timedelta

    if days is not None and not 1 <= days <= 3660:
        raise PlanError("--days", f"expected 1 to 3660 days, got {days}")
    return None if days is None else datetime.now(UTC) + timedelta(days=days)


def _feeds_list(args: argparse.Namespace) -> int:
    for link in open_store(args).feed_tokens():
        print(_link_line(link))
    return EXIT_OK


def _link_line(link: dict) -> str:
    """One link of the store's feed_tokens() as a line: number, kind, target, created, by whom, state."""
    state = (
        f"revoked {link['revoked_at']:%Y-%m-%d %H:%M} UTC"
        if link["revoked_at"]
        else f"expires {link['expires_at']:%Y-%m-%d %H:%M} UTC"
        if link["expires_at"]
        else "live"
    )
    return (
        f"{link['number']:>4}  {link['kind']:<10} {link['target']:<20} {link['created_at']:%Y-%m-%d %H:%M} UTC  "
        f"{link['created_by']}  {state}"
    )


def _feeds_revoke(args: argparse.Namespace) -> int:
    open_store(args).revoke_feed_token(args.number, user=args.user)
    print(f"link {args.number} revoked")
    return EXIT_OK
