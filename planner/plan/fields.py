"""Typed readers for the fields of input documents: each takes the value and the path to name
in an error, and returns the value checked (or raises PlanError with that path)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from typing import Any

from planner.errors import PlanError
from planner.plan.clock import minutes_of_day
from planner.plan.model import Window


def type_name(value: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false"}.get(
        type(value), "null" if value is None else "a number"
    )


def type_error(value: object, path: str, wanted: str) -> PlanError:
    return PlanError(path, f"expected {wanted}, got {type_name(value)}")


def mapping(value: object, path: str, allowed: frozenset[str], required: Iterable[str] = ()) -> dict:
    if type(value) is not dict:
        raise type_error(value, path, "an object")
    unknown = value.keys() - allowed
    if unknown:
        name = sorted(unknown)[0]
        raise PlanError(f"{path}.{name}" if path else name, "unknown field")
    for name in required:
        if value.get(name) is None:
            raise PlanError(f"{path}.{name}" if path else name, "required field is missing")
    return value


def listed(value: object, path: str) -> list:
    if type(value) is not list:
        raise type_error(value, path, "a list")
    return value


def text(value: object, path: str) -> str:
    if type(value) is not str:
        raise type_error(value, path, "a string")
    if "\x00" in value:
        raise PlanError(path, "text holds a NUL character (\\u0000), which databases cannot store")
    if not value.isascii() and not _encodable(value):
        raise PlanError(path, "text holds an unpaired UTF-16 surrogate, which is not Unicode text")
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


#: Ids are keys in the database; longer ones are not ids but pasted text.
MAX_ID = 200


def identifier(value: object, path: str) -> str:
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


def number(value: object, path: str) -> float:
    if type(value) is not int and type(value) is not float:
        raise type_error(value, path, "a number")
    if not math.isfinite(value):
        raise PlanError(path, f"expected a finite number, got {value}")
    return value


def ranged(value: object, path: str, low: float, high: float) -> float:
    checked = number(value, path)
    if checked < low or checked > high:
        raise PlanError(path, f"must be between {low:g} and {high:g}, got {checked!r}")
    return checked


#: Counts (sizes, capacities, attendance) above a billion are typing mistakes, and calendar
#: SEQUENCE numbers are 31-bit (RFC 5545).
MAX_COUNT = 1_000_000_000
#: A year of minutes: longer changeovers, trips or overheads are typing mistakes.
MAX_MINUTES = 525_600


def integer(value: object, path: str, low: int, high: int = MAX_COUNT) -> int:
    if type(value) is not int:
        raise type_error(value, path, "a whole number")
    if value < low or value > high:
        raise PlanError(path, f"must be between {low} and {high:,}, got {value}")
    return value


def boolean(value: object, path: str) -> bool:
    if type(value) is not bool:
        raise type_error(value, path, "true or false")
    return value


def choice(value: object, path: str, choices: frozenset[str] | tuple[str, ...]) -> str:
    if type(value) is not str or value not in choices:
        raise PlanError(path, f"expected one of {', '.join(sorted(choices))}; got {value!r}")
    return value


def codes(value: object, path: str, pattern: re.Pattern, what: str) -> tuple[str, ...]:
    codes = []
    for index, code in enumerate(listed(value, path)):
        if type(code) is not str or not pattern.fullmatch(code):
            raise PlanError(f"{path}[{index}]", f"expected {what}, got {code!r}")
        codes.append(code)
    return tuple(codes)


def references(value: object, path: str, known: dict, what: str) -> tuple[str, ...]:
    if type(value) is list:
        try:
            refs = set(value)
        except TypeError:
            refs = None
        # Known ids are strings, so a subset of them is a list of known string ids.
        if refs is not None and len(refs) == len(value) and refs <= known.keys():
            return tuple(value)
    else:
        raise type_error(value, path, "a list of ids")
    seen = set()
    for index, ref in enumerate(value):
        if type(ref) is not str:
            raise PlanError(f"{path}[{index}]", f"expected a {what} id, got {type_name(ref)}")
        if ref not in known:
            raise PlanError(f"{path}[{index}]", f"unknown {what} {ref!r}")
        if ref in seen:
            raise PlanError(f"{path}[{index}]", f"{what} {ref!r} is listed twice")
        seen.add(ref)
    raise AssertionError("unreachable")  # pragma: no cover


def windows(value: object, path: str) -> tuple[Window, ...]:
    windows = []
    for index, pair in enumerate(listed(value, path)):
        where = f"{path}[{index}]"
        if type(pair) is not list or len(pair) != 2:
            raise PlanError(where, 'expected a window ["HH:MM", "HH:MM"]')
        opens = minutes_of_day(pair[0], f"{where}[0]")
        if opens == 1440:
            raise PlanError(f"{where}[0]", "a window cannot open at 24:00")
        windows.append(Window(opens, minutes_of_day(pair[1], f"{where}[1]")))
    return tuple(windows)


def unique_ids(items: object, path: str) -> list[tuple[str, dict, str]]:
    """(id, raw object, its path) for a list of objects with unique non-empty ids."""
    found: list[tuple[str, dict, str]] = []
    seen: set[str] = set()
    for index, item in enumerate(listed(items, path)):
        where = f"{path}[{index}]"
        if type(item) is not dict:
            raise type_error(item, where, "an object")
        ident = identifier(item.get("id"), f"{where}.id")
        if ident in seen:
            raise PlanError(f"{where}.id", f"duplicate id {ident!r}")
        seen.add(ident)
        found.append((ident, item, where))
    return found


def or_default(value: Any, default: Any) -> Any:
    """`value`, or `default` where it is null or absent."""
    return default if value is None else value


def optional(raw: dict, key: str, read: Callable[[object, str], Any], path: str, default: Any) -> Any:
    value = raw.get(key)
    return default if value is None else read(value, f"{path}.{key}")
