"""DORTBUNT! planner — `streamlit run app.py` serves the app (home.py and views/) together with
the subscribable calendar feeds under /feeds/ (planner/sharing/feed_routes.py) and the office's
downloads under /downloads/ (planner/sharing/downloads.py); every browser gets its `planner_browser`
cookie (planner/sharing/browsers.py), which sign-ins and download links are bound to."""

import os

import streamlit as st
import uvicorn.config
from starlette.middleware import Middleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from planner.sharing.browsers import BrowserCookie
from planner.sharing.downloads import download_route
from planner.sharing.feed_routes import feed_routes, shared_store


def _trusting_no_proxy(inner, trusted_hosts):
    """uvicorn's proxy-header middleware believing no proxy, whatever uvicorn's default."""
    return ProxyHeadersMiddleware(inner, trusted_hosts=[])


if "FORWARDED_ALLOW_IPS" not in os.environ:
    # X-Forwarded-For counts only from proxies the operator names: uvicorn's default believes it
    # from any process on this machine, which could then escape every per-address guessing limit.
    # uvicorn reads FORWARDED_ALLOW_IPS before it imports this file (defaulting it here changes
    # nothing: measured), and builds the middleware after the import, by this name.
    uvicorn.config.ProxyHeadersMiddleware = _trusting_no_proxy

app = st.App("home.py", routes=[*feed_routes(), download_route(shared_store)], middleware=[Middleware(BrowserCookie)])
