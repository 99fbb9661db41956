"""The Streamlit pages of the DORTBUNT! planner (started by app.py, which adds the feed routes).

Who sees what is decided here on every run, on the server: a guest link (``?g=TOKEN``) opens
the guest page only; otherwise the role (planner/sharing/access.py) picks the pages of the menu.
"""

import logging
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from planner.language.markdown import markdown_literal
from planner.sharing.access import SignedIn, current_sign_in, is_local, pages_for, session_role, sso_role
from planner.sharing.browsers import SESSIONS, browser_key
from planner.sharing.links import GUEST_PARAMETER
from planner.sharing.throttle import look_up_link, minutes
from planner.storage import PlanStore, default_url

# Not "pages/": Streamlit would serve files there by URL, around the role check below.
VIEWS = Path(__file__).parent / "views"

st.set_page_config(page_title="DORTBUNT! planner", page_icon="🗓️", layout="wide")


@st.cache_resource
def plan_store(url: str) -> PlanStore:
    """One database connection pool for all sessions (PLANNER_DB_URL or the user's SQLite file);
    a new database starts with the sample plan."""
    return PlanStore(url)


def sso_settings() -> tuple[bool, dict]:
    """Whether single sign-on is configured ([auth] in secrets.toml) and its e-mail → role map."""
    try:
        return "auth" in st.secrets, dict(st.secrets.get("planner", {}).get("sso_roles", {}))
    except FileNotFoundError:  # no secrets.toml at all (Streamlit's error is one)
        return False, {}


def client_address() -> str | None:
    """The browser's address as the server sees it (None on this machine)."""
    address = st.context.ip_address
    return address if isinstance(address, str) else None


store = st.session_state["store"] = plan_store(default_url())
# The browser this run's connection comes from. A Streamlit session id is no secret (it is in
# every upload address): a connection that presents a session's id but not the cookie of the
# browser that signed in, or opened the guest link, gets nothing of that session.
this_browser = browser_key(dict(st.context.cookies))
if st.session_state.get("browser", this_browser) != this_browser:
    logging.getLogger("planner").warning("a session was reconnected from another browser: signed out")
    for name in [name for name in st.session_state if name not in ("lang", "store")]:
        del st.session_state[name]
# Uploads into this session are taken from this browser only (browsers.BrowserCookie).
SESSIONS.remember(getattr(get_script_run_ctx(), "session_id", ""), this_browser)

# A guest link: keep the token in this session only, and take it out of the address bar.
if GUEST_PARAMETER in st.query_params:
    st.session_state["guest_token"] = st.query_params[GUEST_PARAMETER]
    st.session_state["browser"] = this_browser
    if st.query_params.get("lang") in ("en", "de"):
        st.session_state["lang"] = st.query_params["lang"]
    st.query_params.clear()

lang = st.sidebar.radio(
    "Sprache / Language", ["en", "de"], horizontal=True, key="lang", format_func={"en": "English", "de": "Deutsch"}.get
)
de = lang == "de"

if "guest_token" in st.session_state:
    # Checked again on every run: a revoked or expired link stops working at once. An address
    # that tried too many unknown links is not even looked up until it has waited.
    if "guest" in st.session_state:  # the link worked before: no guess
        found, wait = store.feed_for_token(st.session_state["guest_token"]), 0.0
    else:
        found, wait = look_up_link(store, st.session_state["guest_token"], client_address())
    if found is None or found[0] != "guest":
        del st.session_state["guest_token"]
        st.session_state.pop("guest", None)
        if wait:
            st.error(
                f"Zu viele ungültige Links von Ihrer Adresse. Bitte versuchen Sie es in {minutes(wait)} Minuten erneut."
                if de
                else f"Too many invalid links from your address. Please try again in {minutes(wait)} minutes."
            )
        else:
            st.error(
                "Dieser Link ist ungültig oder abgelaufen. Bitte fragen Sie das Protokoll nach einem neuen."
                if de
                else "This link is not valid or has expired. Please ask the protocol office for a new one."
            )
        st.stop()
    st.session_state["guest"] = found[1]
    st.session_state["role"] = None
    st.navigation(
        [
            st.Page(
                VIEWS / "guest.py",
                title="Programm" if de else "Programme",
                icon=":material/event:",
                url_path="programme",
                default=True,
            )
        ],
        position="hidden",
    ).run()
    st.stop()

sso_configured, sso_roles = sso_settings()
st.session_state["sso_configured"] = sso_configured
st.session_state["sso_roles"] = sso_roles
if sso_configured and st.user.is_logged_in and "user" not in st.session_state:
    email = str(st.user.get("email") or "")
    # An address the identity provider says it has not verified could be anyone's.
    if st.user.get("email_verified") is not False and sso_role(email, sso_roles):
        st.session_state["user"] = SignedIn(email, sso_role(email, sso_roles), "sso")
        st.session_state["browser"] = this_browser

signed_in = st.session_state.get("user")
# Streamlit gives None for a connection from this machine; AppTest gives a stand-in object.
st.session_state["client"] = client_address()
local = st.session_state["local"] = is_local(client_address(), dict(st.context.headers.items()))
accounts = dict(store.users())
if signed_in:
    # The account may have been removed or given another role since the sign-in; local
    # accounts and single sign-on addresses are looked up each in their own place.
    signed_in = current_sign_in(signed_in, accounts, sso_roles)
    if signed_in is None:
        del st.session_state["user"]
    else:
        st.session_state["user"] = signed_in
# With single sign-on configured there is no local admin without signing in.
role = session_role(signed_in.role if signed_in else None, has_accounts=bool(accounts) or sso_configured, local=local)
st.session_state["role"] = role

TITLES = {
    "overview": ("Überblick", "Overview", ":material/home:"),
    "delegations": ("Delegationen", "Delegations", ":material/groups:"),
    "golden_book": ("Goldenes Buch", "Golden Book", ":material/menu_book:"),
    "festival": ("Festival", "Festival", ":material/festival:"),
    "timeline_map": ("Zeitplan und Karte", "Timeline and map", ":material/map:"),
    "conflicts": ("Konflikte", "Conflicts", ":material/warning:"),
    "calendars": ("Kalender und Links", "Calendars and sharing", ":material/calendar_month:"),
    "admin": ("Verwaltung", "Admin", ":material/settings:"),
}

if role is None:
    pages = [
        st.Page(
            VIEWS / "sign_in.py", title="Anmelden" if de else "Sign in", icon=":material/login:", url_path="sign-in", default=True
        )
    ]
else:
    pages = [
        st.Page(VIEWS / f"{page}.py", title=TITLES[page][0 if de else 1], icon=TITLES[page][2], url_path=page, default=n == 0)
        for n, page in enumerate(pages_for(role))
    ]
    if signed_in:
        st.sidebar.caption(markdown_literal(f"{signed_in.account} ({role})"))
        if st.sidebar.button("Abmelden" if de else "Sign out"):
            # Nothing of this session (a backup made, a link shown) stays for the next person.
            for name in [name for name in st.session_state if name != "lang"]:
                del st.session_state[name]
            if sso_configured and st.user.is_logged_in:
                st.logout()
            st.rerun()
    else:
        st.sidebar.caption(
            "Noch keine Konten: auf diesem Rechner sind Sie Admin. Konten anlegen: Seite Verwaltung oder "
            "python -m planner user add"
            if de
            else "No accounts yet: on this machine you are admin. Create accounts on the Admin page or with "
            "python -m planner user add"
        )

st.navigation(pages).run()
