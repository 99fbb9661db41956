"""Benchmark of free-slot suggestions on a plan of 5,000 events.

Run from the repository root:  python bench/slots_speed.py [--events 5000] [--repeat 5]

For each of 20 delegations of the city-scale plan (bench/check_speed.py): a 30-minute Golden
Book signing with the Lord Mayor or one of three deputies, at the Golden Book venue or one of
two other halls, within the delegation's first three days; the best 5 slots. Reports the best
and the slowest of those 20 searches (each the best of --repeat runs).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from check_speed import city_plan  # noqa: E402

from planner import parse_plan  # noqa: E402
from planner.scheduling.free_slots import Want, free_slots  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    plan = parse_plan(city_plan(args.events))
    signatories = [p.id for p in plan.people.values() if p.role in ("mayor", "deputy_mayor")][:4]
    halls = [v.id for v in plan.venues.values() if v.golden_book] + [
        v.id for v in plan.venues.values() if v.kind == "city_hall" and not v.golden_book
    ][:2]
    first = min(e.start for e in plan.events)
    times, found = [], []
    for delegation in list(plan.delegations.values())[:20]:
        start = delegation.arrival or first
        want = Want(
            "Golden Book",
            "golden_book",
            timedelta(minutes=30),
            ((start, start + timedelta(days=3)),),
            tuple(halls),
            (delegation.id,),
            (),
            (tuple(signatories),),
        )
        best = float("inf")
        for _ in range(args.repeat):
            began = time.perf_counter()
            slots = free_slots(plan, want, 5)
            best = min(best, time.perf_counter() - began)
        times.append(best)
        found.append(len(slots))
    print(
        f"{args.events:,} events, {len(plan.delegations):,} delegations; {len(signatories)} signatories "
        f"(one of), {len(halls)} candidate venues, 3-day windows, k=5"
    )
    print(
        f"20 searches: fastest {min(times) * 1000:.0f} ms, median {sorted(times)[10] * 1000:.0f} ms, "
        f"slowest {max(times) * 1000:.0f} ms; suggestions found {min(found)}–{max(found)}"
    )


if __name__ == "__main__":
    main()
