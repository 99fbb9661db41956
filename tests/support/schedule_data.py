"""Random festivals with a hidden conflict-free programme, for the scheduling tests and benchmark.

`festival(seed, ...)` builds venues, people and delegations over three days, then lays out each
delegation's days as chains of events that respect travel, stays, opening and quiet hours,
one-at-a-time venues with changeovers, and the people's diaries (escorts, interpreters, the
Lord Mayor and deputies for Golden Book signings). A share of those events is then handed to
`schedule` as requests — with wider windows, extra candidate venues and "one of" groups that
hold the true choice — while the rest stay in the plan. So every request set is feasible by
construction, and nothing about it comes from the scheduler under test.
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta

from planner import parse_plan
from planner.plan.travel import TravelTimes
from planner.rules.engine import check

DAYS = (date(2027, 5, 7), date(2027, 5, 8), date(2027, 5, 9))
LANGUAGES = ("en", "fr", "tr", "zh", "uk", "ro", "he", "sr")


def _wall(day: date, minutes: int) -> str:
    return (datetime.combine(day, datetime.min.time()) + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")


class _Diary:
    """Busy intervals (start, end, venue) in minutes of one day, for people and venues."""

    def __init__(self):
        self.busy: dict[tuple[str, date], list[tuple[int, int, str | None]]] = {}

    def free(self, key: str, day: date, start: int, end: int, venue: str, trip, pad: int = 0) -> bool:
        for a, b, v in self.busy.get((key, day), ()):
            if start < b + (trip(v, venue) if v else 0) + pad and a < end + (trip(venue, v) if v else 0) + pad:
                return False
        return True

    def book(self, key: str, day: date, start: int, end: int, venue: str | None) -> None:
        self.busy.setdefault((key, day), []).append((start, end, venue))


def festival(
    seed: int = 1, *, venues: int = 25, people: int = 40, delegations: int = 12, requests: int = 300, share_required: float = 0.8
) -> tuple[dict, dict, dict]:
    """(plan document without the requested events, requests document, the hidden full plan)."""
    rng = random.Random(seed)
    venue_docs = []
    for n in range(venues):
        kind = (
            "city_hall"
            if n < 2
            else "stage"
            if n < 6
            else "museum"
            if n < 9
            else "park"
            if n < 13
            else rng.choice(("restaurant", "office", "other"))
        )
        doc = {
            "id": f"v{n:02d}",
            "name": f"Venue {n}",
            "kind": kind,
            "lat": round(51.47 + rng.random() * 0.08, 5),
            "lon": round(7.40 + rng.random() * 0.12, 5),
            "capacity": 500,
            "max_parallel": 1,
        }
        if n < 2:
            doc["golden_book"] = True
            doc["opening_hours"] = [["08:00", "20:00"]]
        elif kind == "stage":
            doc.update(amplified=True, changeover_min=15)
        elif kind == "museum":
            doc["opening_hours"] = [["10:00", "18:00"]]
        elif kind in ("park", "square"):
            doc["max_parallel"] = 3
        venue_docs.append(doc)
    people_docs = [
        {"id": "ob", "name": "Lord Mayor", "role": "mayor", "languages": ["de", "en"]},
        {"id": "dep1", "name": "Deputy 1", "role": "deputy_mayor", "languages": ["de", "en"]},
        {"id": "dep2", "name": "Deputy 2", "role": "deputy_mayor", "languages": ["de", "fr"]},
    ]
    for n in range(delegations):
        people_docs.append({"id": f"esc{n:02d}", "name": f"Escort {n}", "role": "escort", "languages": ["de"]})
    interpreters = people - len(people_docs)
    for n in range(interpreters):
        people_docs.append(
            {
                "id": f"int{n:02d}",
                "name": f"Interpreter {n}",
                "role": "interpreter",
                "languages": ["de", LANGUAGES[n % len(LANGUAGES)]],
            }
        )
    delegation_docs = [
        {
            "id": f"d{n:02d}",
            "city": f"City {n}",
            "country": "GB",
            "size": rng.randint(4, 10),
            "languages": [LANGUAGES[n % len(LANGUAGES)]],
            "arrival": _wall(DAYS[0], 8 * 60),
            "departure": _wall(DAYS[-1], 21 * 60),
        }
        for n in range(delegations)
    ]
    base = {
        "format": "dortbunt-plan/1",
        "name": f"Random festival {seed}",
        "timezone": "Europe/Berlin",
        "festival": {"start": DAYS[0].isoformat(), "end": DAYS[-1].isoformat()},
        "venues": venue_docs,
        "people": people_docs,
        "delegations": delegation_docs,
        "events": [],
    }
    trips = TravelTimes(parse_plan(base))

    def trip(a: str, b: str) -> int:
        return math.ceil(trips.minutes(a, b)) if a != b else 0

    diary = _Diary()
    events: list[dict] = []
    chains: list[list[dict]] = []

    def venue_ok(v: dict, day: date, start: int, end: int) -> bool:
        hours = v.get("opening_hours")
        if hours and not (start >= 10 * 60 and end <= 18 * 60):  # inside every opening window used
            return False
        if v.get("amplified") and (start < 7 * 60 or end > 22 * 60):
            return False
        if v["max_parallel"] > 1:
            return sum(1 for a, b, _ in diary.busy.get((v["id"], day), ()) if a < end and start < b) < v["max_parallel"]
        return diary.free(v["id"], day, start, end, v["id"], lambda x, y: 0, pad=v.get("changeover_min", 0))

    for n, delegation in enumerate(delegation_docs):
        escort = f"esc{n:02d}"
        language = delegation["languages"][0]
        speakers = [p["id"] for p in people_docs if p["role"] == "interpreter" and language in p["languages"]]
        signed = False
        for day in DAYS:
            chain: list[dict] = []
            clock, here = 8 * 60 + rng.choice((0, 15, 30, 45)), None
            while clock < 20 * 60:
                duration = rng.choice((30, 45, 45, 60, 60, 90))
                kind = rng.choice(("meeting", "tour", "meal", "reception", "other"))
                if not signed and day == DAYS[1]:
                    kind = "golden_book"
                options = [v for v in venue_docs if v.get("golden_book")] if kind == "golden_book" else venue_docs
                placed = None
                for venue in rng.sample(options, len(options)):
                    gap = trip(here, venue["id"]) if here else 0
                    start = clock + -(-gap // 5) * 5 + rng.choice((0, 0, 0, 15, 30))
                    end = start + duration
                    if end > 21 * 60 or not venue_ok(venue, day, start, end):
                        continue
                    if not diary.free(escort, day, start, end, venue["id"], trip):
                        continue
                    people_here = [escort]
                    if kind != "other":
                        free = [p for p in speakers if diary.free(p, day, start, end, venue["id"], trip)]
                        if not free:
                            continue
                        people_here.append(rng.choice(free))
                    if kind == "golden_book":
                        free = [p for p in ("ob", "dep1", "dep2") if diary.free(p, day, start, end, venue["id"], trip)]
                        if not free or not diary.free("book", day, start, end, None, lambda x, y: 0):
                            continue
                        people_here.append(rng.choice(free))
                    placed = (venue, start, end, people_here)
                    break
                if placed is None:
                    clock += 30
                    continue
                venue, start, end, people_here = placed
                ident = f"e{len(events):04d}"
                event = {
                    "id": ident,
                    "title": f"{kind.replace('_', ' ').title()} {delegation['city']}",
                    "kind": kind,
                    "start": _wall(day, start),
                    "end": _wall(day, end),
                    "venue": venue["id"],
                    "delegations": [delegation["id"]],
                    "people": people_here,
                    "_day": day,
                    "_start": start,
                    "_end": end,
                }
                for key in (delegation["id"], *people_here):
                    diary.book(key, day, start, end, venue["id"])
                diary.book(venue["id"], day, start, end, venue["id"])
                if kind == "golden_book":
                    diary.book("book", day, start, end, None)
                    signed = True
                events.append(event)
                chain.append(event)
                clock, here = end, venue["id"]
            chains.append(chain)
    # Festival slots on the stages, with their changeovers.
    for venue in venue_docs:
        if not venue.get("amplified"):
            continue
        for day in DAYS:
            clock = 10 * 60 + rng.choice((0, 30, 60))
            while clock + 60 <= 22 * 60:
                end = clock + rng.choice((30, 45, 60, 90))
                if end <= 22 * 60 and venue_ok(venue, day, clock, end):
                    diary.book(venue["id"], day, clock, end, venue["id"])
                    events.append(
                        {
                            "id": f"e{len(events):04d}",
                            "title": f"Stage slot {venue['name']}",
                            "kind": "festival_slot",
                            "start": _wall(day, clock),
                            "end": _wall(day, end),
                            "venue": venue["id"],
                            "delegations": [],
                            "people": [],
                            "_day": day,
                            "_start": clock,
                            "_end": end,
                        }
                    )
                    chains.append([events[-1]])
                clock = end + 15 + rng.choice((0, 0, 15, 30))
    # The Lord Mayor's diary: busy blocks where he is free anyway.
    for day in DAYS:
        for start in (8 * 60, 13 * 60, 18 * 60):
            if diary.free("ob", day, start, start + 45, None, lambda x, y: 0):
                diary.book("ob", day, start, start + 45, None)
                events.append(
                    {
                        "id": f"busy-{day.isoformat()}-{start}",
                        "title": "Council business",
                        "kind": "unavailable",
                        "start": _wall(day, start),
                        "end": _wall(day, start + 45),
                        "venue": None,
                        "people": ["ob"],
                        "_day": day,
                        "_start": start,
                        "_end": start + 45,
                    }
                )

    full = {**base, "events": [{k: v for k, v in e.items() if not k.startswith("_")} for e in events]}
    troubles = [c for c in check(parse_plan(full)) if c.severity == "error" or c.rule in ("travel_time", "changeover")]
    assert not troubles, troubles[:3]

    candidates = [e for e in events if e["kind"] != "unavailable"]
    chosen = {e["id"] for e in rng.sample(candidates, min(requests, len(candidates)))}
    request_docs = []
    for chain in chains:
        previous = None
        for event in chain:
            if event["id"] in chosen:
                request_docs.append(_request(rng, event, previous, chosen, venue_docs, people_docs, share_required))
            previous = event
    plan = {**base, "events": [{k: v for k, v in e.items() if not k.startswith("_")} for e in events if e["id"] not in chosen]}
    return plan, {"format": "dortbunt-requests/1", "requests": request_docs}, full


def _request(
    rng: random.Random,
    event: dict,
    previous: dict | None,
    chosen: set[str],
    venues: list[dict],
    people: list[dict],
    share_required: float,
) -> dict:
    day, start, end = event["_day"], event["_start"], event["_end"]
    low = min(start, max(8 * 60, start - rng.choice((0, 30, 60, 120))))
    high = max(end, min(22 * 60, end + rng.choice((0, 30, 60, 120))))
    kind = event["kind"]
    pool = (
        [v["id"] for v in venues if v.get("golden_book")]
        if kind == "golden_book"
        else [v["id"] for v in venues if v.get("amplified")]
        if kind == "festival_slot"
        else [v["id"] for v in venues]
    )
    extra = rng.sample([v for v in pool if v != event["venue"]], min(len(pool) - 1, rng.randint(0, 2)))
    venue_ids = [event["venue"], *extra]
    rng.shuffle(venue_ids)
    fixed = event["people"][:1]  # the escort
    one_of = []
    for person in event["people"][1:]:
        role = next(p["role"] for p in people if p["id"] == person)
        if role == "interpreter":
            language = next(p["languages"][1] for p in people if p["id"] == person)
            group = [p["id"] for p in people if p["role"] == "interpreter" and language in p["languages"]]
        else:
            group = ["ob", "dep1", "dep2"]
        group = [person, *rng.sample([p for p in group if p != person], min(len(group) - 1, 2))]
        rng.shuffle(group)
        one_of.append(group)
    request = {
        "id": event["id"],
        "title": event["title"],
        "kind": kind,
        "duration_min": end - start,
        "delegations": event["delegations"],
        "people": fixed,
        "one_of": one_of,
        "venues": venue_ids,
        "windows": [[_wall(day, low), _wall(day, high)]],
        "priority": rng.randint(0, 3),
        "required": rng.random() < share_required,
    }
    if previous is not None and rng.random() < 0.3:
        gap = min(15, event["_start"] - previous["_end"])
        request["after"] = [{"id": previous["id"], "min_gap_min": max(0, gap)}]
    return request
