"""DORTBUNT! planner — `streamlit run app.py` serves the app (home.py and pages/) together with
the subscribable calendar feeds under /feeds/ (planner/feedserver.py)."""

import streamlit as st

from planner.feedserver import feed_routes

app = st.App("home.py", routes=feed_routes())
