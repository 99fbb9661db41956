"""DORTBUNT! planner: plan model, conflict rules and exports for a city's protocol office."""

from .conflicts import Conflict, check, summary
from .errors import PlanError
from .loading import dump_plan, load_plan, parse_plan, plan_to_document, save_plan
from .model import Plan

__all__ = [
    "Conflict", "Plan", "PlanError", "check", "dump_plan", "load_plan", "parse_plan",
    "plan_to_document", "save_plan", "summary",
]
