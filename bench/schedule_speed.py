"""Benchmark of automatic placement: 300 requests over 3 festival days, 25 venues, 40 people,
12 delegations (random festivals from tests/support/schedule_data.py, feasible by construction).

Run from the repository root:  python bench/schedule_speed.py [--seeds 1 2 3] [--long 60]

For each seed: the seconds until the first complete placement (every request placed), the
objective after 10 s and after --long seconds of search (lower is better: minutes of waiting
and travel, minus the weight of placed optional items), and whether the result passes `check`
without an error, travel or changeover conflict involving a placed event. Searches here are
stopped by wall-clock time only (no work limit), with 2 workers.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from ortools.sat.python import cp_model  # noqa: E402
from support.schedule_data import festival  # noqa: E402

from planner import parse_plan  # noqa: E402
from planner.scheduling.items import item_of, to_event  # noqa: E402
from planner.scheduling.requests import parse_requests  # noqa: E402
from planner.scheduling.sat_model import Model  # noqa: E402
from planner.scheduling.solving import read_placements as _read  # noqa: E402
from planner.scheduling.solving import solver, troubles
from planner.scheduling.start_domains import Frame  # noqa: E402


class _First(cp_model.CpSolverSolutionCallback):
    def __init__(self, present: list, began: float):
        super().__init__()
        self.present, self.began, self.first = present, began, None

    def on_solution_callback(self) -> None:
        if self.first is None and all(self.boolean_value(p) for p in self.present):
            self.first = time.perf_counter() - self.began


def run(seed: int, seconds: float) -> dict:
    plan_doc, requests_doc, _ = festival(seed)
    plan = parse_plan(plan_doc)
    requests = parse_requests(requests_doc, plan)
    items = [item_of(r) for r in requests]
    began = time.perf_counter()
    origin = min(a for i in items for a, _ in i.windows) - timedelta(days=2)
    frame = Frame(plan, plan.events, origin)
    model = Model(frame, items)
    model.objective()
    built = time.perf_counter() - began
    search = solver(seconds, 0, 2, None)
    watch = _First([model.present[i.id] for i in items], time.perf_counter())
    status = search.solve(model.model, watch)
    placements = _read(model, search)
    added = [to_event(p) for p in placements]
    placed = replace(plan, events=[*plan.events, *added])
    problems = troubles(placed, {p.item.id for p in placements})
    # The objective is (waiting and travel minutes) minus a large weight per optional item
    # placed; report the two parts separately.
    big = model.cost_bound + 1
    weights = model.weights()
    gained = sum(w for i, w in weights.items() if search.boolean_value(model.present[i]))
    minutes = search.objective_value + big * gained
    return {
        "requests": len(items),
        "required": sum(i.required for i in items),
        "placed": len(placements),
        "build": built,
        "first_complete": watch.first,
        "objective": search.objective_value,
        "cost": minutes,
        "bound": search.best_objective_bound,
        "status": search.status_name(status),
        "problems": len(problems),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--long", type=float, default=60.0)
    args = parser.parse_args()
    print(
        "seed | requests (required) | model built | first complete placement | placed, waiting+travel cost at 10 s | "
        f"the same at {args.long:g} s | gap to the bound at {args.long:g} s | check"
    )
    for seed in args.seeds:
        short, long = run(seed, 10.0), run(seed, args.long)
        first = f"{short['first_complete']:.2f} s" if short["first_complete"] is not None else "none"
        gap = long["objective"] - long["bound"]
        print(
            f"{seed} | {short['requests']} ({short['required']}) | {short['build']:.2f} s | {first} | "
            f"{short['placed']}, {short['cost']:.0f} ({short['status'].lower()}) | "
            f"{long['placed']}, {long['cost']:.0f} ({long['status'].lower()}) | {gap:.0f} | "
            f"{short['problems'] + long['problems']} problems"
        )


if __name__ == "__main__":
    main()
