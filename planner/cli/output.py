"""How the command line writes files: private to their owner, atomically, or to standard output."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

from planner.errors import PlanError


@contextlib.contextmanager
def private_files() -> Iterator[None]:
    """Every file the command line writes (-o) holds internal data (phone numbers, notes, who
    does what): readable by the owner only, like the database. The writers (plan.writing.write_atomically,
    save_plan) give a file the umask's permissions, from a temporary file that was private all
    along, so a umask of 077 around the write makes it 0600 from the moment it exists."""
    umask = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(umask)


def write_private(path: str, data: bytes) -> None:
    """Write `data` to `path` as a private file that appears whole or not at all."""
    from planner.plan.writing import write_atomically

    try:
        with private_files():
            write_atomically(path, data)
    except FileNotFoundError:
        raise PlanError("", f"cannot write {path}: no such folder") from None


def write_or_print(output: str | None, data: bytes) -> None:
    """Write `data` to the file `output` (see write_private), or without one to standard output."""
    if output:
        write_private(output, data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
