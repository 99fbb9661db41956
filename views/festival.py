"""Festival page: stages and their slots, edited in a table or imported from CSV/Excel, with the
changeover and quiet-hour problems of the festival shown."""

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from planner import PlanError
from planner.exports.agenda import event_days
from planner.imports.festival_programme import (
    MAX_ROWS,
    ProgrammeError,
    editable_slots,
    editor_state_problem,
    festival_slots,
    performer_choices,
    read_programme,
    slot_rows,
    slots_per_stage,
    slots_shown,
    stage_choices,
    table_changes,
)
from planner.imports.festival_programme import (
    stages as stage_ids,
)
from planner.rules.filters import festival_problems
from planner.sharing.access import ORGANISER_ROWS_PER_FILE, organiser_limits
from views.ui import (
    allowed,
    clock,
    day_text,
    draft,
    draft_conflicts,
    editor,
    flash,
    md,
    role,
    save,
    show_conflicts,
    store,
    t,
)

plan = draft()
wall = clock(plan)
can_edit = allowed("festival")
# Organisers put performers on stages, and leave the slots of the office's diary alone (the
# Lord Mayor's, the deputies', the protocol's, or at the Rathaus): the page offers only that,
# and the editor checks it again when saving.
limits = organiser_limits(store())[0] if role() == "organiser" else None
st.title("Festival")
flash()

stages = stage_ids(plan)
slots = festival_slots(plan)
if plan.festival and plan.festival.start:
    st.caption(
        f"{day_text(plan.festival.start)} – {day_text(plan.festival.end or plan.festival.start)} · "
        f"{len(stages)} {t('stages', 'Bühnen')} · {len(slots)} {t('slots', 'Auftritte')} · "
        + t("quiet hours ", "Nachtruhe ")
        + f"{plan.quiet_hours.open // 60:02d}:{plan.quiet_hours.open % 60:02d}–"
        f"{plan.quiet_hours.close // 60:02d}:{plan.quiet_hours.close % 60:02d}"
    )

problems = festival_problems(draft_conflicts(), (e.id for e in slots))
if problems:
    st.warning(
        t(
            f"{len(problems)} problem(s) in the festival programme (changeovers, quiet hours, stages):",
            f"{len(problems)} Problem(e) im Festivalprogramm (Umbauzeiten, Nachtruhe, Bühnen):",
        )
    )
    show_conflicts(plan, problems, key="festival-conflicts")
else:
    st.success(t("No changeover, quiet-hour or stage problems.", "Keine Probleme mit Umbauzeiten, Nachtruhe oder Bühnen."))

st.subheader(t("Stages", "Bühnen"))
st.dataframe(
    pd.DataFrame(
        {
            t("Stage", "Bühne"): [plan.venues[v].name for v in stages],
            t("Changeover (min)", "Umbau (Min.)"): [plan.venues[v].changeover_min for v in stages],
            t("Amplified", "Verstärkt"): [plan.venues[v].amplified for v in stages],
            t("Slots", "Auftritte"): slots_per_stage(slots, stages),
        }
    ),
    hide_index=True,
)

st.subheader(t("Slots", "Auftritte"))
days = event_days(plan, slots)
wanted = st.session_state.pop("focus_event", None)
focus = next((e for e in slots if e.id == wanted), None)
if focus is not None:  # opened from the Conflicts page: show its day and stage
    st.session_state["festival-days"] = [wall.local_date(focus.start)]
    st.session_state["festival-stages"] = [focus.venue]
chosen_days = st.multiselect(t("Days", "Tage"), days, days[:1], format_func=day_text, key="festival-days")
chosen_stages = st.multiselect(t("Stages", "Bühnen"), stages, format_func=lambda v: plan.venues[v].name, key="festival-stages")
shown = slots_shown(plan, slots, chosen_days, chosen_stages)
STATUS = ["confirmed", "tentative", "cancelled"]
stage_options = stage_choices(plan, limits)
performer_options = performer_choices(plan, limits)
config = {
    "id": st.column_config.TextColumn("ID", disabled=True, help=t("Given when the row is saved", "Wird beim Speichern vergeben")),
    "title": st.column_config.TextColumn(t("Title", "Titel"), required=True, max_chars=200),
    "stage": st.column_config.SelectboxColumn(
        t("Stage", "Bühne"), options=stage_options, required=True, format_func=lambda v: plan.venues[v].name
    ),
    "day": st.column_config.DateColumn(t("Day", "Tag"), format="DD.MM.YYYY", required=True),
    "start": st.column_config.TimeColumn(t("From", "Von"), format="HH:mm", step=300, required=True),
    "end": st.column_config.TimeColumn(
        t("To", "Bis"),
        format="HH:mm",
        step=300,
        required=True,
        help=t("Earlier than the start: after midnight", "Früher als der Beginn: nach Mitternacht"),
    ),
    "performers": st.column_config.MultiselectColumn(
        t("Performers", "Mitwirkende"), options=performer_options, format_func=lambda p: plan.people[p].name
    ),
    "public": st.column_config.CheckboxColumn(t("Public", "Öffentlich")),
    "status": st.column_config.SelectboxColumn("Status", options=STATUS, required=True),
}
# The table holds local dates and times, no time zones: the table editor drops edits to a
# time-zone-aware column whose type differs.
st.caption(
    t(
        "Times are Dortmund's local time. A new row is taken once its title, stage, day, start and end "
        "are filled; an end earlier than the start is after midnight.",
        "Zeiten sind Dortmunder Ortszeit. Eine neue Zeile zählt, sobald Titel, Bühne, Tag, Beginn und Ende "
        "ausgefüllt sind; ein Ende vor dem Beginn liegt nach Mitternacht.",
    )
    if can_edit
    else t("Times are Dortmund's local time.", "Zeiten sind Dortmunder Ortszeit.")
)
# What reading a table editor's state raises when a client sent one no browser sends.
FORGED = (AttributeError, IndexError, KeyError, TypeError, ValueError)


def editor_key() -> str:
    return f"slots-{st.session_state.get('slot_saves', 0)}-{'-'.join(map(str, chosen_days))}-{'-'.join(chosen_stages)}"


def read_base(key: str) -> None:
    """The shown slots as the table, their versions, and (for organisers) those of the office's diary."""
    read = store().events_with_versions([e.id for e in shown])
    # Only what is still a festival slot: a slot turned into someone's busy time is the office's.
    fresh = [read[e.id][0] for e in shown if e.id in read and read[e.id][0].kind == "festival_slot"]
    rows, in_diary = editable_slots(plan, fresh, limits)
    st.session_state[f"{key}-base"] = (slot_rows(plan, rows), {e.id: read[e.id][1] for e in rows}, in_diary)


# The table being edited stays as it was when editing began, with each slot's version from the
# same read as its values, so that others' saves neither shift nor drop this user's edits and
# saving refuses to overwrite what someone changed since.
key = editor_key()
try:
    state = st.session_state.get(key)
except FORGED:  # the browser's state did not even read as a table editor's
    state, forged = None, "it cannot be read"
else:
    forged = None
pending = isinstance(state, Mapping) and bool(state.get("edited_rows") or state.get("added_rows") or state.get("deleted_rows"))
if not pending or f"{key}-base" not in st.session_state:
    read_base(key)
table, versions, locked = st.session_state[f"{key}-base"]
forged = forged or editor_state_problem(state, len(table))
if forged:
    st.error(
        t(
            "The changes to the table were refused and nothing was saved: they do not come from the table on this page ",
            "Die Änderungen an der Tabelle wurden abgelehnt, es wurde nichts gespeichert: Sie "
            "stammen nicht aus der Tabelle dieser Seite ",
        )
        + md(f"({forged}). ")
        + t("The table shows the saved programme again.", "Die Tabelle zeigt wieder das gespeicherte Programm.")
    )
    st.session_state["slot_saves"] = st.session_state.get("slot_saves", 0) + 1  # a fresh table
    key = editor_key()
    read_base(key)
    table, versions, locked = st.session_state[f"{key}-base"]
edited = st.data_editor(
    table,
    column_config=config,
    hide_index=True,
    width="stretch",
    key=key,
    column_order=["title", "stage", "day", "start", "end", "performers", "public", "status", "id"],
    num_rows="dynamic" if can_edit else "fixed",
    disabled=not can_edit,
)
if locked:
    st.caption(
        t(
            "These slots are in the protocol office's diary (the Lord Mayor, a deputy or the protocol takes "
            "part, or the venue is not a stage): only admin and protocol can change them.",
            "Diese Auftritte gehören zum Terminkalender des Protokolls (der Oberbürgermeister, eine "
            "Stellvertretung oder das Protokoll wirkt mit, oder der Ort ist keine Bühne): Nur Admin und "
            "Protokoll können sie ändern.",
        )
    )
    st.dataframe(
        pd.DataFrame(
            {
                t("Title", "Titel"): [e.title for e in locked],
                t("Where", "Ort"): [plan.venues[e.venue].name if e.venue in plan.venues else "" for e in locked],
                t("Day", "Tag"): [day_text(wall.local_date(e.start)) for e in locked],
                t("From", "Von"): [f"{wall.wall(e.start):%H:%M}" for e in locked],
                t("To", "Bis"): [f"{wall.wall(e.end):%H:%M}" for e in locked],
                t("With", "Mit"): [", ".join(plan.people[p].name for p in e.people if p in plan.people) for e in locked],
            }
        ),
        hide_index=True,
        key="festival-office-slots",
    )

if can_edit:
    try:
        added, changed, removed = table_changes(plan, table, edited, limits)
    except ProgrammeError as error:
        for problem in error.problems:
            st.error(md(problem))
        added, changed, removed = [], {}, set()
    if added or changed or removed:
        st.info(
            t(
                f"Unsaved: {len(added)} new, {len(changed)} changed, {len(removed)} removed.",
                f"Nicht gespeichert: {len(added)} neu, {len(changed)} geändert, {len(removed)} entfernt.",
            )
        )
        if st.button(t("Save the table", "Tabelle speichern"), type="primary", key="save-slots"):
            if (
                save(
                    lambda: editor().edit_events(
                        "festival",
                        added=added,
                        changed={e: (c, versions[e]) for e, c in changed.items()},
                        removed={e: versions[e] for e in removed},
                    ),
                    t("Saved the festival programme.", "Festivalprogramm gespeichert."),
                )
                is not None
            ):
                st.session_state["slot_saves"] = st.session_state.get("slot_saves", 0) + 1  # a fresh table
                st.rerun()

    st.subheader(t("Import a programme", "Programm importieren"))
    st.caption(
        t(
            "CSV or Excel with the columns title, stage, day, start, end and optionally performers "
            "(separated by ;), public, status, id. Every row is checked; on any error nothing is imported.",
            "CSV oder Excel mit den Spalten titel, bühne, tag, beginn, ende und wahlweise mitwirkende "
            "(mit ; getrennt), öffentlich, status, id. Jede Zeile wird geprüft; bei einem Fehler wird nichts importiert.",
        )
    )
    # A new key after each import empties the uploader, so the same file is not offered again.
    upload = st.file_uploader(
        t("Programme file", "Programmdatei"), type=["csv", "xlsx"], key=f"programme-file-{st.session_state.get('imports', 0)}"
    )
    if upload is not None:
        try:
            # Organisers' files are smaller (access.ORGANISER_ROWS_PER_FILE): refused before any row is read.
            documents = read_programme(
                upload.getvalue(), upload.name, plan, limits, ORGANISER_ROWS_PER_FILE if limits else MAX_ROWS
            )
        except ProgrammeError as error:
            st.error(
                t(
                    f"{len(error.problems)} row(s) are wrong; nothing was imported:",
                    f"{len(error.problems)} Zeile(n) sind fehlerhaft; nichts wurde importiert:",
                )
            )
            for problem in error.problems:
                st.error(md(problem))
        except PlanError as error:
            st.error(t("Not imported: ", "Nicht importiert: ") + md(str(error)))
        else:
            st.write(t(f"{len(documents)} slot(s) ready to import.", f"{len(documents)} Auftritt(e) bereit zum Import."))
            if st.button(t("Import", "Importieren"), type="primary", key="import-programme"):
                if (
                    save(
                        lambda: editor().edit_events("festival", added=documents, path="slot"),
                        t(f"Imported {len(documents)} slot(s).", f"{len(documents)} Auftritt(e) importiert."),
                    )
                    is not None
                ):
                    st.session_state["imports"] = st.session_state.get("imports", 0) + 1
                    st.rerun()
