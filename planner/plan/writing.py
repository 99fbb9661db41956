"""Writing `dortbunt-plan/1` documents: a plan, or one of its parts, as JSON the format reads back."""

from __future__ import annotations

import json
import os
import re
import tempfile
import unicodedata
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from planner.errors import PlanError
from planner.plan.clock import WallClock, zone_named
from planner.plan.model import FORMAT, Delegation, Event, Person, Plan, Venue


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def wall_text(day: date, at: time) -> str:
    """A plan-format local wall time from a day and a time of day: ``2027-05-07T14:00``."""
    return datetime.combine(day, at).isoformat(timespec="minutes")


def free_id(taken: set[str], stem: str) -> str:
    """The first id ``stem-1``, ``stem-2``, … that is not in `taken`."""
    number = 1
    while f"{stem}-{number}" in taken:
        number += 1
    return f"{stem}-{number}"


#: What the forms accept as a short id they make or are given: letters, digits, dashes and
#: underscores, at most 64, starting with a letter or digit.
SHORT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


def short_id(name: str) -> str:
    """An id from a name: "Cluj-Napoca" -> "cluj-napoca", "Xi'an" -> "xi-an", "Łódź" -> "odz"
    (letters without an ASCII form are dropped)."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:64]


def new_delegation_id(plan: Plan, city: str) -> str:
    """The default id of a new delegation from `city`: its short id ("kumasi"), or where a
    delegation has that id already the next free one ("kumasi-2", …), so that two delegations
    from one city never share an id."""
    stem = short_id(city)
    if not stem or stem not in plan.delegations:
        return stem
    number = 2
    while f"{stem}-{number}" in plan.delegations:
        number += 1
    return f"{stem}-{number}"


def format_instant(instant: datetime, clock: WallClock) -> str:
    """An instant as local wall time with its offset, e.g. ``2027-05-07T14:00:00+02:00``."""
    return clock.local(instant).isoformat()


def venue_document(v: Venue) -> dict:
    """A venue as its `dortbunt-plan/1` object."""
    return {
        "id": v.id,
        "name": v.name,
        "address": v.address,
        "lat": v.lat,
        "lon": v.lon,
        "kind": v.kind,
        **({"capacity": v.capacity} if v.capacity is not None else {}),
        "max_parallel": v.max_parallel,
        **({"opening_hours": [[_hhmm(w.open), _hhmm(w.close)] for w in v.opening_hours]} if v.opening_hours is not None else {}),
        "golden_book": v.golden_book,
        "changeover_min": v.changeover_min,
        "amplified": v.amplified,
        **({"notes": v.notes} if v.notes else {}),
    }


def person_document(p: Person) -> dict:
    """A person as its `dortbunt-plan/1` object."""
    return {
        "id": p.id,
        "name": p.name,
        "role": p.role,
        "languages": list(p.languages),
        **{key: getattr(p, key) for key in ("phone", "email", "notes") if getattr(p, key)},
    }


def delegation_document(d: Delegation, clock: WallClock) -> dict:
    """A delegation as its `dortbunt-plan/1` object."""
    return {
        "id": d.id,
        "city": d.city,
        "country": d.country,
        "size": d.size,
        "languages": list(d.languages),
        **({"arrival": format_instant(d.arrival, clock)} if d.arrival else {}),
        **({"departure": format_instant(d.departure, clock)} if d.departure else {}),
        **({"hotel": d.hotel} if d.hotel else {}),
        **({"notes": d.notes} if d.notes else {}),
    }


def event_document(e: Event, clock: WallClock) -> dict:
    """An event as its `dortbunt-plan/1` object."""
    return {
        "id": e.id,
        "title": e.title,
        "kind": e.kind,
        "start": format_instant(e.start, clock),
        "end": format_instant(e.end, clock),
        "venue": e.venue,
        "delegations": list(e.delegations),
        "people": list(e.people),
        "status": e.status,
        "public": e.public,
        **({"attendance": e.attendance} if e.attendance is not None else {}),
        "notes": e.notes,
        "sequence": e.sequence,
        "pinned": e.pinned,
    }


def plan_to_document(plan: Plan) -> dict:
    """The plan as a `dortbunt-plan/1` document (defaults spelled out, times with offsets)."""
    clock = WallClock(zone_named(plan.timezone, "timezone"))
    document: dict[str, Any] = {"format": FORMAT, "name": plan.name, "timezone": plan.timezone}
    if plan.festival is not None:
        festival: dict[str, Any] = {}
        if plan.festival.start:
            festival["start"] = plan.festival.start.isoformat()
        if plan.festival.end:
            festival["end"] = plan.festival.end.isoformat()
        quiet = plan.festival.quiet_hours
        festival["quiet_hours"] = [_hhmm(quiet.open), _hhmm(quiet.close)]
        document["festival"] = festival
    rules = plan.rules
    document["rules"] = {
        "walk_kmh": rules.walk_kmh,
        "drive_kmh": rules.drive_kmh,
        "walk_max_km": rules.walk_max_km,
        "detour": rules.detour,
        "drive_overhead_min": rules.drive_overhead_min,
        "disabled": list(rules.disabled),
        "severity": dict(rules.severity),
    }
    document["venues"] = [venue_document(v) for v in plan.venues.values()]
    document["travel"] = [{"from": t.source, "to": t.target, "minutes": t.minutes} for t in plan.travel]
    document["people"] = [person_document(p) for p in plan.people.values()]
    document["delegations"] = [delegation_document(d, clock) for d in plan.delegations.values()]
    document["events"] = [event_document(e, clock) for e in plan.events]
    return document


def dump_plan(plan: Plan) -> str:
    """The plan as JSON text (UTF-8, readable, non-ASCII kept)."""
    return json.dumps(plan_to_document(plan), ensure_ascii=False, indent=2) + "\n"


def save_plan(plan: Plan, path: str | os.PathLike) -> None:
    """Write the plan atomically: the file holds the old or the new plan, never half of one."""
    write_atomically(path, dump_plan(plan).encode("utf-8"))


def write_atomically(path: str | os.PathLike, data: bytes) -> None:
    """Write a file so that it holds the old or the new content, never half of it, with the
    usual permissions (a temporary file would otherwise stay readable by its owner only)."""
    path = Path(path)
    if path.is_dir():
        raise PlanError("", f"{path} is a folder; give a file name")
    handle, temporary = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except FileNotFoundError:
        Path(temporary).unlink(missing_ok=True)
        raise PlanError("", f"{path.parent}: no such folder") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
