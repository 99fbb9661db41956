"""Wall time in the plan's zone versus absolute instants: parsing, converting, daily windows."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from planner.errors import PlanError

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
# Plans live between these years; outside them time-zone arithmetic would leave datetime's range.
FIRST_YEAR, LAST_YEAR = "1800", "2999"
ONE_DAY = timedelta(days=1)

# ASCII digits only: \d would also take Arabic-Indic and other digits.
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}(?::\d{2})?)?", re.ASCII)
_HHMM = re.compile(r"(\d{2}):(\d{2})", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def micros(instant: datetime) -> int:
    """An aware instant as exact microseconds since 1970 UTC (how the database and the engine
    keep instants)."""
    return (instant - EPOCH) // MICROSECOND


def from_micros(value: int) -> datetime:
    """Microseconds since 1970 as an aware UTC instant."""
    return EPOCH + value * MICROSECOND


def zone_named(name: object, path: str) -> ZoneInfo:
    """The IANA zone `name`, or PlanError."""
    if not isinstance(name, str) or not name:
        raise PlanError(path, "expected an IANA time zone name such as 'Europe/Berlin'")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise PlanError(path, f"unknown time zone {name!r}") from None


def minutes_of_day(text: object, path: str) -> int:
    """'HH:MM' (00:00 to 24:00) as minutes after midnight, or PlanError."""
    match = _HHMM.fullmatch(text) if isinstance(text, str) else None
    if match:
        hours, minutes = int(match[1]), int(match[2])
        if (hours < 24 and minutes < 60) or (hours == 24 and minutes == 0):
            return hours * 60 + minutes
    raise PlanError(path, f"expected a time 'HH:MM' between 00:00 and 24:00, got {text!r}")


def end_day(day: date, starts: time, ends: time) -> date:
    """The day an event that starts at `starts` on `day` and ends at `ends` ends: the next day
    when the end is before the start (it runs overnight)."""
    return day + timedelta(days=1) if ends < starts else day


def parse_date(text: object, path: str) -> date:
    """'YYYY-MM-DD' as a date, or PlanError."""
    if isinstance(text, str) and _DATE.fullmatch(text):
        if not FIRST_YEAR <= text[:4] <= LAST_YEAR:
            raise PlanError(path, f"{text} is outside the years {FIRST_YEAR}–{LAST_YEAR} the planner handles")
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise PlanError(path, f"expected a date 'YYYY-MM-DD', got {text!r}")


class WallClock:
    """Turns wall times of one zone into UTC instants and back.

    A wall time without offset is local to the zone; one that falls in a spring-forward gap
    does not exist (invalid input), one that occurs twice at fall-back means its first
    occurrence. Conversions are memoised per calendar day, so a year of events costs a few
    hundred zone look-ups, not one per event.
    """

    def __init__(self, zone: tzinfo):
        self.zone = zone
        self._day_offset: dict[date, timedelta | None] = {}
        self._utc_day_offset: dict[date, timedelta | None] = {}
        self._walls: dict[datetime, datetime] = {}
        #: Date-time texts already parsed, with their instants.
        self.parsed: dict[str, datetime] = {}
        self._offset_of_day_text: dict[str, timedelta] = {}

    def _steady_offset(self, day: date) -> timedelta | None:
        """The UTC offset valid for the whole day, or None if the offset changes that day."""
        try:
            return self._day_offset[day]
        except KeyError:
            pass
        zone = self.zone
        first = datetime.combine(day, time(0))
        last = datetime.combine(day, time(23, 59, 59, 999999))
        offsets = {
            zone.utcoffset(first),
            zone.utcoffset(first.replace(fold=1)),
            zone.utcoffset(last),
            zone.utcoffset(last.replace(fold=1)),
        }
        # The offset at noon catches a day with two changes that cancel out.
        offsets.add(zone.utcoffset(datetime.combine(day, time(12))))
        steady = offsets.pop() if len(offsets) == 1 else None
        self._day_offset[day] = steady
        return steady

    def instant(self, wall: datetime) -> datetime | None:
        """The UTC instant of naive wall time `wall`; None if it does not exist (gap)."""
        offset = self._steady_offset(wall.date())
        if offset is not None:
            return (wall - offset).replace(tzinfo=UTC)
        first = wall.replace(tzinfo=self.zone, fold=0)
        utc = first.astimezone(UTC)
        if utc.astimezone(self.zone).replace(tzinfo=None) != wall:
            return None
        return utc

    def wall_instant(self, wall: datetime) -> datetime:
        """Like `instant`, but a wall time in a gap is moved forward by the gap (for boundaries
        of daily windows, which must exist on every day)."""
        found = self.instant(wall)
        if found is not None:
            return found
        return wall.replace(tzinfo=self.zone, fold=0).astimezone(UTC)

    def at(self, day: date, minute_of_day: int) -> datetime:
        """The UTC instant of wall time `minute_of_day` (0..1440) on `day`."""
        if minute_of_day == 1440:
            day, minute_of_day = day + ONE_DAY, 0
        wall = datetime(day.year, day.month, day.day, minute_of_day // 60, minute_of_day % 60)
        return self.wall_instant(wall)

    def window_on(self, day: date, window) -> tuple[datetime, datetime]:
        """The instants a daily window (`model.Window`) opens and closes when it opens on `day`;
        one that closes earlier than it opens runs into the next day."""
        closes_on = day + ONE_DAY if window.close < window.open else day
        return self.at(day, window.open), self.at(closes_on, window.close)

    def parse(self, text: object, path: str) -> datetime:
        """An ISO 8601 date-time string as an aware UTC datetime, or PlanError."""
        found = self.parsed.get(text) if type(text) is str else None
        if found is not None:
            return found
        match = _DATETIME.fullmatch(text) if type(text) is str else None
        if match is None or type(text) is not str:
            raise PlanError(
                path,
                f"expected a date-time 'YYYY-MM-DDTHH:MM' (optionally with seconds and an offset), got {text!r}",
            )
        if not FIRST_YEAR <= text[:4] <= LAST_YEAR:
            raise PlanError(path, f"{text} is outside the years {FIRST_YEAR}–{LAST_YEAR} the planner handles")
        try:
            if match[1] is not None:
                result = datetime.fromisoformat(text).astimezone(UTC)
            else:
                # Fast path: a day without a clock change has one offset for every wall time.
                offset = self._offset_of_day_text.get(text[:10])
                if offset is not None:
                    result = datetime.fromisoformat(text + "+00:00") - offset
                else:
                    result = self._parse_wall(text, path)
        except PlanError:
            raise
        except ValueError:
            raise PlanError(path, f"not a valid date-time: {text!r}") from None
        self.parsed[text] = result
        return result

    def _parse_wall(self, text: str, path: str) -> datetime:
        value = datetime.fromisoformat(text)
        offset = self._steady_offset(value.date())
        if offset is not None:
            self._offset_of_day_text[text[:10]] = offset
            return (value - offset).replace(tzinfo=UTC)
        found = self.instant(value)
        if found is None:
            raise PlanError(path, f"{text} does not exist in {self.zone}: the clocks jump forward over it")
        return found

    def steady_offset_at(self, instant: datetime) -> timedelta | None:
        """The zone's offset for the whole UTC day of `instant`, or None if it changes that day."""
        day = instant.date()
        try:
            return self._utc_day_offset[day]
        except KeyError:
            pass
        first = datetime.combine(day, time(0), UTC)
        last = datetime.combine(day, time(23, 59, 59, 999999), UTC)
        before, after = first.astimezone(self.zone).utcoffset(), last.astimezone(self.zone).utcoffset()
        middle = datetime.combine(day, time(12), UTC).astimezone(self.zone).utcoffset()
        steady = before if before == after == middle else None
        self._utc_day_offset[day] = steady
        return steady

    def local(self, instant: datetime) -> datetime:
        """The aware local datetime of a UTC instant."""
        return instant.astimezone(self.zone)

    def wall(self, instant: datetime) -> datetime:
        """The naive local wall time of an aware instant (memoised: messages name the same
        instants again and again)."""
        found = self._walls.get(instant)
        if found is None:
            offset = self.steady_offset_at(instant)
            if offset is None or instant.tzinfo is not UTC:
                found = instant.astimezone(self.zone).replace(tzinfo=None)
            else:
                found = (instant + offset).replace(tzinfo=None)
            self._walls[instant] = found
        return found

    def local_date(self, instant: datetime) -> date:
        """The local calendar date of an aware instant."""
        return self.wall(instant).date()
