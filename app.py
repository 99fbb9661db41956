"""DORTBUNT! planner — `streamlit run app.py` serves the app (home.py and views/) together with
the subscribable calendar feeds under /feeds/ (planner/feedserver.py) and the office's
downloads under /downloads/ (planner/downloads.py); every browser gets its `planner_browser`
cookie (planner/browsers.py), which sign-ins and download links are bound to."""

import streamlit as st
from starlette.middleware import Middleware

from planner.browsers import BrowserCookie
from planner.downloads import download_route
from planner.feedserver import feed_routes, shared_store

app = st.App("home.py", routes=[*feed_routes(), download_route(shared_store)], middleware=[Middleware(BrowserCookie)])
