"""Exports: calendars (.ics with VTIMEZONE), tables, maps and timelines."""
