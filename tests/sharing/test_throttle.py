"""Guessing is slowed down: failed sign-ins and unknown secret links, counted per client
address, make that address wait, and while it waits nothing it sends is even looked up (so a
right guess cannot be told from a wrong one)."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from starlette.requests import Request
from support.pages import PASSWORD, guest_app, new_app, ran, sign_in, title

import planner.sharing.feed_routes as feedserver
from planner.sharing.throttle import LINK_GUESSES, SIGN_IN_FAILURES, Throttle, minutes


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_a_throttle_counts_failures_per_key_in_a_sliding_window():
    clock = Clock()
    throttle = Throttle(limit=3, window=60, clock=clock)
    for second in (0, 10, 20):
        clock.now = 1000 + second
        assert throttle.wait("a") == 0
        throttle.attempt("a")
    assert throttle.wait("a") == pytest.approx(40)  # the first failure is 60 s old at 1060
    assert throttle.wait("b") == 0 and throttle.wait(None) == 0  # others are not affected
    clock.now = 1060
    assert throttle.wait("a") == 0  # one failure left the window
    throttle.attempt("a")
    assert throttle.wait("a") == pytest.approx(10)
    clock.now = 1200
    assert throttle.wait("a") == 0


def test_a_throttle_keeps_bounded_memory():
    throttle = Throttle(limit=2, window=60, clock=Clock(), max_keys=100)
    for n in range(1000):
        throttle.attempt(f"10.0.{n // 256}.{n % 256}")
    assert len(throttle._failures) == 100
    with pytest.raises(ValueError):
        Throttle(limit=0, window=1)
    assert minutes(1) == 1 and minutes(60) == 1 and minutes(61) == 2


def _feed_request(token: str, address: str) -> Request:
    return Request(
        {
            "type": "http",
            "method": "GET",
            "path": f"/feeds/{token}.ics",
            "query_string": b"",
            "headers": [],
            "path_params": {"token": token},
            "client": (address, 40000),
        }
    )


def test_feed_token_guessing_is_cut_off_per_address(store, monkeypatch):
    monkeypatch.setattr(feedserver, "shared_store", lambda: store)
    store.publish(user="test")
    _, token = store.create_feed_token("delegation", "amiens")
    assert feedserver.secret_feed(_feed_request(token, "203.0.113.5")).status_code == 200
    for n in range(LINK_GUESSES.limit):
        assert feedserver.secret_feed(_feed_request(f"guess{n:040d}", "203.0.113.5")).status_code == 404
    # Now even the right token is not looked up for that address: a hit would look like a miss.
    blocked = feedserver.secret_feed(_feed_request(token, "203.0.113.5"))
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 500
    assert b"BEGIN:VCALENDAR" not in blocked.body
    # Another address is served as before.
    assert feedserver.secret_feed(_feed_request(token, "198.51.100.7")).status_code == 200


def test_guest_link_guessing_in_the_app_is_cut_off(store):
    store.publish(user="test")
    _, token = store.create_feed_token("guest", "amiens")
    for n in range(LINK_GUESSES.limit):
        app = guest_app(f"guess{n:040d}")
        assert "not valid" in app.error[0].value
    app = guest_app(token)  # the right link, but from an address that has been guessing
    assert not app.exception and not app.title and not app.dataframe
    assert len(app.error) == 1
    assert re.fullmatch(r"Too many invalid links from your address\. Please try again in (9|10) minutes\.", app.error[0].value)
    LINK_GUESSES.clear()  # ten minutes later
    assert title(guest_app(token)) == "Welcome, delegation of Amiens!"


def test_sign_in_guessing_is_cut_off_across_account_names(store):
    store.add_user("anna", "admin", PASSWORD)
    app = ran(new_app())
    # Spraying one password over many names never locks an account, but the address stops.
    for n in range(SIGN_IN_FAILURES.limit):
        sign_in(app, f"user{n}", "Summer2027!")
        assert [e.value for e in app.error] == ["Wrong name or password."]
    sign_in(app, "anna")  # right, but not even tried now
    assert title(app) == "Sign in"
    assert len(app.error) == 1
    assert re.fullmatch(r"Too many failed sign-ins from your address\. Please try again in (9|10) minutes\.", app.error[0].value)
    assert "user" not in app.session_state
    SIGN_IN_FAILURES.clear()
    sign_in(app, "anna")
    assert title(app) == "Overview"


def test_an_expired_link_is_no_guess_either(store, monkeypatch):
    import planner.storage.link_tokens as store_module

    monkeypatch.setattr(feedserver, "shared_store", lambda: store)
    _, token = store.create_feed_token("delegation", "amiens", expires=datetime.now(UTC) + timedelta(hours=1))
    later = store_module.now_micros() + 2 * 3600 * 1_000_000
    monkeypatch.setattr(store_module, "now_micros", lambda: later)
    assert store.look_up_token(token) == (None, True)
    for _ in range(2 * LINK_GUESSES.limit):
        assert feedserver.secret_feed(_feed_request(token, "203.0.113.5")).status_code == 404
    assert LINK_GUESSES.wait("203.0.113.5") == 0


def test_a_burst_of_parallel_attempts_stays_within_the_limit():
    """Checking and counting are one step: a hundred requests at the same moment get exactly
    `limit` tries, not a hundred."""
    throttle = Throttle(limit=30, window=600)
    barrier = threading.Barrier(100)
    allowed = []

    def guess():
        barrier.wait()
        if throttle.attempt("203.0.113.5") == 0:
            allowed.append(1)

    threads = [threading.Thread(target=guess) for _ in range(100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(allowed) == 30
    throttle.forgive("203.0.113.5")  # one of them was right after all: one more try
    assert throttle.attempt("203.0.113.5") == 0 and throttle.attempt("203.0.113.5") > 0


def test_revoked_and_expired_links_polled_by_calendar_apps_are_no_guesses(store, monkeypatch):
    """Google's or Microsoft's servers fetch many people's subscriptions from one address and
    keep polling links revoked long ago: those answer 404 but never block the address."""
    monkeypatch.setattr(feedserver, "shared_store", lambda: store)
    store.publish(user="test")
    revoked, old_token = store.create_feed_token("delegation", "leeds")
    store.revoke_feed_token(revoked)
    _, token = store.create_feed_token("delegation", "amiens")
    for _ in range(3 * LINK_GUESSES.limit):
        assert feedserver.secret_feed(_feed_request(old_token, "203.0.113.5")).status_code == 404
    assert feedserver.secret_feed(_feed_request(token, "203.0.113.5")).status_code == 200
    assert store.look_up_token(old_token) == (None, True) and store.look_up_token(token) == (("delegation", "amiens"), True)
    assert store.look_up_token("x" * 43) == (None, False) and store.look_up_token(None) == (None, False)
    # and in the app: an old guest link shows "not valid" as often as it is opened, but a
    # guessed one counts
    number, guest_token = store.create_feed_token("guest", "amiens")
    store.revoke_feed_token(number)
    for _ in range(LINK_GUESSES.limit + 1):
        assert "not valid" in guest_app(guest_token).error[0].value
    assert LINK_GUESSES.wait(None) == 0
