"""Dates and times as people read them in the app: the plan's local time (Europe/Berlin for
Dortmund), in German or English conventions (Babel/CLDR), e.g. "Fr., 7. Mai 2027" and
"Fri 7 May 2027"."""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo

from babel.dates import format_date, format_skeleton, format_time

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
    """"Freitag, 7. Mai 2027" / "Friday, 7 May 2027"."""
    return format_date(value, "full", locale=_locale(lang))


def clock_time(instant: datetime, zone: tzinfo, lang: str = "en") -> str:
    """The local time of an aware instant: "14:05" (both languages use the 24-hour clock)."""
    return format_time(instant.astimezone(zone), "HH:mm", locale=_locale(lang))


def moment(instant: datetime, zone: tzinfo, lang: str = "en") -> str:
    """Day and local time: "Fr., 7. Mai 2027, 14:05"."""
    local = instant.astimezone(zone)
    return f"{day(local.date(), lang)}, {clock_time(local, zone, lang)}"


def span(start: datetime, end: datetime, zone: tzinfo, lang: str = "en") -> str:
    """"14:00–15:30", or with the end's day when the event runs past midnight."""
    first, last = start.astimezone(zone), end.astimezone(zone)
    if first.date() == last.date():
        return f"{clock_time(first, zone, lang)}–{clock_time(last, zone, lang)}"
    return f"{clock_time(first, zone, lang)} – {short_day(last.date(), lang)} {clock_time(last, zone, lang)}"


# Characters that start Markdown anywhere in a line: emphasis, code, links and images, HTML,
# entities, maths, strikethrough, tables; a colon before a letter or a slash (":smile:",
# ":red[x]", "https://", which GitHub-flavoured Markdown would make a link) and "www.".
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>&$~|{}])|(:)(?=[A-Za-z_/])|(?<=[wW]{3})(\.)")
# What starts a block at the beginning of a line: headings, quotes, lists, rules.
_MARKDOWN_BLOCK = re.compile(r"^(\s*)(?:([#>+=-])|(\d+)([.)]))")
# Emoji codes (":smile:"), ":material/home:" and ":streamlit:" are replaced in the text after
# Markdown has been read, so a backslash cannot stop them: a word joiner (U+2060, invisible)
# after the first colon does.
_SHORTCODE = re.compile(r":(?=[\w+-][\w+/-]*:)")


def markdown_literal(text: str) -> str:
    """`text` for a place that renders Markdown (Streamlit's titles, messages and tables), so
    that it shows exactly as typed: CommonMark backslash escapes for everything that would start
    emphasis, code, a link or image, HTML, an entity, maths or a block, an invisible word joiner
    in emoji and icon codes; line breaks become spaces. Plain words, numbers, times and
    sentences stay as they are."""
    one_line = _SHORTCODE.sub(":\u2060", " ".join(str(text).splitlines()))
    escaped = _MARKDOWN_INLINE.sub(lambda m: "\\" + (m.group(1) or m.group(2) or m.group(3)), one_line)
    return _MARKDOWN_BLOCK.sub(lambda m: m.group(1) + ("\\" + m.group(2) if m.group(2) else m.group(3) + "\\" + m.group(4)),
                               escaped)
