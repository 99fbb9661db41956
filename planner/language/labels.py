"""Names of the plan's records as people pick them from a list: never two alike."""

from __future__ import annotations

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
    shared = {label for label in plain.values() if list(plain.values()).count(label) > 1}
    labels = {}
    for ident, label in plain.items():
        stay = _stay(plan.delegations[ident], clock, lang) if label in shared else ""
        labels[ident] = f"{label}, {stay}" if stay else label
    repeated = {label for label in labels.values() if list(labels.values()).count(label) > 1}
    return {ident: f"{label} [{ident}]" if label in repeated else label for ident, label in labels.items()}
