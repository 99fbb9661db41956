"""City-scale plans for benchmarks and load tests: about 100 venues, 2,000 delegations and
people, N events over a year, with the usual share of mistakes (bench/check_speed.py)."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

from planner import parse_plan
from planner.plan.travel import TravelTimes

KINDS = ["reception", "meeting", "tour", "meal", "press", "transfer", "other"]
LANGS = ["en", "fr", "tr", "zh", "he", "sr", "uk", "ro", "de"]


def city_plan(events: int, seed: int = 2027, shuffle: bool = False) -> dict:
    """A city's protocol office and festivals: 100,000 events make a year, fewer a shorter
    span, so that events per day, venue and person stay as dense as in a year."""
    rng = random.Random(seed)
    span = max(7, round(365 * events / 100_000))
    venues = []
    for index in range(100):
        kind = rng.choice(["stage"] * 3 + ["museum", "city_hall", "hotel", "restaurant", "park", "other"])
        venue = {
            "id": f"venue-{index}",
            "name": f"Venue {index}",
            "address": f"Street {index}, Dortmund",
            "lat": 51.45 + rng.random() * 0.12,
            "lon": 7.35 + rng.random() * 0.25,
            "kind": kind,
            "capacity": rng.choice([80, 150, 400, 1500, 5000]),
            # Museums, hotels and parks take several groups at once; a stage or a hall one.
            "max_parallel": {"museum": 5, "hotel": 10, "park": 10, "restaurant": 3, "other": 2}.get(kind, 1),
            "golden_book": index == 0,
            "amplified": kind == "stage",
            "changeover_min": 15 if kind == "stage" else 0,
        }
        if kind in ("museum", "city_hall", "restaurant"):
            venue["opening_hours"] = rng.choice([[["08:00", "23:00"]], [["09:00", "24:00"]], [["11:00", "01:00"]]])
        venues.append(venue)
    travel = [{"from": f"venue-{i}", "to": f"venue-{i + 1}", "minutes": rng.choice([10, 15, 20, 30])} for i in range(0, 60, 2)]
    people = [
        {
            "id": f"person-{i}",
            "name": f"Person {i}",
            "role": rng.choice(["interpreter"] * 4 + ["escort", "protocol", "press", "performer", "deputy_mayor"]),
            "languages": ["de", rng.choice(LANGS)],
        }
        for i in range(800)
    ]
    people[0].update(role="mayor", name="Lord Mayor")
    delegations = []
    year = datetime(2027, 1, 4)
    for i in range(1200):
        arrival = year + timedelta(days=rng.randrange(0, span - 10 if span > 20 else span), hours=rng.randrange(8, 14))
        delegations.append(
            {
                "id": f"delegation-{i}",
                "city": f"City {i}",
                "country": "FR",
                "size": rng.randrange(2, 12),
                "languages": [rng.choice(LANGS)],
                "arrival": arrival.isoformat(timespec="minutes"),
                "departure": (arrival + timedelta(days=4)).isoformat(timespec="minutes"),
            }
        )
    plan_events = []
    # Festival days: on each, a few stages run back-to-back slots from noon, 15 min apart.
    festival_share = events * 3 // 10
    slot = 0
    stages = [v["id"] for v in venues if v["kind"] == "stage"]
    others = [v["id"] for v in venues if v["kind"] != "stage"]
    booked = set()
    while slot < festival_share:
        day = year + timedelta(days=rng.randrange(0, span))
        stage = rng.choice(stages)
        if (day, stage) in booked:
            continue
        booked.add((day, stage))
        start = day + timedelta(hours=12)
        while slot < festival_share and start.hour < 21:
            end = start + timedelta(minutes=rng.choice([45, 60, 90]))
            plan_events.append(
                {
                    "id": f"slot-{slot}",
                    "title": f"Concert {slot}",
                    "kind": "festival_slot",
                    "start": start.isoformat(timespec="minutes"),
                    "end": end.isoformat(timespec="minutes"),
                    "venue": stage,
                    "public": True,
                }
            )
            slot += 1
            # Stage managers keep the 15-minute changeover; one gap in fifty is too short.
            start = end + timedelta(minutes=rng.choice([15] * 20 + [20] * 15 + [30] * 14 + [10]))
    per_delegation = (events - festival_share) // len(delegations)
    times = TravelTimes(parse_plan({"format": "dortbunt-plan/1", "venues": venues, "travel": travel}))
    speakers: dict[str, list[int]] = {}
    for index, person in enumerate(people):
        for language in person["languages"]:
            speakers.setdefault(language, []).append(index)
    counter = 0
    for number, delegation in enumerate(delegations):
        moment = datetime.fromisoformat(delegation["arrival"])
        # Each delegation has its own interpreter for the whole stay.
        pool = speakers[delegation["languages"][0]]
        interpreter = pool[number % len(pool)]
        venue = rng.choice(others)
        for _ in range(per_delegation):
            previous, venue = venue, rng.choice(others)
            # The office leaves the travel time plus a margin; one leg in a hundred is too tight.
            margin = -5 if rng.random() < 0.01 else 15 * rng.randrange(0, 4)
            moment += timedelta(minutes=math.ceil(times.minutes(previous, venue)) + margin)
            if moment.hour >= 21 or moment.hour < 8:
                moment = moment.replace(hour=9) + timedelta(days=1 if moment.hour >= 21 else 0)
            end = moment + timedelta(minutes=rng.choice([30, 45, 60, 90]))
            people_here = {interpreter}
            if rng.random() < 0.3:
                people_here.add(rng.randrange(800))
            plan_events.append(
                {
                    "id": f"event-{counter}",
                    "title": f"Programme item {counter}",
                    "kind": rng.choice(KINDS),
                    "start": moment.isoformat(timespec="minutes"),
                    "end": end.isoformat(timespec="minutes"),
                    "venue": venue,
                    "delegations": [delegation["id"]],
                    "people": [f"person-{p}" for p in sorted(people_here)],
                    "status": rng.choice(["confirmed"] * 8 + ["tentative", "cancelled"]),
                }
            )
            counter += 1
            moment = end
        # The stay ends an hour after the programme; one delegation in fifty leaves too early.
        delegation["departure"] = (moment + timedelta(hours=1 if rng.random() > 0.02 else -2)).isoformat(timespec="minutes")
    while len(plan_events) < events:
        start = year + timedelta(days=rng.randrange(0, span), hours=rng.randrange(7, 20))
        plan_events.append(
            {
                "id": f"busy-{len(plan_events)}",
                "title": "Busy",
                "kind": "unavailable",
                "start": start.isoformat(timespec="minutes"),
                "end": (start + timedelta(hours=2)).isoformat(timespec="minutes"),
                "venue": None,
                "people": [f"person-{rng.randrange(800)}"],
            }
        )
    # An office's export lists events programme by programme; --shuffle mixes them up.
    if shuffle:
        rng.shuffle(plan_events)
    return {
        "format": "dortbunt-plan/1",
        "name": f"City year ({events} events)",
        "timezone": "Europe/Berlin",
        "festival": {"start": "2027-05-07", "end": "2027-05-09"},
        "venues": venues,
        "travel": travel,
        "people": people,
        "delegations": delegations,
        "events": plan_events,
    }
