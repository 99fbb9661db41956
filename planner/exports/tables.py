"""Events as spreadsheet tables (CSV and Excel) for the same selections as the calendars, safe
to open: nothing anyone typed into a title, name or note can become a spreadsheet formula.

A cell that a spreadsheet would read as a formula (it starts, after any spaces, with ``=``,
``+``, ``-``, ``@``, a tab or a line break, or their full-width forms) is written
with a leading apostrophe in CSV, the OWASP advice that Excel, LibreOffice and Google Sheets
honour; in Excel files such cells are typed as text with Excel's own "quote prefix", so the
text stays exactly as typed and never runs, not even after the cell is edited. A CSV file is
safe read with either separator (German Excel splits the English comma file at semicolons, and
a person may pick the wrong one): a part of a cell after a separator or a line break that
would begin a formula, once split off there, gets the apostrophe too.

Who sees what follows the calendars: guests their delegation's copy of the plan, the public no
people and no notes, the office everything.
"""

from __future__ import annotations

import csv
import io
import re

from planner.errors import PlanError
from planner.exports.ics import Feed
from planner.plan.audiences import INTERNAL, PUBLIC, audience_view
from planner.plan.clock import WallClock, zone_named
from planner.plan.model import Plan

#: What a spreadsheet takes for the start of a formula (or of a DDE command).
FORMULA_START = frozenset("=+-@\t\r\n＝＋－＠")
# Where a reader splitting at the other separator, or at a line break that its splitting moved
# out of quotes, begins a cell: after a run of those characters and any spaces. That cell starts
# a formula if, past any spaces and quotes (a reader drops a leading quote pair), a formula start
# follows; it starts with a line break if the cell ends there, because then the closing quote of
# the written cell opens a quoted field that holds the line end. Both get an apostrophe.
_INNER_CELL_START = re.compile(r'([,;\r\n]++ *+)(?=[ "]*+(?:[' + re.escape("".join(sorted(FORMULA_START))) + r"]|\Z))")
# Characters an Excel file cannot hold (XML 1.0 forbids them); shown as U+FFFD instead.
_NOT_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_HEADERS = {
    "en": {
        "day": "Day",
        "start": "Start",
        "end": "End",
        "title": "Title",
        "kind": "Kind",
        "venue": "Venue",
        "address": "Address",
        "delegations": "Delegations",
        "people": "People",
        "status": "Status",
        "public": "Public",
        "notes": "Notes",
        "id": "ID",
        "yes": "yes",
        "no": "no",
    },
    "de": {
        "day": "Tag",
        "start": "Beginn",
        "end": "Ende",
        "title": "Titel",
        "kind": "Art",
        "venue": "Ort",
        "address": "Adresse",
        "delegations": "Delegationen",
        "people": "Personen",
        "status": "Status",
        "public": "Öffentlich",
        "notes": "Notizen",
        "id": "ID",
        "yes": "ja",
        "no": "nein",
    },
}
#: CSV field separator per language: German Excel splits on semicolons.
SEPARATORS = {"en": ",", "de": ";"}


def is_formula(text: str) -> bool:
    """Whether a spreadsheet would read `text` as a formula (leading spaces are skipped)."""
    stripped = text.lstrip(" ")
    return bool(stripped) and stripped[0] in FORMULA_START


def neutralise(value: object) -> object:
    """A cell value safe for CSV read with "," or ";": formula-like text gets a leading
    apostrophe, and so does each part after a separator or line break that would begin a formula
    once split off ("Lunch; -vegan" becomes "Lunch; '-vegan"); other values stay as they are."""
    if not isinstance(value, str):
        return value
    value = _INNER_CELL_START.sub(r"\1'", value)
    return "'" + value if is_formula(value) else value


def table_rows(plan: Plan, feed: Feed, lang: str = "en") -> tuple[list[str], list[list]]:
    """(headers, rows) of a feed's events in start order, in the plan's local time. Guests get
    their delegation's copy of the plan (see `plan.audiences.guest_plan`); the public no people and no
    notes; only internal tables carry notes, ids and the delegations of each event."""
    if lang not in _HEADERS:
        raise PlanError("", f"language must be en or de, got {lang!r}")
    plan, feed = audience_view(plan, feed)
    words = _HEADERS[lang]
    columns = ["day", "start", "end", "title", "kind", "venue", "address"]
    if feed.audience == INTERNAL:
        columns.append("delegations")
    if feed.audience != PUBLIC:
        columns.append("people")
    columns += ["status", "public"]
    if feed.audience == INTERNAL:
        columns += ["notes", "id"]
    wall = WallClock(zone_named(plan.timezone, "timezone"))
    rows = []
    for event in sorted(feed.events, key=lambda e: (e.start, e.end, e.id)):
        start, end = wall.wall(event.start), wall.wall(event.end)
        venue = plan.venues.get(event.venue) if event.venue else None
        cells = {
            "day": start.date().isoformat(),
            "start": f"{start:%H:%M}",
            "end": f"{end:%H:%M}",
            "title": event.title,
            "kind": event.kind,
            "venue": venue.name if venue else "",
            "address": venue.address if venue else "",
            "delegations": "; ".join(plan.delegations[d].city for d in event.delegations),
            "people": "; ".join(plan.people[p].name for p in event.people),
            "status": event.status,
            "public": words["yes"] if event.public else words["no"],
            "notes": event.notes,
            "id": event.id,
        }
        rows.append([cells[column] for column in columns])
    return [words[column] for column in columns], rows


def csv_bytes(headers: list[str], rows: list[list], lang: str = "en") -> bytes:
    """The table as CSV (UTF-8 with a byte order mark, which Excel needs to read umlauts; comma
    in English, semicolon in German), every text cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=SEPARATORS.get(lang, ","), lineterminator="\r\n")
    writer.writerow([neutralise(cell) for cell in headers])
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(headers: list[str], rows: list[list], sheet: str = "Programme") -> bytes:
    """The table as an Excel workbook: every cell text (never a formula), formula-like text
    with Excel's quote prefix so that editing the cell keeps it text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    table = book.active
    table.title = _NOT_IN_XLSX.sub("", re.sub(r"[\[\]:*?/\\]", " ", sheet))[:31].strip("' ") or "Programme"
    for column, header in enumerate(headers, start=1):
        _text_cell(table, 1, column, header).font = Font(bold=True)
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            _text_cell(table, number, column, value)
    table.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text_cell(table, row: int, column: int, value: object):
    text = _NOT_IN_XLSX.sub("\ufffd", str(value))
    cell = table.cell(row=row, column=column)
    # Assigning "=..." would make openpyxl write a formula: set the type after the value.
    cell.value = text
    cell.data_type = "s"
    if is_formula(text):
        cell.quotePrefix = True
    return cell


def export_table(plan: Plan, feed: Feed, file_format: str, lang: str = "en") -> bytes:
    """A feed's events as "csv" or "xlsx" bytes."""
    headers, rows = table_rows(plan, feed, lang)
    if file_format == "csv":
        return csv_bytes(headers, rows, lang)
    if file_format == "xlsx":
        return xlsx_bytes(headers, rows, sheet=feed.name)
    raise PlanError("", f"table format must be csv or xlsx, got {file_format!r}")


__all__ = ["FORMULA_START", "is_formula", "neutralise", "table_rows", "csv_bytes", "xlsx_bytes", "export_table"]
