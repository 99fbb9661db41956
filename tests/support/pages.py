"""Helpers for the tests that drive the app's pages with Streamlit's AppTest: a new app, a run
that must not fail, signing in, a session of a role, opening a page as the navigation or a
browser's address does, a guest link, and what a run sent to the browser."""

from __future__ import annotations

import pandas as pd
from google.protobuf import text_format
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from planner.storage import PlanStore
from support.paths import ROOT

PASSWORD = "correct horse battery"


def new_app() -> AppTest:
    return AppTest.from_file(str(ROOT / "home.py"), default_timeout=60)


def ran(app: AppTest) -> AppTest:
    app.run()
    assert not app.exception, app.exception
    return app


def title(app: AppTest) -> str:
    assert len(app.title) == 1, [t.value for t in app.title]
    return app.title[0].value


def buttons(app: AppTest) -> set[str]:
    return {b.label for b in app.button}


def sign_in(app: AppTest, name: str, password: str = PASSWORD) -> AppTest:
    name_field = next(t for t in app.text_input if t.label == "Name")
    password_field = next(t for t in app.text_input if t.label in ("Password", "Passwort"))
    name_field.input(name)
    password_field.input(password)
    next(b for b in app.button if b.label in ("Sign in", "Anmelden")).click()
    return ran(app)


def session(store: PlanStore, role: str) -> AppTest:
    """A browser session of `role` (signed in with an account of that role, or, for
    "local-admin", this machine before any account exists), on its first page."""
    app = new_app()
    if role == "local-admin":
        assert not store.users()
        ran(app)
        assert any("you are admin" in c.value for c in app.sidebar.caption)
        return app
    store.add_user(f"{role}-user", role, PASSWORD)
    ran(app)
    assert title(app) == "Sign in"
    sign_in(app, f"{role}-user")
    assert title(app) == "Overview"
    assert any(c.value == f"{role}-user ({role})" for c in app.sidebar.caption)
    return app


def open_page(app: AppTest, page: str) -> AppTest:
    return ran(app.switch_page(str(ROOT / "views" / f"{page}.py")))


def request_url(app: AppTest, url_path: str) -> AppTest:
    """What a browser does when it opens ``/url_path``: it asks the server for the page whose
    script hash is the hash of that URL path (st.Page hashes its url_path). AppTest's public
    switch_page refuses pages that are not in the navigation, so set the request directly."""
    app._page_hash = calc_hash(url_path)
    return ran(app)


def guest_app(token: str, **params: str) -> AppTest:
    app = new_app()
    app.query_params["g"] = token
    for key, value in params.items():
        app.query_params[key] = value
    return app.run()


def rendered_text(app: AppTest) -> str:
    """Everything the server sent to the browser in this run, as text: every element's
    message (labels, options, values, chart specs, code) and every table's cells."""
    parts = []
    for root in (app.main, app.sidebar):
        for node in root:
            if node.type in ("dataframe", "table"):
                table = node.value
                parts.append(" ".join(map(str, table.columns)))
                parts.append(table.to_csv(index=False))
            elif getattr(node, "proto", None) is not None:
                parts.append(text_format.MessageToString(node.proto, as_utf8=True))
    return "\n".join(parts)


def dataframes_with(app: AppTest, column: str) -> list[pd.DataFrame]:
    """The tables (st.dataframe, st.data_editor or st.table) with this column."""
    tables = [*app.dataframe, *app.table]
    return [d.value for d in tables if column in d.value.columns]
