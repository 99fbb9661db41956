"""SECURITY.md names a test for each protection: every test it names must exist, so that a
renamed or deleted test cannot leave a threat unproven while the list still looks complete."""

import re

from conftest import ROOT

TEXT = (ROOT / "SECURITY.md").read_text()
NAMED = re.findall(r"`(test_\w+\.py)(?:::(test_\w+))?(?:\[[^\]`]*\])?", TEXT)


def test_every_test_named_in_security_md_exists():
    assert len(NAMED) > 40
    missing = []
    for file, name in NAMED:
        path = ROOT / "tests" / file
        if not path.exists():
            missing.append(file)
        elif name and not re.search(rf"^(async )?def {name}\(", path.read_text(), re.MULTILINE):
            missing.append(f"{file}::{name}")
    assert missing == []


def test_every_threat_row_names_a_test():
    """Each row of a table headed "| threat |" or "| attack |" ends with a test."""
    rows, in_table = [], False
    for line in TEXT.splitlines():
        if line.startswith(("| threat |", "| attack |")):
            in_table = True
        elif not line.startswith("|"):
            in_table = False
        elif in_table and not line.startswith("|---"):
            rows.append(line)
    assert len(rows) > 40
    assert [row for row in rows if "`test_" not in row.rstrip(" |").rsplit("|", 1)[-1]] == []
