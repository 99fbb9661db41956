"""A run of `python -m planner schedule`: place requests or repair a plan, check the result, write it,
and say what happened — each placement and move, what was left out and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from planner.plan.model import Plan
from planner.plan.writing import format_instant, save_plan
from planner.rules.engine import check
from planner.rules.messages import Describer, describe
from planner.scheduling.explanations import Explainer, explain
from planner.scheduling.items import Outcome, item_of
from planner.scheduling.repair import repair
from planner.scheduling.requests import load_requests
from planner.scheduling.solving import schedule, troubles


@dataclass
class Report:
    ok: bool
    lines: list[str] = field(default_factory=list)  # what happened (stdout)
    problems: list[str] = field(default_factory=list)  # why not (stderr)
    document: dict = field(default_factory=dict)  # the same as JSON


def _search(outcome: Outcome) -> dict:
    return {
        "status": outcome.status,
        "objective": outcome.objective,
        "bound": outcome.bound,
        "seconds": round(outcome.seconds, 3),
        "stopped_by_time_limit": outcome.timed_out,
    }


def _search_line(outcome: Outcome) -> str:
    if outcome.status == "optimal":
        return f"the best possible placement, found in {outcome.seconds:.1f} s"
    # A search that found a placement has an objective and a bound.
    assert outcome.objective is not None and outcome.bound is not None
    gap = abs(outcome.objective - outcome.bound) / max(1.0, abs(outcome.objective))
    limit = (
        "the time limit (another run may differ; raise --time-limit or lower --work-limit)"
        if outcome.timed_out
        else "the work limit"
    )
    return f"search stopped by {limit} after {outcome.seconds:.1f} s, within {gap:.4%} of the best possible"


def run_schedule(plan: Plan, requests_path: str | Path, output: str | Path, *, lang: str = "en", **options) -> Report:
    requests = load_requests(requests_path, plan)
    new_plan, outcome = schedule(plan, requests, **options)
    say = Describer(plan, lang)
    if outcome.status not in ("optimal", "feasible"):
        items = [item_of(r) for r in requests]
        reasons = explain(plan, outcome.frame, items, outcome, lang) if outcome.frame else []
        required = sum(1 for r in requests if r.required)
        problems = [
            f"error: the {required} required requests cannot all be placed; nothing was written:",
            *(f"  - {line}" for line in reasons),
        ]
        return Report(False, [], problems, {"placed": [], "unplaced": [], "explanations": reasons, "search": _search(outcome)})
    placed_ids = {p.item.id for p in outcome.placements}
    conflicts = check(new_plan)
    broken = troubles(new_plan, placed_ids, conflicts)
    if broken:  # the model and `check` disagree: never write such a plan
        lines = [describe(c, new_plan, lang) for c in broken]
        return Report(
            False,
            [],
            ["error: the placement failed its own check; nothing was written:", *(f"  - {line}" for line in lines)],
            {"explanations": lines},
        )
    save_plan(new_plan, output)
    lines = [f"placed {len(outcome.placements)} of {len(requests)} requests; {_search_line(outcome)}"]
    placed_docs = []
    for p in sorted(outcome.placements, key=lambda p: (p.start, p.item.id)):
        people = ", ".join(say.person(x) for x in p.people)
        lines.append(f"  {p.item.id}: {say.span(p.start, p.end)}, {say.venue(p.venue)}" + (f", {people}" if people else ""))
        placed_docs.append(
            {
                "id": p.item.id,
                "start": format_instant(p.start, say.clock),
                "end": format_instant(p.end, say.clock),
                "venue": p.venue,
                "people": list(p.people),
            }
        )
    unplaced_docs = []
    if outcome.unplaced:
        lines.append(f"not placed ({len(outcome.unplaced)} optional):")
        # Only placing no items at all makes no frame, and then nothing is left out.
        assert outcome.frame is not None
        explainer = Explainer(plan, outcome.frame, lang)
        for item in sorted(outcome.unplaced, key=lambda i: (-i.priority, i.id)):
            why = (
                explainer.stuck(item, outcome.stuck[item.id])
                if item.id in outcome.stuck
                else f"{explainer.item_name(item)}: its time went to requests of equal or higher priority"
            )
            lines.append(f"  - {why}")
            unplaced_docs.append({"id": item.id, "reason": why})
    warnings = [describe(c, new_plan, lang) for c in conflicts if c.severity == "warning" and placed_ids.intersection(c.events)]
    if warnings:
        lines.append(f"warnings that involve placed events ({len(warnings)}):")
        lines.extend(f"  - {line}" for line in warnings)
    lines.append(f"written to {output}")
    return Report(
        True,
        lines,
        [],
        {"placed": placed_docs, "unplaced": unplaced_docs, "explanations": [], "warnings": warnings, "search": _search(outcome)},
    )


def run_repair(plan: Plan, output: str | Path, *, lang: str = "en", max_minutes: int = 720, **options) -> Report:
    result = repair(plan, max_shift=timedelta(minutes=max_minutes), **options)
    say = Describer(plan, lang)
    if result.unfixable:
        lines = [describe(c, plan, lang) for c in result.unfixable]
        return Report(
            False,
            [],
            ["error: moving events cannot remove these errors; nothing was written:", *(f"  - {line}" for line in lines)],
            {"moves": [], "explanations": lines},
        )
    if result.outcome is not None and not result.repaired:
        reasons = explain(plan, result.outcome.frame, result.items, result.outcome, lang) if result.outcome.frame else []
        return Report(
            False,
            [],
            [
                f"error: no moves within {max_minutes} min remove every error; nothing was written:",
                *(f"  - {line}" for line in reasons),
            ],
            {"moves": [], "explanations": reasons, "search": _search(result.outcome)},
        )
    left = [c for c in check(result.plan) if c.severity == "error"]
    if left:
        lines = [describe(c, result.plan, lang) for c in left]
        return Report(
            False,
            [],
            ["error: the repaired plan failed its own check; nothing was written:", *(f"  - {line}" for line in lines)],
            {"explanations": lines},
        )
    save_plan(result.plan, output)
    lines = [
        f"{result.errors_before} error conflicts removed by moving {len(result.moves)} events"
        if result.errors_before
        else "the plan has no error conflicts; nothing to move"
    ]
    moves = []
    for move in result.moves:
        a, b = move.before, move.after
        shift = round((b.start - a.start).total_seconds() / 60)
        lines.append(f"  {a.id} “{a.title}”: {say.span(a.start, a.end)} → {say.span(b.start, b.end)} ({shift:+d} min)")
        moves.append(
            {"id": a.id, "from": format_instant(a.start, say.clock), "to": format_instant(b.start, say.clock), "minutes": shift}
        )
    lines.append(f"written to {output}")
    return Report(
        True, lines, [], {"moves": moves, "explanations": [], **({"search": _search(result.outcome)} if result.outcome else {})}
    )
