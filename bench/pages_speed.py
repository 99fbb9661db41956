"""Benchmark of the app's pages with a database of 5,000 events.

Run from the repository root:  python bench/pages_speed.py [--events 5000] [--repeat 5]

Builds a city-scale plan (the generator of bench/check_speed.py) with 5,000 events in a fresh
SQLite database, publishes it, and runs every page of the app with Streamlit's AppTest as the
admin (who sees the most) and the guest page through a guest link. For each page it reports
the wall time of one script run, AppTest's own overhead included (so the script itself is
faster than shown):

- **warm**: the best of `--repeat` runs once the caches hold the draft and its check;
- **after an edit**: the first run after another user changed an event, when the draft, its
  conflicts and the release diff are loaded and computed again.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from check_speed import city_plan  # noqa: E402

PAGES = ["overview", "delegations", "golden_book", "festival", "timeline_map", "conflicts", "calendars", "admin"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="pages-bench-")
    os.environ["PLANNER_DB_URL"] = f"sqlite:///{folder}/bench.db"

    from streamlit.testing.v1 import AppTest

    from planner import parse_plan
    from planner.storage import PlanStore

    store = PlanStore(fill_new=False)
    plan = parse_plan(city_plan(args.events))
    store.import_plan(plan, user="bench")
    store.publish("bench", user="bench")
    delegation = next(iter(plan.delegations))
    _, token = store.create_feed_token("guest", delegation, user="bench")
    movable = [e for e in plan.events if e.kind == "meeting"][:1000]

    def edit(number: int) -> None:
        event = movable[number]
        _, version = store.event(event.id)
        store.update_event(event.id, {"title": f"{event.title} ({number})"}, expected_version=version, user="other")

    print(
        f"{args.events:,} events, {len(plan.delegations):,} delegations, {len(plan.venues)} venues, "
        f"{len(plan.people)} people; best of {args.repeat}"
    )
    print(f"{'page':<14} {'warm':>8} {'after an edit':>14}")
    edits = 0
    worst = 0.0
    for page in [*PAGES, "guest"]:
        app = AppTest.from_file(str(ROOT / "home.py"), default_timeout=120)
        if page == "guest":
            app.query_params["g"] = token
        app.run()
        if page != "guest":
            app.switch_page(str(ROOT / "views" / f"{page}.py")).run()
        assert not app.exception, (page, app.exception)
        warm = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            app.run()
            warm.append(time.perf_counter() - began)
            assert not app.exception, (page, app.exception)
        cold = []
        for _ in range(args.repeat):
            edit(edits)
            edits += 1
            began = time.perf_counter()
            app.run()
            cold.append(time.perf_counter() - began)
            assert not app.exception, (page, app.exception)
        worst = max(worst, min(warm), min(cold))
        print(f"{page:<14} {min(warm):>7.3f}s {min(cold):>13.3f}s")
    print(f"slowest: {worst:.3f} s (target: under 0.5 s)")
    store.close()


if __name__ == "__main__":
    main()
