"""Names of the plan's records as people pick them from a list: never two alike."""

from __future__ import annotations

from collections import Counter

from planner.language.dates import short_day
from planner.plan.clock import WallClock, zone_named
from planner.plan.model import Delegation, Plan


def _stay(delegation: Delegation, clock: WallClock, lang: str) -> str:
    if delegation.arrival is None and delegation.departure is None:
        return ""
    days = [short_day(clock.local_date(instant), lang) for instant in (delegation.arrival, delegation.departure) if instant]
    return " – ".join(dict.fromkeys(days))


def delegation_labels(plan: Plan, lang: str = "en") -> dict[str, str]:
    """Each delegation's label for a choice: "Kumasi (GH)"; where two share a city and country,
    with the days of their stay ("Kumasi (GH), Fri 7 May – Sun 9 May"), and where even that is
    the same, with the id, so that no two labels are alike."""
    clock = WallClock(zone_named(plan.timezone, "timezone"))
    plain = {ident: f"{d.city} ({d.country})" for ident, d in plan.delegations.items()}
    shared = Counter(plain.values())
    labels = {}
    for ident, label in plain.items():
        stay = _stay(plan.delegations[ident], clock, lang) if shared[label] > 1 else ""
        labels[ident] = f"{label}, {stay}" if stay else label
    repeated = Counter(labels.values())
    return {ident: f"{label} [{ident}]" if repeated[label] > 1 else label for ident, label in labels.items()}
