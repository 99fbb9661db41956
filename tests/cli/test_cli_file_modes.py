"""Every file the command line writes with -o holds internal data (notes, people, phone
numbers): it is readable by its owner only (0600), whatever the umask."""

from __future__ import annotations

import os

import pytest
from support.files import mode
from support.paths import DATA

from planner.cli.main import main

pytestmark = pytest.mark.usefixtures("usual_umask")  # new files 0644 unless the planner says otherwise


def _plan() -> str:
    return str(DATA / "dortbunt-2027.json")


@pytest.mark.parametrize(
    "command, name",
    [
        (["export-table", "--all"], "x.csv"),
        (["export-table", "--all"], "x.xlsx"),
        (["export-ics", "--all"], "x.ics"),
        (["export-timeline"], "x.html"),
    ],
)
def test_exports_are_private(tmp_path, command, name):
    out = tmp_path / name
    out.write_bytes(b"old")
    out.chmod(0o644)  # an earlier file's mode is not kept either
    assert main([*command, _plan(), "-o", str(out)]) == 0
    assert mode(out) == 0o600 and out.read_bytes() != b"old"
    assert os.umask(0o022) == 0o022  # and the umask is as it was
