"""Festival programmes as tables: read a CSV or Excel file into festival slots (every bad row
named, nothing taken on any error), and the slots as rows for the app's table editor, with the
stages and the choices the table offers.

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
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

import pandas as pd

from planner.errors import PlanError
from planner.plan.clock import WallClock, zone_named
from planner.plan.model import STAGE_KINDS, STATUSES, Event, Plan
from planner.plan.writing import free_id, wall_text
from planner.rules.change_preview import read_event

if TYPE_CHECKING:
    from planner.sharing.access import OrganiserLimits

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
    return venue.kind in STAGE_KINDS or venue.amplified


def read_table(data: bytes, filename: str, max_rows: int = MAX_ROWS) -> pd.DataFrame:
    """The raw table of a .csv (comma or semicolon, UTF-8) or .xlsx file, every cell as text."""
    name = filename.lower()
    try:
        if name.endswith((".xlsx", ".xlsm")):
            table = pd.read_excel(io.BytesIO(data), dtype=object, engine="openpyxl")
        elif name.endswith(".csv"):
            text = data.decode("utf-8-sig")
            # Blank lines are kept (and skipped later) so that row numbers match the spreadsheet's.
            table = pd.read_csv(
                io.StringIO(text), dtype=str, keep_default_na=False, sep=None, engine="python", skip_blank_lines=False
            )
        else:
            raise PlanError("", f"{filename}: expected a .csv or .xlsx file")
    except UnicodeDecodeError:
        raise PlanError("", f"{filename}: not UTF-8 text; save the CSV as UTF-8") from None
    except PlanError:
        raise
    except Exception as error:  # pandas and openpyxl raise many kinds for a broken file
        raise PlanError(
            "", f"{filename}: cannot be read as a table ({str(error).splitlines()[0] if str(error) else type(error).__name__})"
        ) from None
    if len(table) > max_rows:
        raise PlanError("", f"{filename}: {len(table):,} rows, at most {max_rows:,} at once")
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


def slot_document(
    plan: Plan,
    *,
    title: str,
    stage: str,
    day: date,
    start: time,
    end: time,
    performers: list[str],
    public: bool,
    status: str,
    event_id: str,
) -> dict:
    """A festival slot as a plan-format object; an end earlier than the start is after midnight."""
    if end == start:
        raise ValueError("the slot ends when it starts")
    first, last = _span(day, start, end)
    return {
        "id": event_id,
        "title": title,
        "kind": "festival_slot",
        "venue": stage,
        "start": first,
        "end": last,
        "people": performers,
        "public": public,
        "status": status,
    }


def _span(day: date, start: time, end: time) -> tuple[str, str]:
    """Start and end as wall-clock text; an end earlier than the start is after midnight."""
    return wall_text(day, start), wall_text(day + timedelta(days=1) if end < start else day, end)


def read_programme(
    data: bytes, filename: str, plan: Plan, limits: OrganiserLimits | None = None, max_rows: int = MAX_ROWS
) -> list[dict]:
    """Festival slots (plan-format objects) from a CSV or Excel file of at most `max_rows` rows,
    checked against `plan` and, for an organiser, against `limits` (the people and venues
    organisers may use).
    Raises ProgrammeError listing every bad row ("row 4: ..."; rows counted as in a
    spreadsheet, the header being row 1) or PlanError for a file that is no table."""
    table = read_table(data, filename, max_rows)
    keys = {column: _key(column) for column in table.columns}
    found = set(keys.values())
    missing = [key for key in REQUIRED if key not in found]
    if missing:
        raise PlanError(
            "",
            f"{filename}: missing column(s) {', '.join(missing)} (expected {', '.join(names[0] for names in COLUMNS.values())})",
        )
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
            refused = limits and limits.refusal(plan.people, plan.venues, performers, stage)
            if refused:
                raise ValueError(refused[1])
            status = row.get("status") or "confirmed"
            if status not in STATUSES:
                raise ValueError(f"status {status!r} is not one of {', '.join(sorted(STATUSES))}")
            event_id = row.get("id") or free_id(taken, f"slot-{stage}")
            if event_id in taken:
                raise ValueError(f"the id {event_id!r} is taken")
            document = slot_document(
                plan,
                title=row["title"],
                stage=stage,
                day=_day(row["day"]),
                start=_time(row["start"], "start"),
                end=_time(row["end"], "end"),
                performers=performers,
                public=_flag(row.get("public", "")),
                status=status,
                event_id=event_id,
            )
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


def stages(plan: Plan) -> list[str]:
    """The ids of the venues the festival plays on (`is_stage`), in plan order."""
    return [v for v in plan.venues if is_stage(plan, v)]


def festival_slots(plan: Plan) -> list[Event]:
    """Every festival slot, cancelled ones too, by start, then stage, then id."""
    return sorted((e for e in plan.events if e.kind == "festival_slot"), key=lambda e: (e.start, e.venue or "", e.id))


def slots_per_stage(slots: list[Event], stage_ids: list[str]) -> list[int]:
    """How many of `slots` each of these stages holds, in their order."""
    return [sum(e.venue == v for e in slots) for v in stage_ids]


def slots_shown(plan: Plan, slots: list[Event], days: list[date], stage_ids: list[str]) -> list[Event]:
    """The slots on these local days and these stages (an empty list: any), in their order."""
    wall = WallClock(zone_named(plan.timezone, "timezone"))
    return [e for e in slots if (not days or wall.local_date(e.start) in days) and (not stage_ids or e.venue in stage_ids)]


def stage_choices(plan: Plan, limits: OrganiserLimits | None = None) -> list[str]:
    """The venues a slot in the table may be put on: the stages, or with `limits` (an
    organiser's) the venues they allow, in plan order."""
    if limits is None:
        return stages(plan)
    return [v for v in plan.venues if limits.allows_venue(plan.venues[v])]


def performer_choices(plan: Plan, limits: OrganiserLimits | None = None) -> list[str]:
    """The people a slot in the table may hold: everyone, or with `limits` (an organiser's)
    the people they allow, in plan order."""
    return list(plan.people) if limits is None else [p for p in plan.people if limits.allows_person(plan.people[p])]


def editable_slots(plan: Plan, slots: list[Event], limits: OrganiserLimits | None = None) -> tuple[list[Event], list[Event]]:
    """(the slots the table lets one edit, those in the protocol office's diary that `limits`,
    an organiser's, keep out of it), each in their order; without limits all are editable."""
    in_diary = {e.id for e in slots if limits and limits.locked(plan.people, plan.venues, e.people, e.venue)}
    return [e for e in slots if e.id not in in_diary], [e for e in slots if e.id in in_diary]


#: The columns of the table a person can edit (the id is given when a row is saved).
EDITABLE = ("title", "stage", "day", "start", "end", "performers", "public", "status")


def table_changes(
    plan: Plan, before: pd.DataFrame, after: pd.DataFrame, limits: OrganiserLimits | None = None
) -> tuple[list[dict], dict[str, dict], set[str]]:
    """What the table editor changed: (new slot documents, {id: changed fields}, removed ids).

    Each row is compared cell by cell with exactly what was shown: a row nobody touched is not
    sent, and of a touched row only the fields whose cells changed (a title shown with a
    trailing space stays as it is). With `limits` (an organiser's), new people and venues
    outside them, and changes to slots already in the office's diary, are bad rows too.
    Raises ProgrammeError naming every bad row (rows counted from 1 as shown)."""
    shown = {row["id"]: row for row in before.to_dict("records")}
    taken = {e.id for e in plan.events}
    added, changed, problems = [], {}, []
    seen: set[str] = set()
    for number, row in enumerate(after.to_dict("records"), start=1):
        ident = row.get("id")
        ident = ident if isinstance(ident, str) and ident else None
        label = f"row {number}" + (f" ({row['title']})" if isinstance(row.get("title"), str) and row["title"] else "")
        if ident is not None and (ident not in shown or ident in seen):
            problems.append(f"{label}: the id {ident!r} is not that of a slot in this table")
            continue
        old = shown.get(ident) if ident is not None else None
        if old is not None and ident is not None:
            seen.add(ident)
            if all(_same(row.get(column), old.get(column)) for column in EDITABLE):
                continue  # untouched: nothing of it is sent, not even what would read differently
        try:
            document = _row_document(plan, row, ident or free_id(taken, f"slot-{row['stage']}"))
            read_event(plan, document)
            if limits is not None:
                locked = old is not None and limits.locked(plan.people, plan.venues, old["performers"], old["stage"])
                if locked:
                    raise ValueError(locked)
                refused = limits.refusal(plan.people, plan.venues, document["people"], document["venue"])
                if refused:
                    raise ValueError(refused[1])
        except (ValueError, TypeError) as error:  # PlanError is a ValueError
            problems.append(f"{label}: {getattr(error, 'reason', error)}")
            continue
        if old is None:
            taken.add(document["id"])
            added.append(document)
            continue
        fields = _changed_fields(row, old, document)
        if fields and ident is not None:  # a row with an old slot has its id
            changed[ident] = fields
    removed = set(shown) - seen
    for ident in sorted(removed):
        locked = limits.locked(plan.people, plan.venues, shown[ident]["performers"], shown[ident]["stage"]) if limits else None
        if locked:
            problems.append(f"the removed row ({shown[ident]['title']}): {locked}")
    if problems:
        raise ProgrammeError("the table", problems)
    return added, changed, removed


def _row_document(plan: Plan, row: dict, event_id: str) -> dict:
    """A row of the table as a slot document (ValueError or TypeError if it is not one)."""
    missing = [field for field in ("title", "stage", "day", "start", "end") if _empty(row.get(field))]
    if missing:
        raise ValueError(f"{', '.join(missing)} missing")
    return slot_document(
        plan,
        title=str(row["title"]).strip(),
        stage=row["stage"],
        day=_as_date(row["day"]),
        start=_as_time(row["start"]),
        end=_as_time(row["end"]),
        performers=list(row.get("performers") or []),
        public=bool(row.get("public")),
        status=row.get("status") or "confirmed",
        event_id=event_id,
    )


def _changed_fields(row: dict, old: dict, document: dict) -> dict:
    """The fields of `document` (made from `row`) whose cells differ from those shown in `old`
    and whose values differ from what those cells showed."""
    touched = {column for column in EDITABLE if not _same(row.get(column), old.get(column))}
    fields = {}
    if "title" in touched and document["title"] != old["title"]:
        fields["title"] = document["title"]
    if "stage" in touched and document["venue"] != old["stage"]:
        fields["venue"] = document["venue"]
    if touched & {"day", "start", "end"}:
        # The start decides on which day an end after midnight falls, so both are compared.
        first, last = _span(_as_date(old["day"]), _as_time(old["start"]), _as_time(old["end"]))
        if document["start"] != first:
            fields["start"] = document["start"]
        if document["end"] != last:
            fields["end"] = document["end"]
    if "performers" in touched and document["people"] != list(old["performers"]):
        fields["people"] = document["people"]
    if "public" in touched and document["public"] != bool(old["public"]):
        fields["public"] = document["public"]
    if "status" in touched and document["status"] != old["status"]:
        fields["status"] = document["status"]
    return fields


def _same(new: object, old: object) -> bool:
    """Whether a cell holds exactly what it showed (an empty cell of any kind like another)."""
    if _empty(new) or _empty(old):
        return _empty(new) and _empty(old)
    if isinstance(new, (list, tuple)) or isinstance(old, (list, tuple)):
        return isinstance(new, (list, tuple)) and isinstance(old, (list, tuple)) and list(new) == list(old)
    return type(new) is type(old) and new == old


#: What a browser's table editor sends for each column's cells (None for an emptied cell).
_CELLS = {"title": str, "stage": str, "day": str, "start": str, "end": str, "performers": list, "public": bool, "status": str}


def editor_state_problem(state: object, rows: int) -> str | None:
    """Why a table editor's state (what the browser sends: ``edited_rows``, ``added_rows``,
    ``deleted_rows``) cannot come from the slot table shown, of `rows` rows, or None.

    A browser edits only rows that exist and columns that are offered (never the id), with the
    values its cells hold; anything else was made by hand and is refused as a whole."""
    if state is None:
        return None
    if not isinstance(state, Mapping) or not set(state) <= {"edited_rows", "added_rows", "deleted_rows"}:
        return "it is not the state of a table editor"
    edited, added, deleted = (
        state.get(key, empty) for key, empty in (("edited_rows", {}), ("added_rows", []), ("deleted_rows", []))
    )
    if not isinstance(edited, Mapping) or not isinstance(added, list) or not isinstance(deleted, list):
        return "it is not the state of a table editor"
    for position, cells in edited.items():
        if type(position) is not int or not 0 <= position < rows:
            return f"it changes row {position!r}, and the table has {rows} row(s)"
        problem = _cells_problem(cells)
        if problem:
            return f"row {position + 1}: {problem}"
    if len(added) > MAX_ROWS:
        return f"it adds {len(added)} rows, at most {MAX_ROWS} at once"
    for number, cells in enumerate(added, start=rows + 1):
        problem = _cells_problem(cells)
        if problem:
            return f"new row {number}: {problem}"
    if any(type(position) is not int or not 0 <= position < rows for position in deleted) or len(set(deleted)) != len(deleted):
        return f"it removes rows the table does not have (it has {rows})"
    return None


def _cells_problem(cells: object) -> str | None:
    if not isinstance(cells, Mapping):
        return "not a row of cells"
    for column, value in cells.items():
        if column == "_index":
            continue  # the row number the editor may send; the table's index is not used
        if column not in _CELLS:
            return f"the column {column!r} cannot be edited"
        wanted = _CELLS[column]
        if value is not None and (
            type(value) is not wanted or (isinstance(value, list) and not all(type(item) is str for item in value))
        ):
            return f"{column} holds {type(value).__name__}, not {wanted.__name__}"
    return None


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
