"""DORTBUNT! planner: plan model, conflict rules and exports for a city's protocol office."""

from planner.errors import PlanError
from planner.plan.model import Plan
from planner.plan.reading import load_plan, parse_plan
from planner.plan.writing import dump_plan, plan_to_document, save_plan
from planner.rules.engine import Conflict, check, summary

__all__ = [
    "Conflict",
    "Plan",
    "PlanError",
    "check",
    "dump_plan",
    "load_plan",
    "parse_plan",
    "plan_to_document",
    "save_plan",
    "summary",
]
