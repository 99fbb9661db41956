"""Small plan documents for tests: a base with two venues, people and a delegation."""

from __future__ import annotations

import copy

BASE = {
    "format": "dortbunt-plan/1",
    "name": "Test plan",
    "timezone": "Europe/Berlin",
    "venues": [
        {
            "id": "rathaus",
            "name": "Rathaus Dortmund",
            "address": "Friedensplatz 1, 44135 Dortmund",
            "lat": 51.5121,
            "lon": 7.4650,
            "kind": "city_hall",
            "capacity": 150,
            "opening_hours": [["08:00", "20:00"]],
            "golden_book": True,
        },
        {"id": "park", "name": "Westfalenpark", "lat": 51.49661, "lon": 7.47661, "kind": "park"},
        {
            "id": "stage",
            "name": "Friedensplatz stage",
            "lat": 51.5122,
            "lon": 7.4662,
            "kind": "stage",
            "amplified": True,
            "changeover_min": 15,
            "max_parallel": 1,
        },
    ],
    "people": [
        {"id": "ob", "name": "Lord Mayor", "role": "mayor", "languages": ["de", "en"]},
        {"id": "int-fr", "name": "Interpreter French", "role": "interpreter", "languages": ["de", "fr"]},
        {"id": "esc", "name": "Escort", "role": "escort", "languages": ["de"]},
    ],
    "delegations": [
        {
            "id": "amiens",
            "city": "Amiens",
            "country": "FR",
            "size": 6,
            "languages": ["fr"],
            "arrival": "2027-05-07T10:00",
            "departure": "2027-05-09T15:00",
        },
        {"id": "leeds", "city": "Leeds", "country": "GB", "size": 4, "languages": ["en"]},
    ],
    "events": [],
}


def event(ident: str, start: str, end: str, venue: str | None = "park", **fields) -> dict:
    """An event of kind 'other' unless `fields` say otherwise."""
    return {
        "id": ident,
        "title": fields.pop("title", ident.title()),
        "kind": fields.pop("kind", "other"),
        "start": start,
        "end": end,
        "venue": venue,
        **fields,
    }


def plan(*events: dict, **changes) -> dict:
    """The base document with `events` and top-level `changes` (e.g. venues=[...], rules={...})."""
    document = copy.deepcopy(BASE)
    document["events"] = list(events)
    for key, value in changes.items():
        document[key] = value
    return document


def venue(ident: str, **fields) -> dict:
    return {
        "id": ident,
        "name": fields.pop("name", ident.title()),
        "lat": fields.pop("lat", 51.5),
        "lon": fields.pop("lon", 7.46),
        "kind": fields.pop("kind", "other"),
        **fields,
    }


def festival() -> dict:
    """The base with a festival: slots at the stage (one with the Lord Mayor, one cancelled) and
    in the park, a meeting on the stage, an amplified museum hall (a stage too) and a museum."""
    return plan(
        event("s2", "2027-05-08T20:00", "2027-05-08T21:00", venue="stage", kind="festival_slot", people=["ob"]),
        event("s1", "2027-05-08T20:00", "2027-05-08T21:00", venue="park", kind="festival_slot"),
        event("s3", "2027-05-09T18:00", "2027-05-09T19:00", venue="stage", kind="festival_slot", status="cancelled"),
        event("talk", "2027-05-08T10:00", "2027-05-08T11:00", venue="stage", kind="meeting"),
        venues=[*plan()["venues"], venue("hall", kind="museum", amplified=True), venue("museum", kind="museum")],
    )
