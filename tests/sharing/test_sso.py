"""Optional single sign-on (st.login), driven through AppTest's simulated identity provider:
a mapped address gets its role even when local accounts exist, an unmapped one gets nothing,
and without `[auth]` in the secrets the sign-in page offers no single sign-on."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from support.paths import ROOT

from planner.sharing.access import Editor, Forbidden
from planner.storage import PlanStore

SECRETS = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "x" * 32,
        "client_id": "planner",
        "client_secret": "secret",
        "server_metadata_url": "https://login.example.org/.well-known/openid-configuration",
    },
    "planner": {"sso_roles": {"Anna@Dortmund.de": "protocol", "*@stadtdo.de": "viewer"}},
}


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANNER_DB_URL", f"sqlite:///{tmp_path}/sso.db")
    opened = PlanStore()
    opened.add_user("root", "admin", "correct horse battery")  # accounts exist: everyone signs in
    yield opened
    opened.close()


def app_as(user: dict | None, secrets: dict | None = SECRETS) -> AppTest:
    app = AppTest.from_file(str(ROOT / "home.py"), default_timeout=60)
    if secrets is not None:
        app.secrets.update(secrets)
    if user is not None:
        app.user = user
    app.run()
    assert not app.exception, app.exception
    return app


def test_a_mapped_address_signs_in_with_its_role(store):
    app = app_as({"is_logged_in": True, "email": "anna@dortmund.de", "name": "Anna"})
    assert app.title[0].value == "Overview"
    assert any(c.value == "anna@dortmund.de (protocol)" for c in app.sidebar.caption)
    app.switch_page(str(ROOT / "views" / "delegations.py")).run()
    assert not app.exception and app.title[0].value == "Delegations"
    assert any(b.label == "Add event" for b in app.button)
    # The same check the pages' saves go through.
    editor = Editor(store, "anna@dortmund.de", local=False, via="sso", sso_roles=SECRETS["planner"]["sso_roles"])
    assert editor.role() == "protocol"
    with pytest.raises(Forbidden):
        editor.add_user("mallory", "admin", "correct horse battery")


def test_a_domain_gets_its_role(store):
    app = app_as({"is_logged_in": True, "email": "bert@stadtdo.de"})
    assert any(c.value == "bert@stadtdo.de (viewer)" for c in app.sidebar.caption)
    with pytest.raises(ValueError):  # viewers have no Admin page
        app.switch_page(str(ROOT / "views" / "admin.py"))


def test_an_unmapped_address_gets_nothing(store):
    app = app_as({"is_logged_in": True, "email": "eve@example.org"})
    assert app.title[0].value == "Sign in"
    assert any("no role in this planner" in w.value for w in app.warning)


def test_with_single_sign_on_there_is_no_local_admin(tmp_path, monkeypatch):
    """Without local accounts this machine is admin, unless single sign-on is configured: such a
    server is meant for the network, so everyone signs in."""
    monkeypatch.setenv("PLANNER_DB_URL", f"sqlite:///{tmp_path}/no-accounts.db")
    store = PlanStore()
    app = app_as({"is_logged_in": False})
    assert app.title[0].value == "Sign in"
    assert Editor(store, None, local=True, sso_configured=True).role() is None
    assert Editor(store, None, local=True).role() == "admin"
    store.close()


def test_an_address_and_a_local_account_of_the_same_name_are_separate(store):
    store.add_user("boss@stadtdo.de", "admin", "correct horse battery")
    roles = SECRETS["planner"]["sso_roles"]
    assert Editor(store, "boss@stadtdo.de", local=False, via="sso", sso_roles=roles).role() == "viewer"
    assert Editor(store, "boss@stadtdo.de", local=False, via="local", sso_roles=roles).role() == "admin"
    app = app_as({"is_logged_in": True, "email": "boss@stadtdo.de"})
    assert any(c.value == "boss@stadtdo.de (viewer)" for c in app.sidebar.caption)


def test_an_unverified_address_gets_nothing(store):
    app = app_as({"is_logged_in": True, "email": "anna@dortmund.de", "email_verified": False})
    assert app.title[0].value == "Sign in"


def test_the_sign_in_page_offers_single_sign_on_only_when_configured(store):
    app = app_as({"is_logged_in": False})
    assert app.title[0].value == "Sign in"
    assert any(b.label == "Sign in with single sign-on" for b in app.button)
    plain = app_as(None, secrets=None)
    assert plain.title[0].value == "Sign in"
    assert not any(b.label == "Sign in with single sign-on" for b in plain.button)
