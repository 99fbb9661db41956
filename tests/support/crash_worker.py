"""A process for tests/storage/test_crash.py to kill with SIGKILL: it writes to a plan database in a loop.

    python tests/support/crash_worker.py MODE DATABASE-URL FOLDER

- ``import``: ``db import --replace`` of FOLDER/plan-a.json and FOLDER/plan-b.json, in turn.
- ``edit``: changes the two events `EDITED` in one transaction, both titles to "edit N" with N
  counting on from what the database holds, and after each edit backs the database up to
  FOLDER/backup.db.
- ``restore``: ``db restore --yes`` of FOLDER/backup-a.db and FOLDER/backup-b.db (PostgreSQL:
  ``.dump``), in turn.

It prints "ready" when it begins to write, then writes until it is killed.
"""

import re
import sys
from itertools import count
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository, for `planner`

from planner.cli.main import main
from planner.storage import PlanStore

#: The events an edit changes together: both always carry the same title "edit N".
EDITED = ("arrival-xian", "arrival-zhytomyr")
EDIT_TITLE = re.compile(r"edit (\d+)")


def edits_in_title(title: str) -> int:
    """N of a title "edit N"; 0 for a title no edit wrote."""
    found = EDIT_TITLE.fullmatch(title)
    return int(found.group(1)) if found else 0


def _cli(*arguments: str) -> None:
    if main(list(arguments)) != 0:
        raise SystemExit(f"the command {arguments} failed")


def import_in_turn(url: str, folder: Path) -> None:
    files = [folder / "plan-a.json", folder / "plan-b.json"]
    print("ready", flush=True)
    for turn in count():
        _cli("db", "--db", url, "--user", "crash", "import", "--replace", str(files[turn % 2]))


def edit_and_back_up(url: str, folder: Path) -> None:
    store = PlanStore(url)
    (first, first_version), (_, second_version) = (store.event(event_id) for event_id in EDITED)
    edits = edits_in_title(first.title)
    print("ready", flush=True)
    while True:
        edits += 1
        title = {"title": f"edit {edits}"}
        versions = store.edit_events(
            changed={EDITED[0]: (title, first_version), EDITED[1]: (title, second_version)}, user="crash"
        )
        first_version, second_version = versions[EDITED[0]], versions[EDITED[1]]
        store.backup(folder / "backup.db")


def restore_in_turn(url: str, folder: Path) -> None:
    suffix = ".db" if url.startswith("sqlite") else ".dump"
    files = [folder / f"backup-a{suffix}", folder / f"backup-b{suffix}"]
    print("ready", flush=True)
    for turn in count():
        _cli("db", "--db", url, "--user", "crash", "restore", "--yes", str(files[turn % 2]))


if __name__ == "__main__":
    mode, url, folder = sys.argv[1:]
    {"import": import_in_turn, "edit": edit_and_back_up, "restore": restore_in_turn}[mode](url, Path(folder))
