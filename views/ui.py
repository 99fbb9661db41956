"""What every page shares: the language, the store and this session's editor, the cached draft
and its check, and one way to save that explains every refusal."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from planner import PlanError
from planner.language import dates as formats
from planner.language.markdown import markdown_literal
from planner.plan.audiences import restricted_plan
from planner.plan.changes import plan_changes
from planner.plan.clock import WallClock, zone_named
from planner.plan.model import Plan
from planner.rules.engine import PAGE_PILE_UP, Conflict, check
from planner.rules.messages import RULE_TITLES, SEVERITY_LABELS, Describer
from planner.sharing.access import Editor, Forbidden, SignedIn, may, may_read_internal
from planner.sharing.browsers import browser_key
from planner.sharing.downloads import DESK, download_path
from planner.sharing.links import PUBLIC_URL_SETTING, PublicAddress, public_address
from planner.storage import NotFoundError, PlanStore, StaleEditError
from planner.storage.database import is_lock_error


def md(text: str) -> str:
    """Text typed by someone (titles, names) for a place that renders Markdown: shown as typed."""
    return markdown_literal(text)


def lang() -> str:
    return st.session_state.get("lang", "en")


def t(en: str, de: str) -> str:
    """The text in the session's language."""
    return de if lang() == "de" else en


def store() -> PlanStore:
    return st.session_state["store"]


def role() -> str | None:
    return st.session_state.get("role")


def allowed(action: str) -> bool:
    """Whether to offer an action on the page (the editor checks again when saving)."""
    return may(role(), action)


def editor() -> Editor:
    """This session's way to change the plan: every change re-checks the role in the database."""
    signed_in: SignedIn | None = st.session_state.get("user")
    return Editor(
        store(),
        signed_in.account if signed_in else None,
        local=st.session_state.get("local", False),
        via=signed_in.via if signed_in else "local",
        sso_roles=st.session_state.get("sso_roles") or {},
        sso_configured=st.session_state.get("sso_configured", False),
    )


def browser() -> str | None:
    """The key of the browser this run's connection comes from (its `planner_browser` cookie),
    None without one (and in scripted tests, which have no HTTP request)."""
    return browser_key(dict(st.context.cookies))


def without_cookie() -> bool:
    """Whether this connection is a real browser's that sent no `planner_browser` cookie: it
    cannot be signed in (nothing would bind the sign-in to it)."""
    return bool(dict(st.context.headers)) and browser() is None


def sign_in(name: str, role: str, via: str) -> None:
    """Sign this session in, bound to this browser: `home.py` accepts the sign-in only while
    the connection presents the same cookie (a session id alone takes nothing over)."""
    st.session_state["user"] = SignedIn(name, role, via)
    st.session_state["browser"] = browser()


def download_link(label: str, what: str, *, key: str, where: Any = None, **options: str) -> None:
    """A link (in `where`, else the page) to download `what` ("plan", "backup" or "calendar" with its `options`) through the
    app's own route: good once, for a few minutes, in this browser only, and the role is checked
    again when it is fetched (planner/sharing/downloads.py)."""
    signed_in: SignedIn | None = st.session_state.get("user")
    try:
        # Scripted tests have no HTTP request, so no cookie: their tickets are never fetched.
        secret = DESK.issue(
            what,
            browser=None if without_cookie() else browser() or "scripted",
            account=signed_in.account if signed_in else None,
            via=signed_in.via if signed_in else "local",
            sso_roles=st.session_state.get("sso_roles") or {},
            sso_configured=st.session_state.get("sso_configured", False),
            **options,
        )
    except (Forbidden, PlanError) as error:
        st.warning(md(str(error)))
        return
    # A click also reruns the page, which makes a fresh link for the next click.
    (where or st).link_button(label, download_path(secret), key=key, on_click="rerun", icon=":material/download:")


class Snapshot:
    """The draft at one revision of the database and, computed on first use, its conflicts
    (a pile-up of overlaps is one conflict, see `check`'s pile_up, so that no plan makes a page
    slow). Shared by all sessions: read only."""

    def __init__(self, plan: Plan, revision: int, *, empty: bool = False):
        self.plan = plan
        self.revision = revision
        self.empty = empty
        self._conflicts: list[Conflict] | None = None
        self._lock = threading.Lock()

    @property
    def conflicts(self) -> list[Conflict]:
        with self._lock:
            if self._conflicts is None:
                self._conflicts = check(self.plan, pile_up=PAGE_PILE_UP)
            return self._conflicts


@st.cache_resource(max_entries=8, show_spinner=False)
def _snapshot(url: str, revision: int, view: str, _store: PlanStore) -> Snapshot:
    if view != "full":  # what a role that may not read internal details sees (see restricted_plan)
        full = _snapshot(url, revision, "full", _store)
        return Snapshot(restricted_plan(full.plan, _BUSY[view]), revision, empty=full.empty)
    if _store.is_empty():  # a database started empty: the pages show an empty plan
        return Snapshot(Plan(), revision, empty=True)
    return Snapshot(_store.load_plan(), revision)


_BUSY = {"restricted-en": "Busy", "restricted-de": "Belegt"}


def _view() -> str:
    """Which copy of the plan this session's role reads: "full", or "restricted-LANG"."""
    return "full" if may_read_internal(role()) else f"restricted-{'de' if lang() == 'de' else 'en'}"


def draft() -> Plan:
    """The draft as this session's role may read it, loaded once per change of the database and
    shared by all sessions (read only). The page's later calls of `draft_conflicts` refer to
    this same draft."""
    current = store()
    snapshot = _snapshot(current.url, current.revision(), _view(), current)
    st.session_state["_snapshot"] = snapshot
    if snapshot.empty:
        st.info(
            t(
                "The database holds no plan yet: import one on the Admin page, or with python -m planner db import PLAN.json.",
                "Die Datenbank enthält noch keinen Plan: importieren Sie einen auf der Seite Verwaltung oder mit "
                "python -m planner db import PLAN.json.",
            )
        )
    return snapshot.plan


def draft_conflicts() -> list[Conflict]:
    """The conflicts of the draft this run's `draft()` returned, computed once per revision."""
    if "_snapshot" not in st.session_state:
        draft()
    return st.session_state["_snapshot"].conflicts


@st.cache_resource(max_entries=8, show_spinner=False)
def _release(url: str, number: int, created: datetime, _store: PlanStore, view: str = "full") -> Plan:
    # Keyed by number and time of publishing: releases never change, but after a reset the
    # numbers start again. Each view (see `_view`) is its own entry.
    if view != "full":
        return restricted_plan(_release(url, number, created, _store), _BUSY[view])
    return _store.release_plan(number)


@st.cache_resource(max_entries=4, show_spinner=False)
def _pending(url: str, revision: int, view: str, _draft: Plan, _release: Plan | None) -> list:
    return plan_changes(_release or Plan(timezone=_draft.timezone), _draft)


@st.cache_resource(max_entries=8, show_spinner=False)
def _release_changes(url: str, number: int, created: datetime, _store: PlanStore) -> list:
    return _store.changes(until=number)


def release_changes(number: int, created: datetime) -> tuple[Plan, list]:
    """Release `number` (published at `created`) and its changes against the release before;
    releases never change, so both are cached."""
    current = store()
    return _release(current.url, number, created, current), _release_changes(current.url, number, created, current)


def released() -> Plan | None:
    """The latest release (what guests see) as this session's role may read it, None before
    the first; parsed once per release."""
    current = store()
    releases = current.releases()
    if not releases:
        return None
    return _release(current.url, releases[-1].number, releases[-1].created_at, current, _view())


def pending_changes() -> list:
    """The changes of this run's draft since the latest release, computed once per revision
    from the cached draft and release."""
    if "_snapshot" not in st.session_state:
        draft()
    snapshot = st.session_state["_snapshot"]
    if snapshot.empty:
        return []
    return _pending(store().url, snapshot.revision, _view(), snapshot.plan, released())


def clock(plan: Plan) -> WallClock:
    return WallClock(zone_named(plan.timezone, "timezone"))


def day_text(value: date) -> str:
    return formats.day(value, lang())


def span_text(plan: Plan, start: datetime, end: datetime) -> str:
    return formats.span(start, end, zone_named(plan.timezone, "timezone"), lang())


def time_text(plan: Plan, instant: datetime) -> str:
    return formats.clock_time(instant, zone_named(plan.timezone, "timezone"), lang())


def moment_text(plan: Plan, instant: datetime) -> str:
    return formats.moment(instant, zone_named(plan.timezone, "timezone"), lang())


def app_address() -> str:
    """Where this browser reaches the app ("https://planner.example.org"), for links to share."""
    url = st.context.url
    if isinstance(url, str) and "://" in url:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}"
    return "http://localhost:8501"


def guest_address() -> PublicAddress:
    """Where guests reach the app, for every link shown or sent (planner.sharing.links)."""
    setting, _ = store().setting(PUBLIC_URL_SETTING)
    try:
        return public_address(setting, os.environ, app_address())
    except PlanError as error:  # the server's PLANNER_PUBLIC_URL is no address: say so, use the rest
        st.error(t("The server's public address is wrong: ", "Die öffentliche Adresse des Servers ist falsch: ") + md(str(error)))
        return public_address(setting, {}, app_address())


def local_link_warning(address: PublicAddress) -> None:
    """Say so where links would reach only this computer: a guest could not open them."""
    if address.local:
        st.warning(
            t(
                f"Links point to {address.url}, which only this computer reaches: a guest cannot open them. "
                "An admin sets the address guests reach the app at on the Admin page (or the server's "
                "PLANNER_PUBLIC_URL).",
                f"Links zeigen auf {address.url}, das nur dieser Computer erreicht: Gäste können sie nicht öffnen. "
                "Die Adresse, unter der Gäste die App erreichen, legt die Verwaltung auf der Seite Verwaltung fest "
                "(oder PLANNER_PUBLIC_URL des Servers).",
            )
        )


def opened_at(form: str, first_field: str, version: int | None) -> int | None:
    """The version the record of `form` had when the form was opened (when its first field,
    `{form}-{first_field}`, appeared). Form keys stay the same while others save, so what was
    typed survives; the save is checked against this version, so others' changes are reported,
    not overwritten. After a save, `saved_at` moves it on."""
    if f"{form}-{first_field}" not in st.session_state:
        st.session_state[f"{form}-version"] = version
    return st.session_state[f"{form}-version"]


def saved_at(form: str, version: int) -> None:
    st.session_state[f"{form}-version"] = version


def save(action: Callable[[], Any], done: str) -> Any:
    """Run one change; on success say `done` (after the rerun), else explain the refusal.
    Returns the change's result (True if it has none), or None if it was refused."""
    try:
        result = action()
    except Forbidden as error:
        st.error(t("Not allowed: ", "Nicht erlaubt: ") + md(str(error)))
    except StaleEditError as error:
        st.error(t("Someone else was faster: ", "Jemand anderes war schneller: ") + md(str(error)))
    except (PlanError, NotFoundError) as error:
        st.error(t("Not saved: ", "Nicht gespeichert: ") + md(str(error)))
    except SQLAlchemyError as error:  # e.g. two people adding the same id at the same moment
        if is_lock_error(error):  # still locked after waiting and trying again: nothing was written
            logging.getLogger("planner").warning("a save found the database locked: %s", error.orig)
            st.error(
                t(
                    "Not saved: the database is busy with another change. Nothing was lost; save again in a moment.",
                    "Nicht gespeichert: die Datenbank ist mit einer anderen Änderung beschäftigt. Nichts ging "
                    "verloren; bitte gleich noch einmal speichern.",
                )
            )
            return None
        logging.getLogger("planner").exception("a save failed in the database")
        st.error(
            t("Not saved: the database refused the change (", "Nicht gespeichert: die Datenbank lehnte die Änderung ab (")
            + type(error).__name__
            + t("). Reload the page and try again.", "). Seite neu laden und erneut versuchen.")
        )
    else:
        st.session_state["flash"] = done
        return True if result is None else result
    return None


def flash() -> None:
    """Show the message a save left before its rerun."""
    message = st.session_state.pop("flash", None)
    if message:
        st.success(md(message))


def conflict_table(plan: Plan, conflicts: list[Conflict], *, messages: bool = True) -> pd.DataFrame:
    """Conflicts as rows people read: severity, message (empty without `messages`, for a page
    that writes them only for the rows it shows), rule, events."""
    describer = Describer(plan, lang())
    labels, titles = SEVERITY_LABELS[lang()], RULE_TITLES[lang()]
    return pd.DataFrame(
        {
            t("Severity", "Schwere"): [labels[c.severity] for c in conflicts],
            t("Message", "Meldung"): [describer.describe(c) if messages else "" for c in conflicts],
            t("Rule", "Regel"): [titles[c.rule] for c in conflicts],
            t("Events", "Termine"): [event_ids(c) for c in conflicts],
        }
    )


#: How many of a conflict's events a page lists (a pile-up may hold thousands).
EVENTS_SHOWN = 12


def event_ids(conflict: Conflict) -> str:
    """The ids of a conflict's events, the first `EVENTS_SHOWN` of a pile-up and how many more."""
    ids = conflict.events
    if len(ids) <= EVENTS_SHOWN:
        return ", ".join(ids)
    return ", ".join(ids[:EVENTS_SHOWN]) + t(
        f" and {len(ids) - EVENTS_SHOWN:,} more", f" und {len(ids) - EVENTS_SHOWN:,} weitere".replace(",", ".")
    )


#: How many rows the Conflicts page's table holds (filters reach the others).
ROWS_SHOWN = 1000
#: How many conflicts a compact table lists (the Conflicts page has them all, with filters).
CONFLICTS_LISTED = 200


def show_conflicts(plan: Plan, conflicts: list[Conflict], *, key: str) -> None:
    """A compact table of conflicts, at most CONFLICTS_LISTED (nothing if there are none)."""
    if conflicts:
        st.dataframe(
            conflict_table(plan, conflicts[:CONFLICTS_LISTED]),
            hide_index=True,
            width="stretch",
            key=key,
            column_config={t("Message", "Meldung"): st.column_config.TextColumn(width="large")},
        )
    if len(conflicts) > CONFLICTS_LISTED:
        st.caption(
            t(
                f"The first {CONFLICTS_LISTED} of {len(conflicts):,}; all of them are on the Conflicts page.",
                f"Die ersten {CONFLICTS_LISTED} von {len(conflicts):,}; alle stehen auf der Seite Konflikte.".replace(",", "."),
            )
        )


def rule_titles() -> dict[str, str]:
    return RULE_TITLES[lang()]
