"""A time zone's current daylight-saving rule as an iCalendar VTIMEZONE in RRULE form.

Calendar clients (Thunderbird's ical.js, vobject, Outlook) read a VTIMEZONE with one STANDARD
and one DAYLIGHT block and a yearly RRULE right; lists of RDATEs, as icalendar's
`add_missing_timezones()` writes them, come out an hour off in summer. The rule is read from
the POSIX TZ string at the end of the zone's TZif file (e.g. ``CET-1CEST,M3.5.0,M10.5.0/3``).
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path

_NAME = r"(?:[A-Za-z]{3,}|<[^>]+>)"
_OFFSET = r"[+-]?\d{1,2}(?::\d{2}){0,2}"
_POSIX = re.compile(
    rf"(?P<std>{_NAME})(?P<std_offset>{_OFFSET})"
    rf"(?:(?P<dst>{_NAME})(?P<dst_offset>{_OFFSET})?"
    rf",M(?P<m1>\d+)\.(?P<w1>\d)\.(?P<d1>\d)(?:/(?P<t1>{_OFFSET}))?"
    rf",M(?P<m2>\d+)\.(?P<w2>\d)\.(?P<d2>\d)(?:/(?P<t2>{_OFFSET}))?)?"
)
_WEEKDAYS = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")


def _seconds(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    parts = [int(p) for p in text.lstrip("+-").split(":")] + [0, 0]
    return sign * (parts[0] * 3600 + parts[1] * 60 + parts[2])


@dataclass(frozen=True)
class Transition:
    """A yearly switch: in `month`, the `week`-th (5 = last) `weekday` (0 = Sunday), at local
    wall time `at` (seconds after midnight, in the offset before the switch)."""

    month: int
    week: int
    weekday: int
    at: int

    def day(self, year: int) -> date:
        first = date(year, self.month, 1)
        # date.weekday(): Monday 0 … Sunday 6; POSIX: Sunday 0 … Saturday 6.
        shift = (self.weekday - (first.isoweekday() % 7)) % 7
        day = first + timedelta(days=shift + 7 * (self.week - 1))
        while day.month != self.month:
            day -= timedelta(days=7)
        return day

    def local(self, year: int) -> datetime:
        return datetime.combine(self.day(year), datetime.min.time()) + timedelta(seconds=self.at)

    def rrule(self) -> dict:
        week = -1 if self.week == 5 else self.week
        return {"FREQ": "YEARLY", "BYMONTH": self.month, "BYDAY": f"{week}{_WEEKDAYS[self.weekday]}"}


@dataclass(frozen=True)
class ZoneRule:
    """Standard offset and name, and (if the zone has daylight saving) its offset, name and
    the two yearly transitions."""

    standard_name: str
    standard: timedelta
    daylight_name: str | None = None
    daylight: timedelta | None = None
    to_daylight: Transition | None = None
    to_standard: Transition | None = None

    def offset_at(self, instant: datetime) -> timedelta:
        """The UTC offset this rule gives for an aware instant."""
        if self.daylight is None or self.to_daylight is None or self.to_standard is None:
            return self.standard
        year = instant.astimezone(UTC).year
        begins = self.to_daylight.local(year) - self.standard
        ends = self.to_standard.local(year) - self.daylight
        moment = instant.astimezone(UTC).replace(tzinfo=None)
        if begins < ends:  # northern hemisphere
            return self.daylight if begins <= moment < ends else self.standard
        return self.standard if ends <= moment < begins else self.daylight


def _tzif(key: str) -> bytes | None:
    for folder in zoneinfo.TZPATH:
        path = Path(folder) / key
        if path.is_file():
            return path.read_bytes()
    try:
        return resources.files("tzdata.zoneinfo").joinpath(*key.split("/")).read_bytes()
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return None


def zone_rule(key: str) -> ZoneRule | None:
    """The current rule of IANA zone `key`, or None if it cannot be expressed as one yearly
    RRULE pair (then callers write times in UTC instead)."""
    data = _tzif(key)
    if not data or not data.startswith(b"TZif"):
        return None
    footer = data.rstrip(b"\n").rsplit(b"\n", 1)[-1].decode("ascii", "replace")
    match = _POSIX.fullmatch(footer)
    if match is None:
        return None
    standard = timedelta(seconds=-_seconds(match["std_offset"]))
    if match["dst"] is None:
        return ZoneRule(match["std"].strip("<>"), standard)
    daylight = timedelta(seconds=-_seconds(match["dst_offset"])) if match["dst_offset"] else standard + timedelta(hours=1)
    to_daylight = Transition(int(match["m1"]), int(match["w1"]), int(match["d1"]), _seconds(match["t1"]) if match["t1"] else 7200)
    to_standard = Transition(int(match["m2"]), int(match["w2"]), int(match["d2"]), _seconds(match["t2"]) if match["t2"] else 7200)
    return ZoneRule(match["std"].strip("<>"), standard, match["dst"].strip("<>"), daylight, to_daylight, to_standard)
