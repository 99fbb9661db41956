"""Benchmark of calendar export: the internal feed (everything) of a 10,000-event plan.

Run from the repository root:  python bench/calendar_speed.py [--events 10000] [--repeat 3]

Uses the plan generator of bench/check_speed.py and times `render(plan, full_feed(plan))`,
what `python -m planner export-ics PLAN --all` does after reading the plan.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from check_speed import city_plan  # noqa: E402

from planner import parse_plan  # noqa: E402
from planner.exports.ics import full_feed, render  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    plan = parse_plan(city_plan(args.events))
    times, size = [], 0
    for _ in range(args.repeat):
        began = time.perf_counter()
        size = len(render(plan, full_feed(plan)))
        times.append(time.perf_counter() - began)
    print(f"export of {len(plan.events):,} events: {min(times):.2f} s ({size / 2**20:.1f} MiB of .ics)")


if __name__ == "__main__":
    main()
