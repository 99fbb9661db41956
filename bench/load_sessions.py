"""Load test of the app: many people reading and editing at once against one server.

Run from the repository root:  python bench/load_sessions.py [--sessions 20] [--seconds 60]

Starts `streamlit run app.py` on a fresh SQLite database with the sample plan and an account per
person, then connects one Streamlit websocket client per person. Each speaks the browser's own
protocol (the BackMsg and ForwardMsg messages of streamlit.proto): it signs in through the
sign-in form, asks for pages, and sets widget values and clicks buttons by their element ids,
exactly the messages a browser sends, without drawing anything, so that twenty of them fit on a
small machine beside the server:

- protocol editors open pages and edit events through the event form of the Delegations page:
  each has an event of its own, and every other edit goes to an event it shares with others,
  saved at the same moment as theirs so that stale edits really race;
- organisers and viewers only read pages.

Every edit writes a marker (session, counter and the start time it sets) into the title, so the
database tells whether a title and a time came from the same save. Afterwards the database and
its audit log are checked against what the clients were told (see `verify`), and the latency of
each kind of action is reported: from sending the request until the server has finished running
the script (after any rerun the script asked for).

The scenario is tests/support/office_sessions.py, the client tests/support/streamlit_client.py
(the tests use both); this file only runs them.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from support.office_sessions import run, summary, table  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    began = time.monotonic()
    outcome, problems = run(args.sessions, args.seconds, Path(tempfile.mkdtemp(prefix="load-sessions-")))
    print(table(outcome))
    print(summary(outcome))
    print(f"whole run {time.monotonic() - began:.0f} s")
    for problem in problems:
        print("PROBLEM:", problem)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
