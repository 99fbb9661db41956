"""SECURITY.md names a test for each protection: every test it names must exist, so that a
renamed or deleted test cannot leave a threat unproven while the list still looks complete."""

import re
from pathlib import Path

from support.paths import ROOT

TEXT = (ROOT / "SECURITY.md").read_text()
NAMED = re.findall(r"`(test_\w+\.py)(?:::(test_\w+))?(?:\[[^\]`]*\])?", TEXT)


def files_by_name() -> dict[str, list[Path]]:
    """Every test file under tests/ by its name (SECURITY.md names files without their folder)."""
    found: dict[str, list[Path]] = {}
    for path in (ROOT / "tests").rglob("test_*.py"):
        if "node_modules" not in path.parts:
            found.setdefault(path.name, []).append(path)
    return found


def test_every_test_named_in_security_md_exists():
    assert len(NAMED) > 40
    files = files_by_name()
    missing = []
    for file, name in NAMED:
        paths = files.get(file, [])
        if len(paths) != 1:  # none, or a name in two folders that would leave the reader guessing
            missing.append(f"{file} ({len(paths)} files of that name)" if paths else file)
        elif name and not re.search(rf"^(async )?def {name}\(", paths[0].read_text(), re.MULTILINE):
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
