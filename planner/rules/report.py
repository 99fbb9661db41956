"""The result of a check as the JSON document of SPEC §5, as text for a terminal, and as counts per rule."""

from __future__ import annotations

import json
import os

from planner.gcpause import gc_paused
from planner.plan.model import Plan
from planner.plan.reading import load_plan
from planner.rules.engine import Conflict, check, summary
from planner.rules.messages import RULE_TITLES, SEVERITY_TITLES, Describer


def conflict_records(plan: Plan, conflicts: list[Conflict], lang: str = "en") -> list[dict]:
    """Each conflict as ``{"rule", "severity", "events", "resource", "message"}``."""
    describer = Describer(plan, lang)
    with gc_paused():
        return _records(describer, conflicts)


def _records(describer: Describer, conflicts: list[Conflict]) -> list[dict]:
    return [
        {
            "rule": c.rule,
            "severity": c.severity,
            "events": list(c.events),
            "resource": c.resource,
            "message": describer.describe(c),
        }
        for c in conflicts
    ]


def check_document(plan: Plan, lang: str = "en") -> dict:
    """``{"conflicts": [...], "summary": {"errors": n, "warnings": m}}`` for the plan."""
    conflicts = check(plan)
    return {"conflicts": conflict_records(plan, conflicts, lang), "summary": summary(conflicts)}


def check_file(path: str | os.PathLike, lang: str = "en") -> tuple[Plan, dict]:
    """Load, validate and check a plan file: the plan and its check document. The cyclic
    garbage collector stays paused for the whole run (see `gcpause`); between the steps it
    would otherwise rescan everything the previous step built."""
    with gc_paused():
        plan = load_plan(path)
        return plan, check_document(plan, lang)


def check_json(document: dict) -> str:
    """The check document as JSON text, one conflict a line (readable, and fast to write)."""
    conflicts = ",\n".join("    " + json.dumps(record, ensure_ascii=False) for record in document["conflicts"])
    body = f"[\n{conflicts}\n  ]" if conflicts else "[]"
    return f'{{\n  "conflicts": {body},\n  "summary": {json.dumps(document["summary"])}\n}}\n'


def check_text(plan: Plan, document: dict, lang: str = "en") -> str:
    """The check result for a terminal: a headline, then errors and warnings in groups."""
    counts = document["summary"]
    de = lang == "de"
    name = plan.name or ("Plan" if de else "Plan")
    if de:
        head = f"{name}: {counts['errors']} Fehler, {counts['warnings']} Warnungen"
    else:
        head = (
            f"{name}: {counts['errors']} error{'s' * (counts['errors'] != 1)}, "
            f"{counts['warnings']} warning{'s' * (counts['warnings'] != 1)}"
        )
    lines = [head]
    if not document["conflicts"]:
        lines.append("Keine Konflikte." if de else "No conflicts.")
    for severity in ("error", "warning"):
        group = [c for c in document["conflicts"] if c["severity"] == severity]
        if not group:
            continue
        lines += ["", f"{SEVERITY_TITLES[lang][severity]} ({len(group)})"]
        for record in group:
            title = RULE_TITLES[lang][record["rule"]]
            lines.append(f"  [{record['rule']}] {title}")
            lines.append(f"      {_one_line(record['message'])}")
            lines.append(f"      {'Termine' if de else 'events'}: {', '.join(record['events'])}")
    return "\n".join(lines) + "\n"


def _one_line(text: str) -> str:
    # Titles may hold line breaks; a terminal report keeps one conflict per line.
    return text.replace("\n", " ⏎ ")


def conflict_counts(conflicts: list[Conflict]) -> list[tuple[str, str, int]]:
    """(rule, severity, how many) for each pair that occurs, the most frequent first (equal
    counts in the order pandas' `value_counts` gives them, as the Overview page always showed)."""
    import pandas as pd  # here only: the command line's check starts faster without pandas

    counts = pd.DataFrame({"rule": [c.rule for c in conflicts], "severity": [c.severity for c in conflicts]})
    return [(rule, severity, int(count)) for (rule, severity), count in counts.value_counts().items()]
