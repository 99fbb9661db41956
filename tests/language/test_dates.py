"""Dates and times for people (planner.language.dates): German and English days, clock times
and spans, always Berlin wall time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from planner.language import dates as formats

BERLIN = ZoneInfo("Europe/Berlin")


# -- dates and times for people --------------------------------------------------------------


def test_german_dates_and_times():
    day = date(2027, 5, 7)
    assert formats.day(day, "de") == "Fr., 7. Mai 2027"
    assert formats.short_day(day, "de") == "Fr., 7. Mai"
    assert formats.long_day(day, "de") == "Freitag, 7. Mai 2027"
    summer, winter = datetime(2027, 5, 7, 12, 5, tzinfo=UTC), datetime(2027, 1, 7, 23, 5, tzinfo=UTC)
    assert formats.clock_time(summer, BERLIN, "de") == "14:05" and formats.clock_time(winter, BERLIN, "de") == "00:05"
    assert formats.moment(summer, BERLIN, "de") == "Fr., 7. Mai 2027, 14:05"
    assert formats.span(summer, summer + timedelta(minutes=85), BERLIN, "de") == "14:05–15:30"
    late = datetime(2027, 5, 7, 21, 0, tzinfo=UTC)
    assert formats.span(late, late + timedelta(hours=2, minutes=30), BERLIN, "de") == "23:00 – Sa., 8. Mai 01:30"


def test_english_dates_and_times():
    day = date(2027, 5, 7)
    assert formats.long_day(day, "en") == "Friday, 7 May 2027"
    assert formats.day(day, "en").startswith("Fri") and formats.day(day, "en").endswith("7 May 2027")
    assert formats.short_day(day, "en").startswith("Fri") and formats.short_day(day, "en").endswith(" 7 May")
    late = datetime(2027, 5, 7, 21, 0, tzinfo=UTC)
    assert formats.clock_time(late, BERLIN, "en") == "23:00"  # 24-hour clock in English too
    assert (
        formats.span(late, late + timedelta(hours=2, minutes=30), BERLIN, "en")
        == f"23:00 – {formats.short_day(date(2027, 5, 8), 'en')} 01:30"
    )
    assert formats.day(day, "fr") == formats.day(day, "en")  # unknown languages read English


def test_english_days_as_documented():
    assert formats.day(date(2027, 5, 7), "en") == "Fri, 7 May 2027"
    assert formats.short_day(date(2027, 5, 7), "en") == "Fri 7 May"


@given(
    st.datetimes(min_value=datetime(2027, 1, 1), max_value=datetime(2028, 1, 1), timezones=st.just(UTC)),
    st.sampled_from(["en", "de"]),
)
def test_clock_time_is_berlin_wall_time(instant, lang):
    assert formats.clock_time(instant, BERLIN, lang) == instant.astimezone(BERLIN).strftime("%H:%M")
