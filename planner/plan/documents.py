"""Reading, validating and writing `dortbunt-plan/1` documents.

Everything is checked before anything is returned: invalid input raises one `PlanError`
naming the field (``events[3].venue: unknown venue 'rathaus2'``) and no partial plan escapes.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from planner.plan.clock import UTC, WallClock, minutes_of_day, parse_date, zone_named
from planner.errors import PlanError
from planner.gcpause import gc_paused
from planner.plan.model import (
    MAX_SEQUENCE,
    EVENT_KINDS,
    FORMAT,
    ROLES,
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

# ---------------------------------------------------------------------------------------------
# Small typed readers. Each takes the value and the path to name in an error.


def _type_name(value: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false"}.get(
        type(value), "null" if value is None else "a number"
    )


def _fail_type(value: object, path: str, wanted: str) -> PlanError:
    return PlanError(path, f"expected {wanted}, got {_type_name(value)}")


def _object(value: object, path: str, allowed: frozenset[str], required: Iterable[str] = ()) -> dict:
    if type(value) is not dict:
        raise _fail_type(value, path, "an object")
    unknown = value.keys() - allowed
    if unknown:
        name = sorted(unknown)[0]
        raise PlanError(f"{path}.{name}" if path else name, "unknown field")
    for name in required:
        if value.get(name) is None:
            raise PlanError(f"{path}.{name}" if path else name, "required field is missing")
    return value


def _list(value: object, path: str) -> list:
    if type(value) is not list:
        raise _fail_type(value, path, "a list")
    return value


def _text(value: object, path: str) -> str:
    if type(value) is not str:
        raise _fail_type(value, path, "a string")
    if "\x00" in value:
        raise PlanError(path, "text holds a NUL character (\\u0000), which databases cannot store")
    if not value.isascii() and not _encodable(value):
        raise PlanError(path, "text holds an unpaired UTF-16 surrogate, which is not Unicode text")
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


#: Ids are keys in the database; longer ones are not ids but pasted text.
MAX_ID = 200


def _id(value: object, path: str) -> str:
    if type(value) is not str or not value:
        raise PlanError(path, "expected a non-empty string id")
    if len(value) > MAX_ID:
        raise PlanError(path, f"an id may have at most {MAX_ID} characters, this one has {len(value)}")
    if not storable(value):
        raise PlanError(path, "an id may not hold NUL characters or unpaired UTF-16 surrogates")
    return value


def storable(text: str) -> bool:
    """Whether every database can keep `text`: no NUL character, no unpaired surrogate."""
    return "\x00" not in text and (text.isascii() or _encodable(text))


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _number(value: object, path: str) -> float:
    if type(value) not in (int, float):
        raise _fail_type(value, path, "a number")
    if not math.isfinite(value):
        raise PlanError(path, f"expected a finite number, got {value}")
    return value


def _ranged(value: object, path: str, low: float, high: float) -> float:
    number = _number(value, path)
    if number < low or number > high:
        raise PlanError(path, f"must be between {low:g} and {high:g}, got {number!r}")
    return number


#: Counts (sizes, capacities, attendance) above a billion are typing mistakes, and calendar
#: SEQUENCE numbers are 31-bit (RFC 5545).
MAX_COUNT = 1_000_000_000
#: A year of minutes: longer changeovers, trips or overheads are typing mistakes.
MAX_MINUTES = 525_600


def _integer(value: object, path: str, low: int, high: int = MAX_COUNT) -> int:
    if type(value) is not int:
        raise _fail_type(value, path, "a whole number")
    if value < low or value > high:
        raise PlanError(path, f"must be between {low} and {high:,}, got {value}")
    return value


def _bool(value: object, path: str) -> bool:
    if type(value) is not bool:
        raise _fail_type(value, path, "true or false")
    return value


def _choice(value: object, path: str, choices: frozenset[str] | tuple[str, ...]) -> str:
    if type(value) is not str or value not in choices:
        raise PlanError(path, f"expected one of {', '.join(sorted(choices))}; got {value!r}")
    return value


def _codes(value: object, path: str, pattern: re.Pattern, what: str) -> tuple[str, ...]:
    codes = []
    for index, code in enumerate(_list(value, path)):
        if type(code) is not str or not pattern.fullmatch(code):
            raise PlanError(f"{path}[{index}]", f"expected {what}, got {code!r}")
        codes.append(code)
    return tuple(codes)


def _references(value: object, path: str, known: dict, what: str) -> tuple[str, ...]:
    if type(value) is list:
        try:
            refs = set(value)
        except TypeError:
            refs = None
        # Known ids are strings, so a subset of them is a list of known string ids.
        if refs is not None and len(refs) == len(value) and refs <= known.keys():
            return tuple(value)
    else:
        raise _fail_type(value, path, "a list of ids")
    seen = set()
    for index, ref in enumerate(value):
        if type(ref) is not str:
            raise PlanError(f"{path}[{index}]", f"expected a {what} id, got {_type_name(ref)}")
        if ref not in known:
            raise PlanError(f"{path}[{index}]", f"unknown {what} {ref!r}")
        if ref in seen:
            raise PlanError(f"{path}[{index}]", f"{what} {ref!r} is listed twice")
        seen.add(ref)
    raise AssertionError("unreachable")  # pragma: no cover


def _windows(value: object, path: str) -> tuple[Window, ...]:
    windows = []
    for index, pair in enumerate(_list(value, path)):
        where = f"{path}[{index}]"
        if type(pair) is not list or len(pair) != 2:
            raise PlanError(where, 'expected a window ["HH:MM", "HH:MM"]')
        opens = minutes_of_day(pair[0], f"{where}[0]")
        if opens == 1440:
            raise PlanError(f"{where}[0]", "a window cannot open at 24:00")
        windows.append(Window(opens, minutes_of_day(pair[1], f"{where}[1]")))
    return tuple(windows)


def _unique_ids(items: object, path: str) -> list[tuple[str, dict, str]]:
    """(id, raw object, its path) for a list of objects with unique non-empty ids."""
    found: list[tuple[str, dict, str]] = []
    seen: set[str] = set()
    for index, item in enumerate(_list(items, path)):
        where = f"{path}[{index}]"
        if type(item) is not dict:
            raise _fail_type(item, where, "an object")
        ident = _id(item.get("id"), f"{where}.id")
        if ident in seen:
            raise PlanError(f"{where}.id", f"duplicate id {ident!r}")
        seen.add(ident)
        found.append((ident, item, where))
    return found


def _or(value: Any, default: Any) -> Any:
    """`value`, or `default` where it is null or absent."""
    return default if value is None else value


def _optional(raw: dict, key: str, read: Callable[[object, str], Any], path: str, default: Any) -> Any:
    value = raw.get(key)
    return default if value is None else read(value, f"{path}.{key}")


# ---------------------------------------------------------------------------------------------
# Sections of the document.

_TOP = frozenset("format name timezone festival rules venues travel people delegations events".split())
_FESTIVAL = frozenset(("start", "end", "quiet_hours"))
_RULES = frozenset(
    "walk_kmh drive_kmh walk_max_km detour drive_overhead_min disabled severity".split()
)
_VENUE = frozenset(
    "id name address lat lon kind capacity max_parallel opening_hours golden_book "
    "changeover_min amplified notes".split()
)
_TRAVEL = frozenset(("from", "to", "minutes"))
_PERSON = frozenset("id name role languages phone email notes".split())
_DELEGATION = frozenset(
    "id city country size languages arrival departure hotel notes".split()
)
_EVENT = frozenset(
    "id title kind start end venue delegations people status public attendance notes "
    "sequence pinned".split()
)


def _festival(raw: object) -> Festival:
    raw = _object(raw, "festival", _FESTIVAL)
    festival = Festival(
        start=_optional(raw, "start", parse_date, "festival", None),
        end=_optional(raw, "end", parse_date, "festival", None),
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


def _rules(raw: object) -> Rules:
    raw = _object(raw, "rules", _RULES)
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
            setattr(rules, key, _ranged(raw[key], f"rules.{key}", low, high))
    disabled = []
    for index, rule in enumerate(_list(_or(raw.get("disabled"), []), "rules.disabled")):
        disabled.append(_choice(rule, f"rules.disabled[{index}]", tuple(RULES)))
    rules.disabled = tuple(disabled)
    severity = _or(raw.get("severity"), {})
    if type(severity) is not dict:
        raise _fail_type(severity, "rules.severity", "an object")
    for rule, level in severity.items():
        if rule not in RULES:
            raise PlanError(f"rules.severity.{rule}", f"unknown rule; known: {', '.join(RULES)}")
        rules.severity[rule] = _choice(level, f"rules.severity.{rule}", SEVERITIES)
    return rules


def _venue(raw: dict, path: str) -> Venue:
    _object(raw, path, _VENUE, ("name", "lat", "lon", "kind"))
    venue = Venue(
        id=raw["id"],
        name=_text(raw["name"], f"{path}.name"),
        lat=_ranged(raw["lat"], f"{path}.lat", -90, 90),
        lon=_ranged(raw["lon"], f"{path}.lon", -180, 180),
        kind=_choice(raw["kind"], f"{path}.kind", VENUE_KINDS),
        address=_optional(raw, "address", _text, path, ""),
        capacity=_optional(raw, "capacity", lambda v, p: _integer(v, p, 1), path, None),
        max_parallel=_optional(raw, "max_parallel", lambda v, p: _integer(v, p, 1), path, 1),
        opening_hours=_optional(raw, "opening_hours", _windows, path, None),
        golden_book=_optional(raw, "golden_book", _bool, path, False),
        changeover_min=_optional(raw, "changeover_min", lambda v, p: _ranged(v, p, 0, MAX_MINUTES), path, 0),
        amplified=_optional(raw, "amplified", _bool, path, False),
        notes=_optional(raw, "notes", _text, path, ""),
    )
    return venue


def _travel(raw: object, path: str, venues: dict[str, Venue]) -> Travel:
    raw = _object(raw, path, _TRAVEL, ("from", "to", "minutes"))
    source, target = raw["from"], raw["to"]
    for key, ref in (("from", source), ("to", target)):
        if type(ref) is not str or ref not in venues:
            raise PlanError(f"{path}.{key}", f"unknown venue {ref!r}")
    return Travel(source, target, _ranged(raw["minutes"], f"{path}.minutes", 0, MAX_MINUTES))


def _person(raw: dict, path: str) -> Person:
    _object(raw, path, _PERSON, ("name", "role"))
    return Person(
        id=raw["id"],
        name=_text(raw["name"], f"{path}.name"),
        role=_choice(raw["role"], f"{path}.role", ROLES),
        languages=_optional(
            raw, "languages", lambda v, p: _codes(v, p, _LANGUAGE, "an ISO 639-1 code such as 'de'"), path, ()
        ),
        phone=_optional(raw, "phone", _text, path, ""),
        email=_optional(raw, "email", _text, path, ""),
        notes=_optional(raw, "notes", _text, path, ""),
    )


def _delegation(raw: dict, path: str, clock: WallClock, venues: dict[str, Venue]) -> Delegation:
    _object(raw, path, _DELEGATION, ("city", "country", "size"))
    country = raw["country"]
    if type(country) is not str or not _COUNTRY.fullmatch(country):
        raise PlanError(f"{path}.country", f"expected an ISO 3166-1 alpha-2 code such as 'FR', got {country!r}")
    delegation = Delegation(
        id=raw["id"],
        city=_text(raw["city"], f"{path}.city"),
        country=country,
        size=_integer(raw["size"], f"{path}.size", 1),
        languages=_optional(
            raw, "languages", lambda v, p: _codes(v, p, _LANGUAGE, "an ISO 639-1 code such as 'fr'"), path, ()
        ),
        arrival=_optional(raw, "arrival", clock.parse, path, None),
        departure=_optional(raw, "departure", clock.parse, path, None),
        hotel=raw.get("hotel"),
        notes=_optional(raw, "notes", _text, path, ""),
    )
    if delegation.hotel is not None and (type(delegation.hotel) is not str or delegation.hotel not in venues):
        raise PlanError(f"{path}.hotel", f"unknown venue {delegation.hotel!r}")
    if delegation.arrival and delegation.departure and delegation.departure <= delegation.arrival:
        raise PlanError(f"{path}.departure", "departure must be after arrival")
    return delegation


class _Doubt(Exception):
    """The fast path is unsure about an event; the careful path decides and names the error."""


def _event(raw: object, path: str, plan: Plan, clock: WallClock) -> Event:
    """One event, validated field by field with an exact error path."""
    raw = _object(raw, path, _EVENT, ("title", "kind", "start", "end"))
    kind = _choice(raw["kind"], f"{path}.kind", EVENT_KINDS)
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
        id=_id(raw.get("id"), f"{path}.id"),
        title=_text(raw["title"], f"{path}.title"),
        kind=kind,
        start=start,
        end=end,
        venue=venue,
        delegations=_optional(raw, "delegations", lambda v, p: _references(v, p, plan.delegations, "delegation"), path, ()),
        people=_optional(raw, "people", lambda v, p: _references(v, p, plan.people, "person"), path, ()),
        status=_optional(raw, "status", lambda v, p: _choice(v, p, STATUSES), path, "confirmed"),
        public=_optional(raw, "public", _bool, path, False),
        attendance=_optional(raw, "attendance", lambda v, p: _integer(v, p, 0), path, None),
        notes=_optional(raw, "notes", _text, path, ""),
        sequence=_optional(raw, "sequence", lambda v, p: _integer(v, p, 0, MAX_SEQUENCE), path, 0),
        pinned=_optional(raw, "pinned", _bool, path, False),
    )


def _events(raw_events: object, plan: Plan, clock: WallClock) -> list[Event]:
    """The events, validated. A city's year holds 100,000 of them, so a fast path takes
    every event it can vouch for cheaply and hands anything doubtful to `_event`."""
    items = _list(raw_events, "events")
    venues, people, delegations = plan.venues, plan.people, plan.delegations
    venue_ids, people_ids, delegation_ids = venues.keys(), people.keys(), delegations.keys()
    parse = clock.parse
    # Texts seen before are looked up directly; only strings are ever stored there.
    parsed = clock.parsed
    allowed, kinds, statuses = _EVENT, EVENT_KINDS, STATUSES
    events: list[Event] = []
    append = events.append
    for index, raw in enumerate(items):
        try:
            if type(raw) is not dict or not raw.keys() <= allowed:
                raise _Doubt
            ident, title, kind = raw["id"], raw["title"], raw["kind"]
            if (type(ident) is not str or not ident or len(ident) > MAX_ID or type(title) is not str
                    or "\r" in title or kind not in kinds):
                raise _Doubt
            start = parsed.get(raw["start"]) or parse(raw["start"], "")
            end = parsed.get(raw["end"]) or parse(raw["end"], "")
            venue = raw.get("venue")
            if end <= start or (venue not in venue_ids if venue is not None else kind != "unavailable"):
                raise _Doubt
            refs = raw.get("delegations")
            if refs:
                if type(refs) is not list:
                    raise _Doubt
                if len(refs) == 1:  # the usual case, without building a set
                    if refs[0] not in delegation_ids:
                        raise _Doubt
                elif len(refs) != len(unique := set(refs)) or not unique <= delegation_ids:
                    raise _Doubt
                event_delegations = tuple(refs)
            elif refs is None or refs == []:
                event_delegations = ()
            else:
                raise _Doubt
            refs = raw.get("people")
            if refs:
                if type(refs) is not list:
                    raise _Doubt
                if len(refs) == 1:
                    if refs[0] not in people_ids:
                        raise _Doubt
                elif len(refs) != len(unique := set(refs)) or not unique <= people_ids:
                    raise _Doubt
                event_people = tuple(refs)
            elif refs is None or refs == []:
                event_people = ()
            else:
                raise _Doubt
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
                or type(notes) is not str or "\r" in notes
                or type(sequence) is not int or not 0 <= sequence <= MAX_SEQUENCE
                or type(pinned) is not bool
            ):
                raise _Doubt
            event = Event(ident, title, kind, start, end, venue, event_delegations, event_people,
                          status, public, attendance, notes, sequence, pinned)
        except (_Doubt, KeyError, TypeError, PlanError):
            event = _event(raw, f"events[{index}]", plan, clock)
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
    root = _object(document, "", _TOP, ("format",))
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
        plan.festival = _festival(root["festival"])
    if root.get("rules") is not None:
        plan.rules = _rules(root["rules"])

    for ident, raw, path in _unique_ids(_or(root.get("venues"), []), "venues"):
        plan.venues[ident] = _venue(raw, path)
    for index, raw in enumerate(_list(_or(root.get("travel"), []), "travel")):
        plan.travel.append(_travel(raw, f"travel[{index}]", plan.venues))
    for ident, raw, path in _unique_ids(_or(root.get("people"), []), "people"):
        plan.people[ident] = _person(raw, path)
    for ident, raw, path in _unique_ids(_or(root.get("delegations"), []), "delegations"):
        plan.delegations[ident] = _delegation(raw, path, clock, plan.venues)
    plan.events = _events(_or(root.get("events"), []), plan, clock)
    return plan


def _optional_top(root: dict, key: str) -> str:
    value = root.get(key)
    return "" if value is None else _text(value, key)


# ---------------------------------------------------------------------------------------------
# Files.


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


# ---------------------------------------------------------------------------------------------
# Writing.


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


def format_instant(instant: datetime, clock: WallClock) -> str:
    """An instant as local wall time with its offset, e.g. ``2027-05-07T14:00:00+02:00``."""
    return clock.local(instant).isoformat()


def venue_document(v: Venue) -> dict:
    """A venue as its `dortbunt-plan/1` object."""
    return {
        "id": v.id, "name": v.name, "address": v.address, "lat": v.lat, "lon": v.lon,
        "kind": v.kind, **({"capacity": v.capacity} if v.capacity is not None else {}),
        "max_parallel": v.max_parallel,
        **(
            {"opening_hours": [[_hhmm(w.open), _hhmm(w.close)] for w in v.opening_hours]}
            if v.opening_hours is not None else {}
        ),
        "golden_book": v.golden_book, "changeover_min": v.changeover_min,
        "amplified": v.amplified, **({"notes": v.notes} if v.notes else {}),
    }


def person_document(p: Person) -> dict:
    """A person as its `dortbunt-plan/1` object."""
    return {
        "id": p.id, "name": p.name, "role": p.role, "languages": list(p.languages),
        **{key: getattr(p, key) for key in ("phone", "email", "notes") if getattr(p, key)},
    }


def delegation_document(d: Delegation, clock: WallClock) -> dict:
    """A delegation as its `dortbunt-plan/1` object."""
    return {
        "id": d.id, "city": d.city, "country": d.country, "size": d.size,
        "languages": list(d.languages),
        **({"arrival": format_instant(d.arrival, clock)} if d.arrival else {}),
        **({"departure": format_instant(d.departure, clock)} if d.departure else {}),
        **({"hotel": d.hotel} if d.hotel else {}),
        **({"notes": d.notes} if d.notes else {}),
    }


def event_document(e: Event, clock: WallClock) -> dict:
    """An event as its `dortbunt-plan/1` object."""
    return {
        "id": e.id, "title": e.title, "kind": e.kind,
        "start": format_instant(e.start, clock), "end": format_instant(e.end, clock),
        "venue": e.venue, "delegations": list(e.delegations), "people": list(e.people),
        "status": e.status, "public": e.public,
        **({"attendance": e.attendance} if e.attendance is not None else {}),
        "notes": e.notes, "sequence": e.sequence, "pinned": e.pinned,
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


__all__ = ["PlanError", "parse_plan", "load_plan", "plan_from_bytes", "decode_json", "plan_to_document", "dump_plan",
           "save_plan", "read_bytes", "UTC"]
