"""Shared test settings: hypothesis profiles and paths."""

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from planner.sharing.throttle import LINK_GUESSES, SIGN_IN_FAILURES

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"

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
