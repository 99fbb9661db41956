"""Placing items with OR-Tools CP-SAT: run the search, read the placements, explain infeasibility by a small core.

`place` puts items (requests, or events that repair may move) among the plan's fixed events so
that no rule of SPEC §3 breaks for what is placed; `schedule` does it for requests and returns
the plan with them; `troubles` lists what `place` promises to avoid.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta

from ortools.sat.python import cp_model

from planner.plan.clock import from_micros, micros
from planner.plan.model import Event, Plan
from planner.rules.engine import Conflict, check
from planner.scheduling.items import Item, Outcome, Placement, item_of, to_event
from planner.scheduling.requests import Request
from planner.scheduling.sat_model import Model
from planner.scheduling.start_domains import STEP, Frame

#: Default search budget in CP-SAT's deterministic work units (about 3 s of work on a 2-core
#: machine each): what stops the search when the time limit does not, so that the same input
#: and seed give the same plan whatever the machine's load.
WORK_LIMIT = 3.0


def solver(time_limit: float, seed: int, workers: int, work_limit: float | None = WORK_LIMIT) -> cp_model.CpSolver:
    """A CP-SAT solver with these limits, seed and number of workers, deterministic where it can be."""
    found = cp_model.CpSolver()
    p = found.parameters
    p.max_time_in_seconds = time_limit
    if work_limit is not None:
        p.max_deterministic_time = work_limit
    p.random_seed = seed
    p.num_workers = workers
    # Workers run in deterministic batches: the same input and seed give the same plan (as
    # long as the search ends by itself or by the work limit, not by the wall-clock limit).
    p.interleave_search = True
    return found


STATUS = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.MODEL_INVALID: "invalid",
    cp_model.UNKNOWN: "unknown",
}


def read_placements(model: Model, solver_: cp_model.CpSolver) -> list[Placement]:
    """The placements in the solution `solver_` found for `model`."""
    frame = model.frame
    found = []
    for item in model.items:
        if item.id not in model.present or not solver_.boolean_value(model.present[item.id]):
            continue
        if item.original is not None and solver_.value(model.q[item.id]) == 0:
            start = item.original  # exactly where it was, seconds and all
        else:
            start = frame.instant(solver_.value(model.start[item.id]))
        venue = next(v for v, lit in model.venue_lit[item.id].items() if solver_.boolean_value(lit))
        chosen = [p for (n, p), lit in sorted(model.chosen[item.id].items()) if solver_.boolean_value(lit)]
        people = tuple(dict.fromkeys((*item.people, *chosen)))
        found.append(Placement(item, start, start + timedelta(minutes=item.duration), venue, people))
    return found


def place(
    plan: Plan,
    items: list[Item],
    fixed: list[Event] | None = None,
    *,
    step: int = STEP,
    time_limit: float = 10.0,
    seed: int = 0,
    workers: int = 2,
    work_limit: float | None = WORK_LIMIT,
    repair: bool = False,
) -> Outcome:
    """Place `items` among `fixed` (the plan's events by default); `planner.scheduling.sat_model`
    describes the model."""
    began = time.perf_counter()
    fixed = plan.events if fixed is None else fixed
    if not items:
        return Outcome([], [], "optimal", 0, 0)  # nothing to place
    earliest = min(a for i in items for a, _ in i.windows)
    origin = from_micros(micros(earliest) // (3_600_000_000) * 3_600_000_000) - timedelta(days=2)
    frame = Frame(plan, fixed, origin, step=step)
    model = Model(frame, items, repair=repair)
    stuck_required = [i for i in items if i.id in model.stuck and i.required]
    if stuck_required:
        return Outcome(
            [],
            [],
            "infeasible",
            stuck={i.id: model.stuck[i.id] for i in items if i.id in model.stuck},
            seconds=time.perf_counter() - began,
            frame=frame,
        )
    model.objective()
    solving = solver(time_limit, seed, workers, work_limit)
    status = solving.solve(model.model)
    name = STATUS[status]
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        outcome = Outcome([], [], name, stuck=dict(model.stuck), seconds=time.perf_counter() - began, frame=frame)
        if status == cp_model.INFEASIBLE:
            outcome.core = _core(frame, items, repair, time_limit, seed)
        return outcome
    placements = read_placements(model, solving)
    placed = {p.item.id for p in placements}
    timed_out = name == "feasible" and solving.wall_time >= time_limit * 0.98
    return Outcome(
        placements,
        [i for i in items if i.id not in placed],
        name,
        solving.objective_value,
        solving.best_objective_bound,
        time.perf_counter() - began,
        dict(model.stuck),
        timed_out=timed_out,
        frame=frame,
    )


def _core(frame: Frame, items: list[Item], repair: bool, time_limit: float, seed: int) -> list[str]:
    """A small set of required items that cannot all be placed together: every required item
    becomes optional, their placement is assumed, and the assumptions the solver needed for
    its proof are then thinned one by one."""
    relaxed = [replace(i, required=False) for i in items]
    required = [i.id for i in items if i.required]

    def infeasible(ids: list[str]) -> tuple[bool, list[str]]:
        trial = Model(frame, relaxed, repair=repair)
        trial.model.clear_objective()
        lits = [trial.present[i] for i in ids]
        trial.model.add_assumptions(lits)
        solving = solver(max(1.0, time_limit / 4), seed, 1, None)
        solving.parameters.interleave_search = False
        status = solving.solve(trial.model)
        if status != cp_model.INFEASIBLE:
            return False, ids
        used = {index for index in solving.sufficient_assumptions_for_infeasibility()}
        names = [i for i in ids if trial.present[i].index in used] or ids
        return True, names

    ok, core = infeasible(required)
    if not ok:
        return required
    for candidate in list(core):
        if len(core) <= 1:
            break
        rest = [i for i in core if i != candidate]
        still, smaller = infeasible(rest)
        if still:
            core = [i for i in rest if i in smaller] or rest
    return core


def schedule(plan: Plan, requests: list[Request], **options) -> tuple[Plan, Outcome]:
    """The plan with the requests placed (as tentative events), and how it went. The plan is
    unchanged unless every required request is placed."""
    outcome = place(plan, [item_of(r) for r in requests], **options)
    if outcome.status not in ("optimal", "feasible"):
        return plan, outcome
    by_id = {r.id: r for r in requests}
    added = [to_event(p, by_id[p.item.id]) for p in outcome.placements]
    return replace(plan, events=[*plan.events, *added]), outcome


def troubles(plan: Plan, ids: set[str], conflicts: list[Conflict] | None = None) -> list[Conflict]:
    """Conflicts `place` promises to avoid that involve one of `ids`: every error, and travel
    and changeover warnings (among `conflicts`, if the plan's are at hand already)."""
    return [
        c
        for c in (check(plan) if conflicts is None else conflicts)
        if ids.intersection(c.events) and (c.severity == "error" or c.rule in ("travel_time", "changeover"))
    ]
