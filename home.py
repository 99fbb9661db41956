"""The Streamlit pages of the DORTBUNT! planner (started by app.py, which adds the feed routes)."""

from pathlib import Path

import streamlit as st

from planner.storage import PlanStore

PAGES = Path(__file__).parent / "pages"

st.set_page_config(page_title="DORTBUNT! planner", page_icon="🗓️", layout="wide")


@st.cache_resource
def plan_store() -> PlanStore:
    """One database connection pool for all sessions (PLANNER_DB_URL or the user's SQLite file);
    a new database starts with the sample plan."""
    return PlanStore()


st.session_state["store"] = plan_store()

lang = st.sidebar.radio("Sprache / Language", ["en", "de"], horizontal=True, key="lang",
                        format_func={"en": "English", "de": "Deutsch"}.get)

navigation = st.navigation(
    [st.Page(PAGES / "conflicts.py", title="Konflikte" if lang == "de" else "Conflicts",
             icon="⚠️", url_path="conflicts", default=True)]
)
navigation.run()
