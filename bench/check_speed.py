"""Benchmark of `check` on a city-scale plan against the floor of only loading and sorting.

Run from the repository root:  python bench/check_speed.py  [--events 100000 10000] [--repeat 3]

It generates a plan (about 100 venues, 2,000 delegations and people, N events over a year),
writes it to a temporary file and times, in one process:
- floor: reading the file with the same JSON decoder `check` uses and sorting the events by start;
- check: what `python -m planner check --format json` does: load and validate the plan, run all
  thirteen rules, and render the JSON report with a message for every conflict.
The best of --repeat runs is reported for each.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from planner.gcpause import gc_paused  # noqa: E402
from planner.rules.report import check_file, check_json  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from support.city_plans import city_plan  # noqa: E402


def floor(path: Path, paused: bool = False) -> float:
    began = time.perf_counter()
    with gc_paused() if paused else nullcontext():
        document = json.loads(path.read_bytes().decode("utf-8-sig"))
        sorted(document["events"], key=lambda event: event["start"])
    return time.perf_counter() - began


def full_check(path: Path) -> tuple[float, dict]:
    began = time.perf_counter()
    _, report = check_file(path)
    check_json(report)
    return time.perf_counter() - began, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--shuffle", action="store_true", help="list the events in random order")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for count in args.events:
            path = Path(folder) / f"plan-{count}.json"
            path.write_text(json.dumps(city_plan(count, shuffle=args.shuffle)), encoding="utf-8")
            floors = [floor(path) for _ in range(args.repeat)]
            paused_floor = min(floor(path, paused=True) for _ in range(args.repeat))
            checks = [full_check(path) for _ in range(args.repeat)]
            report = checks[0][1]
            best_floor, best_check = min(floors), min(seconds for seconds, _ in checks)
            results[count] = best_check
            print(
                f"{count:>7} events ({path.stat().st_size / 2**20:.1f} MiB): floor {best_floor:.3f} s, "
                f"check {best_check:.3f} s = {best_check / best_floor:.2f}× floor "
                f"({best_check / paused_floor:.2f}× the floor with the collector paused, {paused_floor:.3f} s); "
                f"{report['summary']['errors']} errors, {report['summary']['warnings']} warnings"
            )
    if len(results) > 1:
        small, large = min(results), max(results)
        print(f"growth {small} → {large} events: {results[large] / results[small]:.2f}×")


if __name__ == "__main__":
    main()
