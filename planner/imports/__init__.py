"""Imports: busy time from people's calendars, festival programmes from spreadsheets."""
