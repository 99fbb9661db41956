"""Local accounts: hashed passwords, roles, lock-out after repeated failures, the CLI."""

import os
import subprocess
import sys

import pytest
from support.paths import ROOT

from planner import PlanError
from planner.storage import PlanStore
from planner.storage.account_rules import hash_password, password_matches
from planner.storage.database import now_micros
from planner.storage.schema import USERS


@pytest.fixture
def store(tmp_path):
    opened = PlanStore(f"sqlite:///{tmp_path}/planner.db")
    yield opened
    opened.close()


def test_password_is_stored_only_as_a_salted_hash(store):
    store.add_user("anna", "protocol", "correct horse battery")
    with store.engine.connect() as connection:
        stored = connection.execute(USERS.select()).first().password_hash
    assert "correct horse" not in stored and stored.startswith("scrypt$")
    assert hash_password("correct horse battery") != hash_password("correct horse battery")  # salted
    assert password_matches("correct horse battery", stored) and not password_matches("correct horse batterY", stored)


def test_authenticate_gives_the_role(store):
    store.add_user("anna", "protocol", "correct horse battery")
    assert store.authenticate("anna", "correct horse battery") == "protocol"
    assert store.authenticate("anna", "wrong password!") is None
    assert store.authenticate("nobody", "correct horse battery") is None


def test_lock_out_after_five_failures(store):
    store.add_user("anna", "admin", "correct horse battery")
    for _ in range(5):
        assert store.authenticate("anna", "guess guess guess") is None
    # Locked: even the right password is refused for now.
    assert store.authenticate("anna", "correct horse battery") is None
    with store.engine.begin() as connection:
        connection.execute(USERS.update().values(locked_until=now_micros() - 1))
    assert store.authenticate("anna", "correct horse battery") == "admin"


def test_names_roles_and_passwords_are_checked(store):
    with pytest.raises(PlanError, match="at least 10 characters"):
        store.add_user("anna", "admin", "short")
    with pytest.raises(PlanError, match="expected one of admin, protocol, organiser, viewer"):
        store.add_user("anna", "king", "correct horse battery")
    store.add_user("anna", "viewer", "correct horse battery")
    with pytest.raises(PlanError, match="exists already"):
        store.add_user("anna", "viewer", "correct horse battery")
    assert store.users() == [("anna", "viewer")]


def test_user_cli(tmp_path):
    env = {**os.environ, "PLANNER_DB_URL": f"sqlite:///{tmp_path}/planner.db"}

    def run(*args, stdin=""):
        return subprocess.run(
            [sys.executable, "-m", "planner", "user", *args],
            cwd=ROOT,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert run("add", "anna", "--role", "protocol", stdin="correct horse battery\n").returncode == 0
    assert run("list").stdout == "anna\tprotocol\n"
    short = run("add", "ben", "--role", "viewer", stdin="short\n")
    assert short.returncode == 2 and short.stderr == "error: password: must have at least 10 characters\n"
    assert run("set", "anna", "--role", "viewer").returncode == 0 and run("list").stdout == "anna\tviewer\n"
    assert run("set", "anna", "--password", stdin="another long password\n").returncode == 0
    from planner.storage import PlanStore

    store = PlanStore(env["PLANNER_DB_URL"])
    assert store.authenticate("anna", "another long password") == "viewer"
    store.close()
    nothing = run("set", "anna")
    assert nothing.returncode == 2 and "nothing to change" in nothing.stderr
    assert run("remove", "anna").returncode == 0 and run("list").stdout == ""
    assert run("remove", "anna").returncode == 2


def test_unknown_wrong_and_locked_sign_ins_do_the_same_work(store, monkeypatch):
    """The time a refusal takes must not tell whether a name exists or is locked: each tries
    exactly one password hash."""
    import planner.storage.account_rules as accounts

    tried = []
    real = accounts.password_matches
    monkeypatch.setattr(accounts, "password_matches", lambda *args: tried.append(1) or real(*args))
    store.add_user("anna", "admin", "correct horse battery")
    for name, password in (("nobody", "guess guess guess"), ("anna", "guess guess guess")):
        tried.clear()
        assert store.authenticate(name, password) is None
        assert len(tried) == 1, name
    for _ in range(5):
        store.authenticate("anna", "guess guess guess")
    for password in ("guess guess guess", "correct horse battery"):  # locked now
        tried.clear()
        assert store.authenticate("anna", password) is None
        assert len(tried) == 1
