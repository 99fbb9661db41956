"""A slow, obviously-right reading of SPEC §3, used only to test the fast engine.

It reads the raw plan document itself (its own time parsing), compares every pair of events,
and walks time in elementary intervals. Nothing here imports the planner's rules.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_SEVERITY = {
    "venue_overlap": "error",
    "delegation_overlap": "error",
    "person_overlap": "error",
    "travel_time": "warning",
    "outside_stay": "error",
    "venue_closed": "error",
    "capacity": "error",
    "interpreter_missing": "warning",
    "golden_book_venue": "error",
    "golden_book_signatory": "error",
    "golden_book_duplicate": "warning",
    "changeover": "warning",
    "quiet_hours": "error",
}
INTERPRETED = {"golden_book", "reception", "meeting", "tour", "meal", "press"}


class Invalid(Exception):
    """The document is invalid input; the engine must refuse it."""


class Nonexistent(Invalid):
    pass


def instant(text: str, zone: ZoneInfo) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    aware = value.replace(tzinfo=zone, fold=0)
    back = aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if back != value:
        raise Nonexistent(text)
    return aware.astimezone(UTC)


def wall(day: date, hhmm: str, zone: ZoneInfo) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    if hours == 24:
        day, hours = day + timedelta(days=1), 0
    # A boundary inside a gap counts by the offset before the jump (fold=0).
    return datetime.combine(day, time(hours, minutes)).replace(tzinfo=zone, fold=0).astimezone(UTC)


def daily_window(day: date, opens: str, closes: str, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = wall(day, opens, zone)
    runs_over = closes != "24:00" and closes < opens
    return start, wall(day + timedelta(days=1) if runs_over else day, closes, zone)


def haversine_km(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def reference_conflicts(doc: dict) -> list[tuple[str, str, tuple[str, ...], str | None]]:
    """(rule, severity, events ordered by start then id, resource) for every conflict."""
    zone = ZoneInfo(doc.get("timezone") or "Europe/Berlin")
    rules = {
        "walk_kmh": 4.8,
        "drive_kmh": 25,
        "walk_max_km": 1.5,
        "detour": 1.3,
        "drive_overhead_min": 10,
        "disabled": [],
        "severity": {},
    }
    rules.update({k: v for k, v in (doc.get("rules") or {}).items() if v is not None})
    quiet = ((doc.get("festival") or {}).get("quiet_hours")) or ["22:00", "07:00"]
    venues = {v["id"]: v for v in doc.get("venues", [])}
    people = {p["id"]: p for p in doc.get("people", [])}
    delegations = {d["id"]: d for d in doc.get("delegations", [])}
    travel = {(t["from"], t["to"]): t["minutes"] for t in doc.get("travel", [])}

    # Every date-time must exist, even one of a cancelled event.
    for d in delegations.values():
        for key in ("arrival", "departure"):
            if d.get(key):
                instant(d[key], zone)
    events = []
    for raw in doc.get("events", []):
        event = {
            **raw,
            "s": instant(raw["start"], zone),
            "e": instant(raw["end"], zone),
            "venue": raw.get("venue"),
            "delegations": raw.get("delegations") or [],
            "people": raw.get("people") or [],
        }
        if event["e"] <= event["s"]:
            raise Invalid(f"{raw['id']} ends before it starts")
        if raw.get("status", "confirmed") != "cancelled":
            events.append(event)

    out = []

    def emit(rule, evs, resource):
        ordered = tuple(e["id"] for e in sorted(evs, key=lambda e: (e["s"], e["id"])))
        out.append((rule, ordered, resource))

    def overlap(a, b):
        return a["s"] < b["e"] and b["s"] < a["e"]

    def minutes(x, y):
        if (x, y) in travel:
            return travel[(x, y)]
        if (y, x) in travel:
            return travel[(y, x)]
        a, b = venues[x], venues[y]
        d = haversine_km(a["lat"], a["lon"], b["lat"], b["lon"])
        if d <= rules["walk_max_km"]:
            return d * rules["detour"] / rules["walk_kmh"] * 60
        return d * rules["detour"] / rules["drive_kmh"] * 60 + rules["drive_overhead_min"]

    order = lambda e: (e["s"], e["e"], e["id"])  # noqa: E731

    # Overlaps of pairs, per venue (max_parallel 1), delegation and person.
    for i, a in enumerate(events):
        for b in events[i + 1 :]:
            if not overlap(a, b):
                continue
            if a["venue"] is not None and a["venue"] == b["venue"] and venues[a["venue"]].get("max_parallel", 1) == 1:
                emit("venue_overlap", [a, b], a["venue"])
            for d in set(a["delegations"]) & set(b["delegations"]):
                emit("delegation_overlap", [a, b], d)
            for p in set(a["people"]) & set(b["people"]):
                emit("person_overlap", [a, b], p)

    # max_parallel k > 1: walk elementary intervals between all boundaries.
    for vid, venue in venues.items():
        k = venue.get("max_parallel", 1)
        if k == 1:
            continue
        here = [e for e in events if e["venue"] == vid]
        cuts = sorted({e["s"] for e in here} | {e["e"] for e in here})
        period = None
        for lo, hi in zip(cuts, cuts[1:]):
            running = [e for e in here if e["s"] < hi and lo < e["e"]]
            if len(running) > k:
                if period is None:
                    period = {}
                for e in running:
                    period[e["id"]] = e
            elif period is not None:
                emit("venue_overlap", period.values(), vid)
                period = None
        if period is not None:
            emit("venue_overlap", period.values(), vid)

    # Travel: consecutive events of each party.
    parties = [(d, [e for e in events if d in e["delegations"]]) for d in delegations] + [
        (p, [e for e in events if p in e["people"]]) for p in people
    ]
    for party, evs in parties:
        evs = sorted(evs, key=order)
        for a, b in zip(evs, evs[1:]):
            if a["venue"] and b["venue"] and a["venue"] != b["venue"] and a["e"] <= b["s"]:
                if (b["s"] - a["e"]).total_seconds() / 60 < minutes(a["venue"], b["venue"]):
                    emit("travel_time", [a, b], party)

    for e in events:
        for d in e["delegations"]:
            dl = delegations[d]
            early = dl.get("arrival") and e["s"] < instant(dl["arrival"], zone)
            late = dl.get("departure") and e["e"] > instant(dl["departure"], zone)
            if early or late:
                emit("outside_stay", [e], d)
        venue = venues.get(e["venue"]) if e["venue"] else None
        if venue is not None and venue.get("opening_hours") is not None:
            day = e["s"].astimezone(zone).date()
            candidates = [daily_window(day, o, c, zone) for o, c in venue["opening_hours"]]
            candidates += [
                daily_window(day - timedelta(days=1), o, c, zone) for o, c in venue["opening_hours"] if c != "24:00" and c < o
            ]
            if not any(lo <= e["s"] and e["e"] <= hi for lo, hi in candidates):
                emit("venue_closed", [e], e["venue"])
        if venue is not None and venue.get("capacity") is not None:
            attendance = e.get("attendance")
            if attendance is None:
                attendance = sum(delegations[d]["size"] for d in e["delegations"]) + len(e["people"])
            if attendance > venue["capacity"]:
                emit("capacity", [e], e["venue"])
        if e["kind"] in INTERPRETED:
            spoken = {lang for p in e["people"] for lang in people[p].get("languages", [])}
            for d in e["delegations"]:
                langs = delegations[d].get("languages", [])
                if "de" not in langs and not spoken & set(langs):
                    emit("interpreter_missing", [e], d)
        if e["kind"] == "golden_book":
            if not venues[e["venue"]].get("golden_book", False):
                emit("golden_book_venue", [e], e["venue"])
            if not any(people[p]["role"] in ("mayor", "deputy_mayor") for p in e["people"]):
                emit("golden_book_signatory", [e], None)
        if venue is not None and venue.get("amplified", False):
            first = e["s"].astimezone(zone).date() - timedelta(days=2)
            last = e["e"].astimezone(zone).date() + timedelta(days=1)
            day = first
            while day <= last:
                lo, hi = daily_window(day, quiet[0], quiet[1], zone)
                if lo < e["e"] and e["s"] < hi:
                    emit("quiet_hours", [e], e["venue"])
                    break
                day += timedelta(days=1)

    for d in delegations:
        books = [e for e in events if e["kind"] == "golden_book" and d in e["delegations"]]
        if len(books) > 1:
            emit("golden_book_duplicate", books, d)

    for vid, venue in venues.items():
        need = venue.get("changeover_min", 0)
        if not need:
            continue
        here = sorted([e for e in events if e["venue"] == vid], key=order)
        for a, b in zip(here, here[1:]):
            if a["e"] <= b["s"] and (b["s"] - a["e"]).total_seconds() / 60 < need:
                emit("changeover", [a, b], vid)

    disabled = set(rules.get("disabled") or [])
    severity = {**DEFAULT_SEVERITY, **(rules.get("severity") or {})}
    return [(rule, severity[rule], evs, res) for rule, evs, res in out if rule not in disabled]
