"""The Streamlit pages of the DORTBUNT! planner (started by app.py, which adds the feed routes)."""

from pathlib import Path

import streamlit as st

from planner.access import is_local, pages_for, session_role
from planner.storage import PlanStore, default_url

# Not "pages/": Streamlit would serve files there by URL, around the role check below.
PAGES = Path(__file__).parent / "views"

st.set_page_config(page_title="DORTBUNT! planner", page_icon="🗓️", layout="wide")


@st.cache_resource
def plan_store(url: str) -> PlanStore:
    """One database connection pool for all sessions (PLANNER_DB_URL or the user's SQLite file);
    a new database starts with the sample plan."""
    return PlanStore(url)


st.session_state["store"] = plan_store(default_url())

lang = st.sidebar.radio("Sprache / Language", ["en", "de"], horizontal=True, key="lang",
                        format_func={"en": "English", "de": "Deutsch"}.get)

de = lang == "de"
store: PlanStore = st.session_state["store"]
signed_in = st.session_state.get("user")
address = st.context.ip_address
# Streamlit gives None for a connection from this machine; AppTest gives a stand-in object.
local = is_local(address if isinstance(address, str) else None)
role = session_role(signed_in[1] if signed_in else None, has_accounts=bool(store.users()), local=local)
st.session_state["role"] = role

if role is None:
    pages = [st.Page(PAGES / "sign_in.py", title="Anmelden" if de else "Sign in", icon="🔑", url_path="sign-in",
                     default=True)]
else:
    titles = {"conflicts": ("Konflikte" if de else "Conflicts", "⚠️"),
              "timeline_map": ("Zeitplan und Karte" if de else "Timeline and map", "🗺️")}
    pages = [st.Page(PAGES / f"{page}.py", title=titles[page][0], icon=titles[page][1], url_path=page,
                     default=n == 0) for n, page in enumerate(pages_for(role))]
    if signed_in:
        st.sidebar.caption(f"{signed_in[0]} ({role})")
        if st.sidebar.button("Abmelden" if de else "Sign out"):
            del st.session_state["user"]
            st.rerun()
    else:
        st.sidebar.caption(
            "Noch keine Konten: auf diesem Rechner sind Sie Admin. Konten anlegen: python -m planner user add"
            if de else "No accounts yet: on this machine you are admin. Create accounts: python -m planner user add")

st.navigation(pages).run()
