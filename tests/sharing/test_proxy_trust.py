"""X-Forwarded-For counts only from proxies the operator names (FORWARDED_ALLOW_IPS): without
them, a process on this machine that sends a new forwarded address with every guess is still
one address to the guessing limit of the real server."""

from __future__ import annotations

import urllib.error
import urllib.request

from support.appserver import running_app

from planner.sharing.throttle import LINK_GUESSES


def _guess(base: str, number: int, forwarded_for: str) -> int:
    """The status of a request for a feed link that was never issued."""
    request = urllib.request.Request(f"{base}/feeds/guess{number:038d}.ics", headers={"X-Forwarded-For": forwarded_for})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _local(base: str) -> str:
    # By number: "localhost" may be ::1 as well, and the operator below names 127.0.0.1.
    return base.replace("localhost", "127.0.0.1")


def test_forwarded_addresses_from_this_machine_are_ignored_unless_named(tmp_path, monkeypatch):
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    with running_app(tmp_path) as (base, _):
        statuses = [_guess(_local(base), n, f"203.0.113.{n}") for n in range(LINK_GUESSES.limit + 1)]
    assert statuses == [404] * LINK_GUESSES.limit + [429]


def test_a_proxy_the_operator_names_passes_each_browsers_address(tmp_path, monkeypatch):
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "127.0.0.1")
    with running_app(tmp_path) as (base, _):
        statuses = [_guess(_local(base), n, f"203.0.113.{n}") for n in range(LINK_GUESSES.limit + 1)]
        # One browser behind it that keeps guessing is still stopped.
        again = [_guess(_local(base), n, "198.51.100.7") for n in range(LINK_GUESSES.limit + 1)]
    assert statuses == [404] * (LINK_GUESSES.limit + 1)
    assert again == [404] * LINK_GUESSES.limit + [429]
