"""Dates and times as people read them: the plan's local time (Europe/Berlin for Dortmund), in
German or English conventions. The app's pages use CLDR (Babel): "Fr., 7. Mai 2027",
"Fri, 7 May 2027"; conflict and change messages, which must fit one line of a terminal or a
calendar, the compact forms "Fr 07.05.2027" and "Fri 7 May 2027"."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from babel.dates import format_date, format_skeleton, format_time

from planner.plan.clock import WallClock

LOCALES = {"en": "en_GB", "de": "de_DE"}


def _locale(lang: str) -> str:
    return LOCALES.get(lang, "en_GB")


def day(value: date, lang: str = "en") -> str:
    """The day with its weekday: "Fr., 7. Mai 2027" / "Fri, 7 May 2027"."""
    return format_skeleton("EdMMMy", value, locale=_locale(lang))


def short_day(value: date, lang: str = "en") -> str:
    """The day without the year: "Fr., 7. Mai" / "Fri 7 May"."""
    return format_skeleton("EdMMM", value, locale=_locale(lang))


def long_day(value: date, lang: str = "en") -> str:
    """ "Freitag, 7. Mai 2027" / "Friday, 7 May 2027"."""
    return format_date(value, "full", locale=_locale(lang))


def clock_time(instant: datetime, zone: tzinfo, lang: str = "en") -> str:
    """The local time of an aware instant: "14:05" (both languages use the 24-hour clock)."""
    return format_time(instant.astimezone(zone), "HH:mm", locale=_locale(lang))


def moment(instant: datetime, zone: tzinfo, lang: str = "en") -> str:
    """Day and local time: "Fr., 7. Mai 2027, 14:05"."""
    local = instant.astimezone(zone)
    return f"{day(local.date(), lang)}, {clock_time(local, zone, lang)}"


def span(start: datetime, end: datetime, zone: tzinfo, lang: str = "en") -> str:
    """ "14:00–15:30", or with the end's day when the event runs past midnight."""
    first, last = start.astimezone(zone), end.astimezone(zone)
    if first.date() == last.date():
        return f"{clock_time(first, zone, lang)}–{clock_time(last, zone, lang)}"
    return f"{clock_time(first, zone, lang)} – {short_day(last.date(), lang)} {clock_time(last, zone, lang)}"


_WEEKDAYS = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "de": ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"),
}
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def compact_day(value: date, lang: str = "en") -> str:
    """The day as messages write it: "Fri 7 May 2027" / "Fr 07.05.2027"."""
    weekday = _WEEKDAYS["de" if lang == "de" else "en"][value.weekday()]
    if lang == "de":
        return f"{weekday} {value.day:02d}.{value.month:02d}.{value.year}"
    return f"{weekday} {value.day} {_MONTHS_EN[value.month - 1]} {value.year}"


def compact_time(instant: datetime, clock: WallClock) -> str:
    """The local time as messages write it: "14:00"; with seconds where there are any, and
    with the UTC offset where the clocks show this time twice (the night they go back)."""
    local = clock.wall(instant)
    text = f"{local.hour:02d}:{local.minute:02d}"
    if local.second or local.microsecond:
        text += f":{local.second:02d}"
    if clock.steady_offset_at(instant) is None:
        zone = clock.zone
        if zone.utcoffset(local.replace(fold=0)) != zone.utcoffset(local.replace(fold=1)):
            offset = clock.local(instant).utcoffset()
            hours, rest = divmod(int(offset.total_seconds()) // 60, 60)  # type: ignore[union-attr]
            text += f" (UTC{hours:+d}{f':{rest:02d}' if rest else ''})"
    return text
