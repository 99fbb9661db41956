"""Slowing down guessing: failed sign-ins and unknown secret links counted per client address.

A 256-bit link cannot be guessed, and accounts lock after five wrong passwords (see
`storage.PlanStore.authenticate`); this is the second line. An address that fails `limit`
times within `window` seconds must wait until its oldest counted failure is `window` old.
While it waits, its attempts are not even looked up, so that waiting cannot be used to test
links or passwords. The counts live in the app's process (one for the pages and the calendar
feeds) and start afresh when it restarts.

Behind a reverse proxy the browser's address comes from X-Forwarded-For, believed only from
the proxies named in FORWARDED_ALLOW_IPS (app.py: unset, no one, so that a program on this
machine cannot pose as many addresses); with none named every browser shares the proxy's
address (see SECURITY.md, "What the operator must do").

Failures count per bucket of an address (`bucket`), not per exact address: one machine can
send from any loopback address (127.0.0.0/8, all of which reach a server on 127.0.0.1), and
one IPv6 network usually holds a whole /64, so these would otherwise each get a fresh limit.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable


def bucket(address: str | None) -> str:
    """What failures of `address` count against: "local" for no address and every loopback one
    (127.0.0.0/8, ::1, IPv4-mapped loopback), the /64 network of an IPv6 address, an IPv4 address
    itself, and anything that is no IP address as it is (stripped)."""
    text = (address or "").strip()
    if not text:
        return "local"
    try:
        ip = ipaddress.ip_address(text.strip("[]").split("%", 1)[0])  # [v6] and zone ids too
    except ValueError:
        return text
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "local"
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


class Throttle:
    """Failures per key (a client address, counted by its `bucket`) in a sliding time window."""

    def __init__(self, limit: int, window: float, *, clock: Callable[[], float] = time.monotonic, max_keys: int = 10_000):
        if limit < 1 or window <= 0:
            raise ValueError("a throttle needs a positive limit and window")
        self.limit = limit
        self.window = window
        self.clock = clock
        self.max_keys = max_keys
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def wait(self, key: str | None) -> float:
        """Seconds `key` must wait before its next attempt is looked at (0: go ahead)."""
        key = bucket(key)
        with self._lock:
            return self._wait(self._recent(key))

    def attempt(self, key: str | None) -> float:
        """Start an attempt of `key`: 0 if it may go ahead (then it counts as a failure until
        `forgive` takes it back), else the seconds to wait (then nothing is counted). Checking
        and counting in one step keeps a burst of parallel requests within the limit."""
        key = bucket(key)
        with self._lock:
            failures = self._recent(key)
            wait = self._wait(failures)
            if not wait:
                self._count(key, failures)
            return wait

    def forgive(self, key: str | None) -> None:
        """Take back the latest attempt of `key`: it was no guess (a right password, a link that
        was issued)."""
        key = bucket(key)
        with self._lock:
            failures = self._failures.get(key)
            if failures:
                failures.pop()

    def _wait(self, failures: deque[float]) -> float:
        if len(failures) < self.limit:
            return 0.0
        return max(0.0, failures[-self.limit] + self.window - self.clock())

    def _count(self, key: str, failures: deque[float]) -> None:
        failures.append(self.clock())
        while len(failures) > self.limit:  # older ones no longer decide anything
            failures.popleft()
        self._failures[key] = failures
        self._failures.move_to_end(key)
        while len(self._failures) > self.max_keys:  # bounded memory against address floods
            self._failures.popitem(last=False)

    def clear(self) -> None:
        """Forget every failure (tests; a restart does the same)."""
        with self._lock:
            self._failures.clear()

    def _recent(self, key: str) -> deque[float]:
        failures = self._failures.get(key, deque())
        cutoff = self.clock() - self.window
        while failures and failures[0] <= cutoff:
            failures.popleft()
        if not failures:
            self._failures.pop(key, None)
        return failures


#: Guessed secret links (tokens never issued, for calendar feeds and guest pages) per address;
#: revoked and expired ones do not count, as calendar apps keep polling them.
LINK_GUESSES = Throttle(limit=30, window=600)
#: Wrong sign-ins per address, across all account names (each account also locks itself).
SIGN_IN_FAILURES = Throttle(limit=10, window=600)


def look_up_link(store, token: str, address: str | None) -> tuple[tuple[str, str] | None, float]:
    """((kind, target) of a live link or None, seconds to wait). An address that has guessed
    too often waits, and then nothing is looked up (a right guess must look like a wrong one).
    Only guesses count: a link that was issued and is now revoked or expired is none (calendar
    apps keep polling those, often many people's through one server)."""
    wait = LINK_GUESSES.attempt(address)
    if wait:
        return None, wait
    found, issued = store.look_up_token(token)
    if issued:
        LINK_GUESSES.forgive(address)
    return found, 0.0


def minutes(seconds: float) -> int:
    """Whole minutes to tell a person to wait (at least one)."""
    return max(1, int(-(-seconds // 60)))
