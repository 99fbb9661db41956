"""Files' permission bits, for the tests of who may read what the planner writes."""

from __future__ import annotations

from pathlib import Path


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777
