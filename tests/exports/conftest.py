"""Fixtures of the export tests: Thunderbird's calendar parser (ical.js, in tests/js)."""

import json
import shutil
import subprocess

import pytest
from support.paths import ROOT

JS = ROOT / "tests" / "js"


@pytest.fixture(scope="session")
def icaljs():
    """Thunderbird's parser; installed from the npm registry on first use."""
    node = shutil.which("node")
    assert node, "Node.js is needed to run ical.js (Thunderbird's parser)"
    if not (JS / "node_modules" / "ical.js").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=JS, check=True, capture_output=True, timeout=600)

    def parse(*paths):
        out = subprocess.run(
            [node, "parse_ics.mjs", *map(str, paths)], cwd=JS, check=True, capture_output=True, text=True, timeout=300
        )
        return json.loads(out.stdout)

    return parse
