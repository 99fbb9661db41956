"""Festival programmes as tables: read a CSV or Excel file into festival slots (every bad row
named, nothing taken on any error), and the slots as rows for the app's table editor.

Columns (header names in English or German, any order, case ignored):

    title/titel · stage/bühne (venue id or name) · day/tag (2027-05-07 or 07.05.2027) ·
    start/beginn (19:30) · end/ende (20:15; earlier than start = after midnight) ·
    performers/mitwirkende (person ids or names, separated by ";") · public/öffentlich
    (yes/no, ja/nein, true/false, 1/0) · status (confirmed/tentative/cancelled) · id

Times are the plan's local wall-clock times (Europe/Berlin): the table never holds time zones,
which keeps the table editor's edits (a time-zone-aware column drops edits whose type differs).
"""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import date, datetime, time, timedelta

import pandas as pd

from .clock import WallClock, zone_named
from .errors import PlanError
from .loading import free_id, wall_text
from .model import Event, Plan, STATUSES
from .preview import read_event

MAX_ROWS = 5000
COLUMNS = {
    "title": ("title", "titel", "name", "act"),
    "stage": ("stage", "bühne", "buehne", "venue", "ort"),
    "day": ("day", "date", "tag", "datum"),
    "start": ("start", "beginn", "from", "von"),
    "end": ("end", "ende", "to", "bis"),
    "performers": ("performers", "people", "mitwirkende", "personen"),
    "public": ("public", "öffentlich", "oeffentlich"),
    "status": ("status",),
    "id": ("id",),
}
REQUIRED = ("title", "stage", "day", "start", "end")
_YES = {"yes", "y", "ja", "j", "true", "wahr", "1", "x"}
_NO = {"no", "n", "nein", "false", "falsch", "0", ""}


class ProgrammeError(PlanError):
    """A programme file with bad rows: `problems` holds one message per bad row."""

    def __init__(self, source: str, problems: list[str]):
        self.problems = problems
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        super().__init__("", f"{source}: {len(problems)} problem(s), nothing imported: {shown}")


def is_stage(plan: Plan, venue_id: str) -> bool:
    venue = plan.venues[venue_id]
    return venue.kind in ("stage", "square", "park") or venue.amplified


def read_table(data: bytes, filename: str) -> pd.DataFrame:
    """The raw table of a .csv (comma or semicolon, UTF-8) or .xlsx file, every cell as text."""
    name = filename.lower()
    try:
        if name.endswith((".xlsx", ".xlsm")):
            table = pd.read_excel(io.BytesIO(data), dtype=object, engine="openpyxl")
        elif name.endswith(".csv"):
            text = data.decode("utf-8-sig")
            # Blank lines are kept (and skipped later) so that row numbers match the spreadsheet's.
            table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=None, engine="python",
                                skip_blank_lines=False)
        else:
            raise PlanError("", f"{filename}: expected a .csv or .xlsx file")
    except UnicodeDecodeError:
        raise PlanError("", f"{filename}: not UTF-8 text; save the CSV as UTF-8") from None
    except PlanError:
        raise
    except Exception as error:  # pandas and openpyxl raise many kinds for a broken file
        raise PlanError("", f"{filename}: cannot be read as a table ({str(error).splitlines()[0] if str(error) else type(error).__name__})") from None
    if len(table) > MAX_ROWS:
        raise PlanError("", f"{filename}: {len(table)} rows, at most {MAX_ROWS} at once")
    return table


def _key(header: object) -> str | None:
    text = unicodedata.normalize("NFC", str(header)).strip().lower()
    return next((key for key, names in COLUMNS.items() if text in names), None)


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d") if value.time() == time(0) else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value).strip()


def _day(text: str) -> date:
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d %H:%M"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            pass
    raise ValueError(f"day {text!r} is not a date like 2027-05-07 or 07.05.2027")


def _time(text: str, what: str) -> time:
    # "19:30", "19.30", "19:30:00" and the table editor's "19:30:00.000"
    match = re.fullmatch(r"(\d{1,2})[:.](\d{2})(?::00(?:\.0+)?)?", text)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(f"{what} {text!r} is not a time like 19:30")
    return time(int(match[1]), int(match[2]))


def _flag(text: str) -> bool:
    if text.lower() in _YES:
        return True
    if text.lower() in _NO:
        return False
    raise ValueError(f"public {text!r} is not yes or no")


def slot_document(plan: Plan, *, title: str, stage: str, day: date, start: time, end: time,
                  performers: list[str], public: bool, status: str, event_id: str) -> dict:
    """A festival slot as a plan-format object; an end earlier than the start is after midnight."""
    if end == start:
        raise ValueError("the slot ends when it starts")
    end_day = day + timedelta(days=1) if end < start else day
    return {"id": event_id, "title": title, "kind": "festival_slot", "venue": stage,
            "start": wall_text(day, start), "end": wall_text(end_day, end),
            "people": performers, "public": public, "status": status}


def read_programme(data: bytes, filename: str, plan: Plan) -> list[dict]:
    """Festival slots (plan-format objects) from a CSV or Excel file, checked against `plan`.
    Raises ProgrammeError listing every bad row ("row 4: ..."; rows counted as in a
    spreadsheet, the header being row 1) or PlanError for a file that is no table."""
    table = read_table(data, filename)
    keys = {column: _key(column) for column in table.columns}
    found = set(keys.values())
    missing = [key for key in REQUIRED if key not in found]
    if missing:
        raise PlanError("", f"{filename}: missing column(s) {', '.join(missing)} "
                            f"(expected {', '.join(names[0] for names in COLUMNS.values())})")
    stages = {v.id: v.id for v in plan.venues.values()}
    stages.update({v.name.strip().lower(): v.id for v in plan.venues.values()})
    people = {p.id: p.id for p in plan.people.values()}
    people.update({p.name.strip().lower(): p.id for p in plan.people.values()})
    taken = {e.id for e in plan.events}
    documents, problems = [], []
    for index, raw in enumerate(table.itertuples(index=False), start=2):
        row = {keys[column]: _cell(value) for column, value in zip(table.columns, raw) if keys[column]}
        if not any(row.values()):
            continue  # an empty line
        label = f"row {index}" + (f" ({row['title']})" if row.get("title") else "")
        try:
            if not row.get("title"):
                raise ValueError("the title is empty")
            stage = stages.get(row.get("stage", "")) or stages.get(row.get("stage", "").lower())
            if stage is None:
                raise ValueError(f"unknown stage {row.get('stage')!r}")
            performers = []
            for name in filter(None, (part.strip() for part in row.get("performers", "").split(";"))):
                person = people.get(name) or people.get(name.lower())
                if person is None:
                    raise ValueError(f"unknown performer {name!r}")
                performers.append(person)
            status = row.get("status") or "confirmed"
            if status not in STATUSES:
                raise ValueError(f"status {status!r} is not one of {', '.join(sorted(STATUSES))}")
            event_id = row.get("id") or free_id(taken, f"slot-{stage}")
            if event_id in taken:
                raise ValueError(f"the id {event_id!r} is taken")
            document = slot_document(plan, title=row["title"], stage=stage, day=_day(row["day"]),
                                     start=_time(row["start"], "start"), end=_time(row["end"], "end"),
                                     performers=performers, public=_flag(row.get("public", "")), status=status,
                                     event_id=event_id)
            read_event(plan, document)
        except ValueError as error:  # PlanError is one too; its reason reads best after the row
            problems.append(f"{label}: {getattr(error, 'reason', error)}")
        else:
            taken.add(event_id)
            documents.append(document)
    if problems:
        raise ProgrammeError(filename, problems)
    if not documents:
        raise PlanError("", f"{filename}: no rows to import")
    return documents


def slot_rows(plan: Plan, slots: list[Event]) -> pd.DataFrame:
    """Slots as the table editor shows them: naive local day, start and end, no time zones."""
    wall = WallClock(zone_named(plan.timezone, "timezone"))
    columns = {
        "id": [e.id for e in slots],
        "title": [e.title for e in slots],
        "stage": [e.venue for e in slots],
        "day": [wall.wall(e.start).date() for e in slots],
        "start": [wall.wall(e.start).time().replace(second=0, microsecond=0) for e in slots],
        "end": [wall.wall(e.end).time().replace(second=0, microsecond=0) for e in slots],
        "performers": [list(e.people) for e in slots],
        "public": [e.public for e in slots],
        "status": [e.status for e in slots],
    }
    # Typed even when empty: an empty column would be float, which the editor's text, date and
    # time columns refuse.
    types = {"public": "bool"} | {name: "object" for name in columns if name != "public"}
    return pd.DataFrame({name: pd.Series(values, dtype=types[name]) for name, values in columns.items()})


def table_changes(plan: Plan, before: pd.DataFrame, after: pd.DataFrame) -> tuple[list[dict], dict[str, dict], set[str]]:
    """What the table editor changed: (new slot documents, {id: changed fields}, removed ids).
    Raises ProgrammeError naming every bad row (rows counted from 1 as shown)."""
    original = {row["id"]: row for row in before.to_dict("records")}
    taken = {e.id for e in plan.events}
    added, changed, problems = [], {}, []
    seen = set()
    for number, row in enumerate(after.to_dict("records"), start=1):
        ident = row.get("id")
        ident = ident if isinstance(ident, str) and ident else None
        label = f"row {number}" + (f" ({row['title']})" if isinstance(row.get("title"), str) and row["title"] else "")
        try:
            missing = [field for field in ("title", "stage", "day", "start", "end") if _empty(row.get(field))]
            if missing:
                raise ValueError(f"{', '.join(missing)} missing")
            document = slot_document(
                plan, title=str(row["title"]).strip(), stage=row["stage"], day=_as_date(row["day"]),
                start=_as_time(row["start"]), end=_as_time(row["end"]), performers=list(row.get("performers") or []),
                public=bool(row.get("public")), status=row.get("status") or "confirmed",
                event_id=ident or free_id(taken, f"slot-{row['stage']}"))
            read_event(plan, document)
        except (ValueError, TypeError) as error:  # PlanError is a ValueError
            problems.append(f"{label}: {getattr(error, 'reason', error)}")
            continue
        if ident in original:
            seen.add(ident)
            old = slot_document(plan, title=original[ident]["title"], stage=original[ident]["stage"],
                                day=original[ident]["day"], start=original[ident]["start"], end=original[ident]["end"],
                                performers=list(original[ident]["performers"]), public=bool(original[ident]["public"]),
                                status=original[ident]["status"], event_id=ident)
            fields = {k: v for k, v in document.items() if old.get(k) != v}
            if fields:
                changed[ident] = fields
        else:
            taken.add(document["id"])
            added.append(document)
    if problems:
        raise ProgrammeError("the table", problems)
    return added, changed, set(original) - seen


def _empty(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, float) and value != value) or value is pd.NaT


def _as_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return _day(str(value))


def _as_time(value: object) -> time:
    if isinstance(value, datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0)
    return _time(str(value), "time")
