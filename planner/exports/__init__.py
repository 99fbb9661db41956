"""Exports: calendars (.ics with VTIMEZONE), tables, maps, timelines and the plan day by day."""
