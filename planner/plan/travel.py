"""Travel minutes between venues: explicit overrides, else walking or driving over the great circle."""

from __future__ import annotations

import math

from planner.plan.model import Plan, Rules, Venue

EARTH_RADIUS_KM = 6371.0088


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance in km between two points on a sphere of radius 6371.0088 km (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = math.radians(lon2 - lon1) / 2
    a = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, max(0.0, a))))


def estimated_minutes(distance_km: float, rules: Rules) -> float:
    """Walk up to `walk_max_km`, else drive with a fixed overhead; `detour` stretches the line."""
    if distance_km <= rules.walk_max_km:
        return distance_km * rules.detour / rules.walk_kmh * 60
    return distance_km * rules.detour / rules.drive_kmh * 60 + rules.drive_overhead_min


class TravelTimes:
    """Minutes from one venue to another for a plan; answers are memoised per ordered pair."""

    def __init__(self, plan: Plan):
        self._venues: dict[str, Venue] = plan.venues
        self._rules = plan.rules
        # A later entry for the same direction replaces an earlier one.
        given = {(entry.source, entry.target): entry.minutes for entry in plan.travel}
        # An entry serves both directions unless the reverse is given too.
        self._known: dict[tuple[str, str], float] = {(b, a): m for (a, b), m in given.items()}
        self._known.update(given)

    def minutes(self, source: str, target: str) -> float:
        """Travel minutes from venue `source` to venue `target` (0 for the same venue)."""
        if source == target:
            return 0.0
        key = (source, target)
        found = self._known.get(key)
        if found is None:
            a, b = self._venues[source], self._venues[target]
            found = estimated_minutes(great_circle_km(a.lat, a.lon, b.lat, b.lon), self._rules)
            self._known[key] = found
        return found
