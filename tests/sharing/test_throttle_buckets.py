"""Guessing limits count per bucket of an address, not per exact address: every loopback
address (any 127.x.y.z reaches a server on 127.0.0.1) is one machine, and an IPv6 address
counts by its /64 network, so that changing the source address does not buy fresh guesses."""

from __future__ import annotations

import http.client
import urllib.parse

import pytest

from planner.sharing.throttle import LINK_GUESSES, Throttle, bucket


def _spent(throttle: Throttle, *keys) -> None:
    """Make one attempt per key, in turn, until the limit is used up."""
    for n in range(throttle.limit):
        assert throttle.attempt(keys[n % len(keys)]) == 0


def test_buckets():
    assert {bucket(a) for a in (None, "", "127.0.0.1", "127.0.0.12", "127.1.2.3", "::1", "::ffff:127.0.0.9", " 127.0.0.13 ")} == {
        "local"
    }
    assert bucket("2001:db8:1:2::5") == bucket("2001:db8:1:2:ffff:ee::1") == "2001:db8:1:2::/64"
    assert bucket("2001:db8:1:3::5") != bucket("2001:db8:1:2::5")
    assert bucket("203.0.113.5") == "203.0.113.5" and bucket("::ffff:203.0.113.5") == "203.0.113.5"
    assert bucket(" not-an-address ") == "not-an-address"


def test_every_loopback_address_and_none_share_one_limit():
    throttle = Throttle(limit=8, window=600)
    _spent(throttle, "127.0.0.12", "127.0.0.13", "127.1.2.3", None)
    for key in ("127.0.0.12", "127.0.0.13", "127.1.2.3", None, "127.9.9.9", "::1", "::ffff:127.0.0.1"):
        assert throttle.attempt(key) > 0 and throttle.wait(key) > 0
    assert throttle.attempt("203.0.113.5") == 0


def test_an_ipv6_network_of_64_bits_shares_one_limit():
    throttle = Throttle(limit=4, window=600)
    _spent(throttle, "2001:db8:1:2::1", "2001:db8:1:2:aaaa:bbbb:cccc:dddd")
    assert throttle.attempt("2001:db8:1:2::99") > 0
    assert throttle.attempt("2001:db8:1:3::1") == 0  # another /64


def test_two_ipv4_addresses_have_a_limit_each():
    throttle = Throttle(limit=3, window=600)
    _spent(throttle, "203.0.113.5")
    assert throttle.attempt("203.0.113.5") > 0
    assert throttle.attempt("203.0.113.6") == 0


def test_forgive_takes_back_an_attempt_of_the_bucket():
    throttle = Throttle(limit=2, window=600)
    assert throttle.attempt("127.0.0.12") == 0
    assert throttle.attempt("127.0.0.13") == 0
    assert throttle.wait(None) > 0
    throttle.forgive("127.1.2.3")  # the same machine
    assert throttle.wait("127.0.0.12") == 0
    assert throttle.attempt("2001:db8::1") == 0 and throttle.attempt("2001:db8::2") == 0
    throttle.forgive("2001:db8::ffff")
    assert throttle.wait("2001:db8::1") == 0


def _guess(base: str, number: int, source: str) -> int:
    """The status of a request for a feed link that was never issued, sent from `source`."""
    port = urllib.parse.urlsplit(base).port
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    try:
        connection.request("GET", f"/feeds/guess{number:038d}.ics")
        return connection.getresponse().status
    finally:
        connection.close()


def test_the_server_counts_all_loopback_source_addresses_together(tmp_path, monkeypatch):
    import socket

    probe = socket.socket()
    try:
        probe.bind(("127.0.0.12", 0))
    except OSError:
        pytest.skip("this machine cannot send from 127.0.0.12")
    finally:
        probe.close()
    from support.appserver import running_app

    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    with running_app(tmp_path) as (base, _):
        sources = ("127.0.0.12", "127.0.0.13")
        statuses = [_guess(base, n, sources[n % 2]) for n in range(LINK_GUESSES.limit + 1)]
    assert statuses == [404] * LINK_GUESSES.limit + [429]
