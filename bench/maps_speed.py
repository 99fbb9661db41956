"""Benchmark of maps and timelines for a plan of 5,000 events.

Run from the repository root:  python bench/maps_speed.py [--events 5000] [--repeat 3]

Uses the plan generator of bench/check_speed.py (5,000 events: about 18 days of the city) and
times each builder: the venue map with conflicts, a delegation's busiest day, the festival at
its busiest moment, and the timelines by venue, delegation and person (whole plan).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from check_speed import city_plan  # noqa: E402

from planner import check, parse_plan  # noqa: E402
from planner.exports.maps import conflicts_map, delegation_day_map, festival_map  # noqa: E402
from planner.exports.timelines import timeline_figure  # noqa: E402
from planner.plan.clock import WallClock, zone_named  # noqa: E402


def best(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        function()
        times.append(time.perf_counter() - began)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    plan = parse_plan(city_plan(args.events))
    conflicts = check(plan)
    clock = WallClock(zone_named(plan.timezone, "timezone"))
    delegation, day = Counter((d, clock.local_date(e.start)) for e in plan.events for d in e.delegations).most_common(1)[0][0]
    busiest = Counter(e.start for e in plan.events if e.kind == "festival_slot").most_common(1)[0][0]
    cases = {
        "venue map with conflicts": lambda: conflicts_map(plan, conflicts).to_json(),
        "a delegation's day": lambda: delegation_day_map(plan, delegation, day).to_json(),
        "festival at a moment": lambda: festival_map(plan, busiest).to_json(),
        "timeline by venue": lambda: timeline_figure(plan, "venue", None, conflicts),
        "timeline by delegation": lambda: timeline_figure(plan, "delegation", None, conflicts),
        "timeline by person": lambda: timeline_figure(plan, "person", None, conflicts),
    }
    print(f"{len(plan.events):,} events, {len(conflicts):,} conflicts")
    for name, build in cases.items():
        print(f"  {name:<26} {best(build, args.repeat):.3f} s")


if __name__ == "__main__":
    main()
