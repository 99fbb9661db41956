"""Reading and validating `dortbunt-plan/1` documents.

Everything is checked before anything is returned: invalid input raises one `PlanError`
naming the field (``events[3].venue: unknown venue 'rathaus2'``) and no partial plan escapes.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from planner.errors import PlanError
from planner.gcpause import gc_paused
from planner.plan import fields
from planner.plan.clock import WallClock, minutes_of_day, parse_date, zone_named
from planner.plan.fields import MAX_COUNT, MAX_ID, MAX_MINUTES, storable
from planner.plan.model import (
    EVENT_KINDS,
    FORMAT,
    MAX_SEQUENCE,
    PERSON_ROLES,
    RULES,
    SEVERITIES,
    STATUSES,
    VENUE_KINDS,
    Delegation,
    Event,
    Festival,
    Person,
    Plan,
    Rules,
    Travel,
    Venue,
    Window,
)

_LANGUAGE = re.compile(r"[a-z]{2}")
_COUNTRY = re.compile(r"[A-Z]{2}")
# A JSON escape of a lone UTF-16 surrogate; only then do strings need a closer look.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")

MAX_BYTES = 512 * 1024 * 1024

_TOP = frozenset("format name timezone festival rules venues travel people delegations events".split())
_FESTIVAL = frozenset(("start", "end", "quiet_hours"))
_RULES = frozenset("walk_kmh drive_kmh walk_max_km detour drive_overhead_min disabled severity".split())
_VENUE = frozenset(
    "id name address lat lon kind capacity max_parallel opening_hours golden_book changeover_min amplified notes".split()
)
_TRAVEL = frozenset(("from", "to", "minutes"))
_PERSON = frozenset("id name role languages phone email notes".split())
_DELEGATION = frozenset("id city country size languages arrival departure hotel notes".split())
_EVENT = frozenset("id title kind start end venue delegations people status public attendance notes sequence pinned".split())


def parse_festival(raw: object) -> Festival:
    raw = fields.mapping(raw, "festival", _FESTIVAL)
    festival = Festival(
        start=fields.optional(raw, "start", parse_date, "festival", None),
        end=fields.optional(raw, "end", parse_date, "festival", None),
    )
    if festival.start and festival.end and festival.end < festival.start:
        raise PlanError("festival.end", "the festival ends before it starts")
    quiet = raw.get("quiet_hours")
    if quiet is not None:
        if type(quiet) is not list or len(quiet) != 2:
            raise PlanError("festival.quiet_hours", 'expected ["HH:MM", "HH:MM"]')
        begin = minutes_of_day(quiet[0], "festival.quiet_hours[0]")
        end = minutes_of_day(quiet[1], "festival.quiet_hours[1]")
        if begin == 1440:
            raise PlanError("festival.quiet_hours[0]", "quiet hours cannot begin at 24:00")
        festival.quiet_hours = Window(begin, end)
    return festival


def parse_rules(raw: object) -> Rules:
    raw = fields.mapping(raw, "rules", _RULES)
    rules = Rules()
    # Bounds keep every travel time finite; no real walk, drive or detour comes near them.
    for key, low, high in (
        ("walk_kmh", 0.01, 1000),
        ("drive_kmh", 0.01, 10000),
        ("walk_max_km", 0, 40000),
        ("detour", 0.01, 100),
        ("drive_overhead_min", 0, MAX_MINUTES),
    ):
        if raw.get(key) is not None:
            setattr(rules, key, fields.ranged(raw[key], f"rules.{key}", low, high))
    disabled = []
    for index, rule in enumerate(fields.listed(fields.or_default(raw.get("disabled"), []), "rules.disabled")):
        disabled.append(fields.choice(rule, f"rules.disabled[{index}]", tuple(RULES)))
    rules.disabled = tuple(disabled)
    severity = fields.or_default(raw.get("severity"), {})
    if type(severity) is not dict:
        raise fields.type_error(severity, "rules.severity", "an object")
    for rule, level in severity.items():
        if rule not in RULES:
            raise PlanError(f"rules.severity.{rule}", f"unknown rule; known: {', '.join(RULES)}")
        rules.severity[rule] = fields.choice(level, f"rules.severity.{rule}", SEVERITIES)
    return rules


def parse_venue(raw: dict, path: str) -> Venue:
    fields.mapping(raw, path, _VENUE, ("name", "lat", "lon", "kind"))
    venue = Venue(
        id=raw["id"],
        name=fields.text(raw["name"], f"{path}.name"),
        lat=fields.ranged(raw["lat"], f"{path}.lat", -90, 90),
        lon=fields.ranged(raw["lon"], f"{path}.lon", -180, 180),
        kind=fields.choice(raw["kind"], f"{path}.kind", VENUE_KINDS),
        address=fields.optional(raw, "address", fields.text, path, ""),
        capacity=fields.optional(raw, "capacity", lambda v, p: fields.integer(v, p, 1), path, None),
        max_parallel=fields.optional(raw, "max_parallel", lambda v, p: fields.integer(v, p, 1), path, 1),
        opening_hours=fields.optional(raw, "opening_hours", fields.windows, path, None),
        golden_book=fields.optional(raw, "golden_book", fields.boolean, path, False),
        changeover_min=fields.optional(raw, "changeover_min", lambda v, p: fields.ranged(v, p, 0, MAX_MINUTES), path, 0),
        amplified=fields.optional(raw, "amplified", fields.boolean, path, False),
        notes=fields.optional(raw, "notes", fields.text, path, ""),
    )
    return venue


def parse_travel(raw: object, path: str, venues: dict[str, Venue]) -> Travel:
    raw = fields.mapping(raw, path, _TRAVEL, ("from", "to", "minutes"))
    source, target = raw["from"], raw["to"]
    for key, ref in (("from", source), ("to", target)):
        if type(ref) is not str or ref not in venues:
            raise PlanError(f"{path}.{key}", f"unknown venue {ref!r}")
    return Travel(source, target, fields.ranged(raw["minutes"], f"{path}.minutes", 0, MAX_MINUTES))


def parse_person(raw: dict, path: str) -> Person:
    fields.mapping(raw, path, _PERSON, ("name", "role"))
    return Person(
        id=raw["id"],
        name=fields.text(raw["name"], f"{path}.name"),
        role=fields.choice(raw["role"], f"{path}.role", PERSON_ROLES),
        languages=fields.optional(
            raw, "languages", lambda v, p: fields.codes(v, p, _LANGUAGE, "an ISO 639-1 code such as 'de'"), path, ()
        ),
        phone=fields.optional(raw, "phone", fields.text, path, ""),
        email=fields.optional(raw, "email", fields.text, path, ""),
        notes=fields.optional(raw, "notes", fields.text, path, ""),
    )


def parse_delegation(raw: dict, path: str, clock: WallClock, venues: dict[str, Venue]) -> Delegation:
    fields.mapping(raw, path, _DELEGATION, ("city", "country", "size"))
    country = raw["country"]
    if type(country) is not str or not _COUNTRY.fullmatch(country):
        raise PlanError(f"{path}.country", f"expected an ISO 3166-1 alpha-2 code such as 'FR', got {country!r}")
    delegation = Delegation(
        id=raw["id"],
        city=fields.text(raw["city"], f"{path}.city"),
        country=country,
        size=fields.integer(raw["size"], f"{path}.size", 1),
        languages=fields.optional(
            raw, "languages", lambda v, p: fields.codes(v, p, _LANGUAGE, "an ISO 639-1 code such as 'fr'"), path, ()
        ),
        arrival=fields.optional(raw, "arrival", clock.parse, path, None),
        departure=fields.optional(raw, "departure", clock.parse, path, None),
        hotel=raw.get("hotel"),
        notes=fields.optional(raw, "notes", fields.text, path, ""),
    )
    if delegation.hotel is not None and (type(delegation.hotel) is not str or delegation.hotel not in venues):
        raise PlanError(f"{path}.hotel", f"unknown venue {delegation.hotel!r}")
    if delegation.arrival and delegation.departure and delegation.departure <= delegation.arrival:
        raise PlanError(f"{path}.departure", "departure must be after arrival")
    return delegation


def parse_event(raw: object, path: str, plan: Plan, clock: WallClock) -> Event:
    """One event, validated field by field with an exact error path."""
    raw = fields.mapping(raw, path, _EVENT, ("title", "kind", "start", "end"))
    kind = fields.choice(raw["kind"], f"{path}.kind", EVENT_KINDS)
    start = clock.parse(raw["start"], f"{path}.start")
    end = clock.parse(raw["end"], f"{path}.end")
    if end <= start:
        raise PlanError(f"{path}.end", f"the event must end after it starts ({raw['end']} ≤ {raw['start']})")
    venue = raw.get("venue")
    if venue is None:
        if kind != "unavailable":
            raise PlanError(f"{path}.venue", "required field is missing (only 'unavailable' events may have no venue)")
    elif type(venue) is not str or venue not in plan.venues:
        raise PlanError(f"{path}.venue", f"unknown venue {venue!r}")
    return Event(
        id=fields.identifier(raw.get("id"), f"{path}.id"),
        title=fields.text(raw["title"], f"{path}.title"),
        kind=kind,
        start=start,
        end=end,
        venue=venue,
        delegations=fields.optional(
            raw, "delegations", lambda v, p: fields.references(v, p, plan.delegations, "delegation"), path, ()
        ),
        people=fields.optional(raw, "people", lambda v, p: fields.references(v, p, plan.people, "person"), path, ()),
        status=fields.optional(raw, "status", lambda v, p: fields.choice(v, p, STATUSES), path, "confirmed"),
        public=fields.optional(raw, "public", fields.boolean, path, False),
        attendance=fields.optional(raw, "attendance", lambda v, p: fields.integer(v, p, 0), path, None),
        notes=fields.optional(raw, "notes", fields.text, path, ""),
        sequence=fields.optional(raw, "sequence", lambda v, p: fields.integer(v, p, 0, MAX_SEQUENCE), path, 0),
        pinned=fields.optional(raw, "pinned", fields.boolean, path, False),
    )


class Doubt(Exception):
    """The quick reader is unsure about an event; `parse_event` decides and names the error."""


def quick_event_reader(plan: Plan, clock: WallClock) -> Callable[[object], Event]:
    """A reader of one raw event that takes only what it can vouch for cheaply and raises
    `Doubt` (or KeyError/TypeError/PlanError) otherwise. Whatever it returns, `parse_event`
    returns too (tests/plan/test_reading.py proves it by property test); it exists because a
    city's year holds 100,000 events and field-by-field reading would double `check`'s time."""
    venue_ids, people_ids, delegation_ids = plan.venues.keys(), plan.people.keys(), plan.delegations.keys()
    parse = clock.parse
    # Texts seen before are looked up directly; only strings are ever stored there.
    parsed = clock.parsed
    allowed, kinds, statuses = _EVENT, EVENT_KINDS, STATUSES

    def vouch(raw: Any) -> Event:
        if type(raw) is not dict or not raw.keys() <= allowed:
            raise Doubt
        ident, title, kind = raw["id"], raw["title"], raw["kind"]
        if (
            type(ident) is not str
            or not ident
            or len(ident) > MAX_ID
            or type(title) is not str
            or "\r" in title
            or kind not in kinds
        ):
            raise Doubt
        # NUL and lone surrogates: decode_json refuses them in files, but not in documents
        # given as objects, which the careful reader refuses too.
        if not (ident.isascii() and title.isascii()) or "\x00" in ident or "\x00" in title:
            if not (storable(ident) and storable(title)):
                raise Doubt
        start = parsed.get(raw["start"]) or parse(raw["start"], "")
        end = parsed.get(raw["end"]) or parse(raw["end"], "")
        venue = raw.get("venue")
        if end <= start or (venue not in venue_ids if venue is not None else kind != "unavailable"):
            raise Doubt
        refs = raw.get("delegations")
        if refs:
            if type(refs) is not list:
                raise Doubt
            if len(refs) == 1:  # the usual case, without building a set
                if refs[0] not in delegation_ids:
                    raise Doubt
            elif len(refs) != len(unique := set(refs)) or not unique <= delegation_ids:
                raise Doubt
            event_delegations = tuple(refs)
        elif refs is None or refs == []:
            event_delegations = ()
        else:
            raise Doubt
        refs = raw.get("people")
        if refs:
            if type(refs) is not list:
                raise Doubt
            if len(refs) == 1:
                if refs[0] not in people_ids:
                    raise Doubt
            elif len(refs) != len(unique := set(refs)) or not unique <= people_ids:
                raise Doubt
            event_people = tuple(refs)
        elif refs is None or refs == []:
            event_people = ()
        else:
            raise Doubt
        # Explicit nulls take the careful path, which reads them as defaults.
        status = raw.get("status", "confirmed")
        public = raw.get("public", False)
        attendance = raw.get("attendance")
        notes = raw.get("notes", "")
        sequence = raw.get("sequence", 0)
        pinned = raw.get("pinned", False)
        if (
            status not in statuses
            or type(public) is not bool
            or (attendance is not None and (type(attendance) is not int or not 0 <= attendance <= MAX_COUNT))
            or type(notes) is not str
            or "\r" in notes
            or not storable(notes)
            or type(sequence) is not int
            or not 0 <= sequence <= MAX_SEQUENCE
            or type(pinned) is not bool
        ):
            raise Doubt
        return Event(
            ident,
            title,
            kind,
            start,
            end,
            venue,
            event_delegations,
            event_people,
            status,
            public,
            attendance,
            notes,
            sequence,
            pinned,
        )

    return vouch


def _events(raw_events: object, plan: Plan, clock: WallClock) -> list[Event]:
    """The events, validated: quickly where `quick_event_reader` vouches for one, else by
    `parse_event`, which names the error."""
    items = fields.listed(raw_events, "events")
    vouch = quick_event_reader(plan, clock)
    events: list[Event] = []
    append = events.append
    for index, raw in enumerate(items):
        try:
            event = vouch(raw)
        except (Doubt, KeyError, TypeError, PlanError):
            event = parse_event(raw, f"events[{index}]", plan, clock)
        append(event)
    if len({event.id for event in events}) != len(events):
        seen: set[str] = set()
        for index, event in enumerate(events):
            if event.id in seen:
                raise PlanError(f"events[{index}].id", f"duplicate id {event.id!r}")
            seen.add(event.id)
    return events


def parse_plan(document: object) -> Plan:
    """A validated `Plan` from a decoded JSON document, or PlanError naming the bad field."""
    root = fields.mapping(document, "", _TOP, ("format",))
    if root["format"] != FORMAT:
        raise PlanError("format", f"expected {FORMAT!r}, got {root['format']!r}")
    timezone = root.get("timezone")
    timezone = "Europe/Berlin" if timezone is None else timezone
    clock = WallClock(zone_named(timezone, "timezone"))
    plan = Plan(
        name=_optional_top(root, "name"),
        timezone=timezone,
    )
    if root.get("festival") is not None:
        plan.festival = parse_festival(root["festival"])
    if root.get("rules") is not None:
        plan.rules = parse_rules(root["rules"])

    for ident, raw, path in fields.unique_ids(fields.or_default(root.get("venues"), []), "venues"):
        plan.venues[ident] = parse_venue(raw, path)
    for index, raw in enumerate(fields.listed(fields.or_default(root.get("travel"), []), "travel")):
        plan.travel.append(parse_travel(raw, f"travel[{index}]", plan.venues))
    for ident, raw, path in fields.unique_ids(fields.or_default(root.get("people"), []), "people"):
        plan.people[ident] = parse_person(raw, path)
    for ident, raw, path in fields.unique_ids(fields.or_default(root.get("delegations"), []), "delegations"):
        plan.delegations[ident] = parse_delegation(raw, path, clock, plan.venues)
    plan.events = _events(fields.or_default(root.get("events"), []), plan, clock)
    return plan


def _optional_top(root: dict, key: str) -> str:
    value = root.get(key)
    return "" if value is None else fields.text(value, key)


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict:
    """An object's members as a dict; a key given twice would silently drop the first value."""
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return found


def _reject_constant(name: str) -> float:
    raise PlanError("", f"{name} is not a valid JSON number")


def decode_json(data: bytes, source: str = "input") -> object:
    """Decode JSON bytes strictly (UTF-8, no NaN/Infinity, no lone surrogates) or PlanError."""
    if not data.strip():
        raise PlanError("", f"{source} is empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PlanError("", f"{source} is not UTF-8 (bad byte at position {error.start})") from None
    try:
        document = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as error:
        raise PlanError("", f"{source} is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}") from None
    except RecursionError:
        raise PlanError("", f"{source} is nested too deeply") from None
    except _DuplicateKey as error:
        raise PlanError("", f"{source}: the key {error.args[0]!r} appears twice in one object") from None
    except ValueError as error:  # an integer with thousands of digits
        if "digits" in str(error):
            raise PlanError("", f"{source} holds a number with more than 4,300 digits") from None
        raise PlanError("", f"{source} is not valid JSON: {error}") from None
    if b"\\u" in data and (_SURROGATE_ESCAPE.search(data) or b"\\u0000" in data):
        _reject_unstorable(document, "")
    return document


def _reject_unstorable(value: object, path: str) -> None:
    """Refuse text that no database or file can keep: unpaired surrogates and NUL characters."""
    if isinstance(value, str):
        if "\x00" in value:
            raise PlanError(path, "text holds a NUL character (\\u0000), which databases cannot store")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise PlanError(path, "text holds an unpaired UTF-16 surrogate, which is not Unicode text") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _reject_unstorable(key, path)
            _reject_unstorable(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _reject_unstorable(item, f"{path}[{index}]")


def read_bytes(path: str | os.PathLike) -> bytes:
    """The bytes of a file, or PlanError saying why it cannot be read."""
    path = Path(path)
    try:
        if path.is_dir():
            raise PlanError("", f"{path} is a folder, not a plan file")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise PlanError("", f"{path} is larger than {MAX_BYTES // 2**20} MiB")
        return path.read_bytes()
    except FileNotFoundError:
        raise PlanError("", f"{path}: no such file") from None
    except PermissionError:
        raise PlanError("", f"{path}: permission denied") from None
    except OSError as error:
        raise PlanError("", f"{path}: cannot read ({error.strerror})") from None


def load_plan(path: str | os.PathLike) -> Plan:
    """Read and validate a plan file."""
    data = read_bytes(path)
    with gc_paused():
        return parse_plan(decode_json(data, str(path)))


def plan_from_bytes(data: bytes, source: str = "the upload") -> Plan:
    """Validate a plan given as the bytes of a JSON file (an upload, a request body)."""
    if len(data) > MAX_BYTES:
        raise PlanError("", f"{source} is larger than {MAX_BYTES // 2**20} MiB")
    with gc_paused():
        return parse_plan(decode_json(data, source))
