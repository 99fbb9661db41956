"""Edits of the sample plan (data/dortbunt-2027.json) for tests of the store and the Editor:
events to add to it, and the first of its events of a kind as a store holds it."""

from __future__ import annotations

from planner.plan.model import Event
from planner.storage import PlanStore


def new_meeting(ident: str = "new-meeting") -> dict:
    return {
        "id": ident,
        "title": "Meeting",
        "kind": "meeting",
        "start": "2027-05-08T08:00",
        "end": "2027-05-08T08:30",
        "venue": "rathaus",
        "delegations": ["amiens"],
    }


def new_slot(ident: str = "new-slot") -> dict:
    return {
        "id": ident,
        "title": "Act",
        "kind": "festival_slot",
        "start": "2027-05-08T12:00",
        "end": "2027-05-08T12:30",
        "venue": "hansaplatz",
    }


def first(store: PlanStore, kind: str) -> tuple[Event, int]:
    return store.event(next(e.id for e in store.load_plan().events if e.kind == kind))
