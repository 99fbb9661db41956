"""Sensitive downloads — the whole draft, a backup, internal calendars and tables — served by the
app's own route `/downloads/<ticket>`, never from Streamlit's media store.

Streamlit keeps a download button's file under `/media/<id>` for anyone who has the address,
and runs a button's "made on the click" function for any session that names the button's id.
Here a page asks the `DESK` for a ticket instead: 256 random bits, good for one request within
`TICKET_SECONDS`, and only from the browser the page was drawn in (its `planner_browser`
cookie, see `browsers`). The route checks the ticket, then the account's role in the database
*at that moment* (`access.Editor`), and only then makes the file.
"""

from __future__ import annotations

import json
import re
import secrets
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from planner.errors import PlanError
from planner.sharing.access import Editor, Forbidden, is_local
from planner.sharing.browsers import browser_key
from planner.storage import NotFoundError

#: How long a ticket may wait for its request (seconds).
TICKET_SECONDS = 600
PATH = "/downloads/"


@dataclass(frozen=True)
class Ticket:
    """What a page may download, for whom: the account as the page's session signed in (None on
    a fresh local install), the browser it was issued to, and what to make."""

    what: str  # "plan", "backup" or "calendar"
    browser: str
    account: str | None
    via: str = "local"
    sso_roles: dict = field(default_factory=dict)
    sso_configured: bool = False
    options: dict = field(default_factory=dict)
    expires: float = 0.0


class Desk:
    """Single-use tickets, kept in the app's process (they live minutes; a restart voids them)."""

    def __init__(
        self,
        seconds: float = TICKET_SECONDS,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_tickets: int = 10_000,
        per_browser: int = 50,
    ):
        self.seconds = seconds
        self.clock = clock
        self.max_tickets = max_tickets
        #: A page makes new tickets on every run; older ones of a browser beyond this are dropped,
        #: so that one browser rerunning a page cannot push out everyone else's.
        self.per_browser = per_browser
        self._tickets: OrderedDict[str, Ticket] = OrderedDict()
        self._lock = threading.Lock()

    def issue(
        self,
        what: str,
        *,
        browser: str | None,
        account: str | None,
        via: str = "local",
        sso_roles: dict | None = None,
        sso_configured: bool = False,
        **options,
    ) -> str:
        """A new ticket's secret, or PlanError if the browser has no cookie to bind it to."""
        if browser is None:
            raise PlanError("", "this browser keeps no cookie for the planner: allow cookies for this site and reload")
        secret = secrets.token_urlsafe(32)
        ticket = Ticket(
            what, browser, account, via, dict(sso_roles or {}), sso_configured, dict(options), self.clock() + self.seconds
        )
        with self._lock:
            self._drop_expired()
            mine = [key for key, held in self._tickets.items() if held.browser == browser]
            for key in mine[: max(0, len(mine) - self.per_browser + 1)]:
                del self._tickets[key]
            self._tickets[secret] = ticket
            while len(self._tickets) > self.max_tickets:
                self._tickets.popitem(last=False)
        return secret

    def redeem(self, secret: str, browser: str | None) -> Ticket | None:
        """The ticket, used up, if it is live and `browser` is the one it was issued to."""
        with self._lock:
            self._drop_expired()
            ticket = self._tickets.get(secret)
            if ticket is None or browser is None or not secrets.compare_digest(ticket.browser, browser):
                return None  # a ticket asked for from another browser stays for its own
            del self._tickets[secret]
            return ticket

    def _drop_expired(self) -> None:
        now = self.clock()
        while self._tickets and next(iter(self._tickets.values())).expires <= now:
            self._tickets.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._tickets.clear()


DESK = Desk()


def download_path(secret: str) -> str:
    return PATH + secret


# -- the files ----------------------------------------------------------------------------------


def _plan_file(editor: Editor, options: dict) -> tuple[bytes, str, str]:
    document = editor.export_document()
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8"), "plan.json", "application/json"


def _backup_file(editor: Editor, options: dict) -> tuple[bytes, str, str]:
    with tempfile.TemporaryDirectory() as folder:  # 0700: nobody else reads the copy meanwhile
        target = Path(folder) / "backup"
        editor.backup(target)
        data = target.read_bytes()
    suffix = "sqlite" if editor.store.engine.dialect.name == "sqlite" else "pgdump"
    return data, f"planner-backup.{suffix}", "application/octet-stream"


#: Calendar -> whether it is internal (the draft, with notes; the office's roles only), else
#: what guests and the public get (the latest release).
CALENDAR_KINDS = {"delegation": False, "public": False, "person": True, "venue": True, "all": True}
FORMATS = {"ics": "text/calendar", "csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _calendar_file(editor: Editor, options: dict) -> tuple[bytes, str, str]:
    """A calendar as .ics, CSV or Excel: a delegation's or the public one from the latest
    release for any role; a person's, a venue's or everything from the draft for the office's
    roles only."""
    from planner.exports.ics import feeds_for, render
    from planner.exports.tables import export_table

    kind, target, lang, file_format = (options.get(k) for k in ("kind", "target", "lang", "format"))
    if kind not in CALENDAR_KINDS or file_format not in FORMATS or lang not in ("en", "de"):
        raise PlanError("", "no such calendar")
    internal = CALENDAR_KINDS[kind]
    editor.require_reading(internal)
    plan = editor.store.load_plan() if internal else editor.store.release_plan()
    feed = feeds_for(
        plan,
        delegation=target if kind == "delegation" else None,
        person=target if kind == "person" else None,
        venue=target if kind == "venue" else None,
        public=kind == "public",
        everything=kind == "all",
        lang=lang,
    )
    if file_format == "ics":
        data = render(plan, feed, lang, modified=editor.store.last_modified() if internal else None)
    else:
        data = export_table(plan, feed, file_format, lang)
    return data, f"{target or kind}.{file_format}", FORMATS[file_format]


def _guest_file(editor: Editor, options: dict) -> tuple[bytes, str, str]:
    """A guest's released programme as .ics, only while the guest link still works (the link,
    not an account, is what a guest holds)."""
    from planner.exports.ics import delegation_feed, render
    from planner.plan.audiences import guest_plan

    lang, link = options.get("lang"), options.get("link")
    found = editor.store.feed_for_token(link) if isinstance(link, str) else None
    if found is None or found[0] != "guest" or lang not in ("en", "de"):
        raise Forbidden("read", None)
    plan = guest_plan(editor.store.release_plan(), found[1])
    return render(plan, delegation_feed(plan, found[1], lang), lang), f"dortbunt-{found[1]}.ics", FORMATS["ics"]


MAKERS: dict[str, Callable[[Editor, dict], tuple[bytes, str, str]]] = {
    "plan": _plan_file,
    "backup": _backup_file,
    "calendar": _calendar_file,
    "guest": _guest_file,
}


def make_file(store, ticket: Ticket, *, local: bool) -> tuple[bytes, str, str]:
    """(content, file name, media type) of a ticket's file, made now with the role the account
    has now; Forbidden or PlanError otherwise."""
    editor = Editor(
        store, ticket.account, local=local, via=ticket.via, sso_roles=ticket.sso_roles, sso_configured=ticket.sso_configured
    )
    maker = MAKERS.get(ticket.what)
    if maker is None:
        raise PlanError("", "no such download")
    return maker(editor, ticket.options)


GONE = (
    "This download link has expired or was used already. Go back to the planner and click the download again.\n"
    "Dieser Download-Link ist abgelaufen oder wurde schon benutzt. Bitte im Planer erneut auf den Download klicken.\n"
)


def _attachment(data: bytes, name: str, media_type: str) -> Response:
    plain = re.sub(r"[^A-Za-z0-9._-]", "_", name)[:80] or "download"
    return Response(
        data,
        media_type=media_type,
        headers={
            "Content-Disposition": f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}",
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def download_route(store_of: Callable[[], object]) -> Route:
    """The route `/downloads/<ticket>`; `store_of()` gives the app's store."""

    def download(request: Request) -> Response:
        if request.method == "HEAD":  # a link checker or preview: it uses up nothing
            return Response(status_code=200, headers={"Cache-Control": "no-store"})
        ticket = DESK.redeem(request.path_params["ticket"], browser_key(request.cookies))
        if ticket is None:
            return PlainTextResponse(GONE, status_code=404, headers={"Cache-Control": "no-store"})
        local = is_local(request.client.host if request.client else None, dict(request.headers))
        try:
            return _attachment(*make_file(store_of(), ticket, local=local))
        except Forbidden as error:
            return PlainTextResponse(f"Not allowed: {error}\n", status_code=403, headers={"Cache-Control": "no-store"})
        except (PlanError, NotFoundError) as error:
            return PlainTextResponse(f"Not available: {error}\n", status_code=404, headers={"Cache-Control": "no-store"})

    return Route(PATH + "{ticket}", download, methods=["GET", "HEAD"])
