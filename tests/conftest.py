"""Shared test settings: hypothesis profiles, a database of the tests' own, and the fixtures
tests in several folders use. The tools tests import live in `support`."""

import os
import tempfile

import pytest
from hypothesis import HealthCheck, settings
from icalendar.timezone import tzp

from planner.sharing.throttle import LINK_GUESSES, SIGN_IN_FAILURES
from planner.storage import PlanStore

settings.register_profile("ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")

# Tests never touch the user's own database: the app and the CLI get a fresh SQLite file.
os.environ["PLANNER_DB_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='planner-tests-')}/planner.db"
os.environ.pop("PLANNER_START_EMPTY", None)


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Each test starts with no failed sign-ins or link guesses counted (pages tested with
    AppTest run in this process and all come from the same address)."""
    LINK_GUESSES.clear()
    SIGN_IN_FAILURES.clear()
    yield


@pytest.fixture(autouse=True)
def _fresh_calendar_zones():
    """Each test reads calendars' time zones as they are written: icalendar keeps the zone of
    every VTIMEZONE it parses whose TZID it does not know (a Windows name such as "W. Europe
    Standard Time"), process-wide, and the first definition wins; a hostile calendar of the
    input fuzz tests would otherwise decide how a later test reads Outlook's zone. Choosing
    the provider again empties that cache."""
    yield
    tzp.use(tzp.name)


@pytest.fixture
def store(tmp_path, monkeypatch) -> PlanStore:
    """A database of this test's own, holding the sample plan; the app opens the same URL."""
    monkeypatch.setenv("PLANNER_DB_URL", f"sqlite:///{tmp_path}/planner.db")
    created = PlanStore()
    yield created
    created.close()


@pytest.fixture
def usual_umask():
    """The umask most systems give a login: new files 0644, new folders 0755 (for the tests
    of file modes: `pytestmark = pytest.mark.usefixtures("usual_umask")`)."""
    before = os.umask(0o022)
    yield
    os.umask(before)
