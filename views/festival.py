"""Festival page: stages and their slots, edited in a table or imported from CSV/Excel, with the
changeover and quiet-hour problems of the festival shown."""

import pandas as pd
import streamlit as st

from planner import PlanError
from planner.programme import ProgrammeError, is_stage, read_programme, slot_rows, table_changes
from views.ui import allowed, clock, day_text, draft, draft_conflicts, editor, flash, md, save, show_conflicts, store, t

plan = draft()
wall = clock(plan)
can_edit = allowed("festival")
st.title("Festival")
flash()

stages = [v for v in plan.venues if is_stage(plan, v)]
slots = sorted((e for e in plan.events if e.kind == "festival_slot"), key=lambda e: (e.start, e.venue or "", e.id))
if plan.festival and plan.festival.start:
    st.caption(f"{day_text(plan.festival.start)} – {day_text(plan.festival.end or plan.festival.start)} · "
               f"{len(stages)} {t('stages', 'Bühnen')} · {len(slots)} {t('slots', 'Auftritte')} · "
               + t("quiet hours ", "Nachtruhe ") +
               f"{plan.quiet_hours.open // 60:02d}:{plan.quiet_hours.open % 60:02d}–"
               f"{plan.quiet_hours.close // 60:02d}:{plan.quiet_hours.close % 60:02d}")

ids = {e.id for e in slots}
problems = [c for c in draft_conflicts() if ids.intersection(c.events)]
FESTIVAL_RULES = ("changeover", "quiet_hours", "venue_overlap", "venue_closed", "capacity", "person_overlap")
problems.sort(key=lambda c: FESTIVAL_RULES.index(c.rule) if c.rule in FESTIVAL_RULES else len(FESTIVAL_RULES))
if problems:
    st.warning(t(f"{len(problems)} problem(s) in the festival programme (changeovers, quiet hours, stages):",
                 f"{len(problems)} Problem(e) im Festivalprogramm (Umbauzeiten, Nachtruhe, Bühnen):"))
    show_conflicts(plan, problems, key="festival-conflicts")
else:
    st.success(t("No changeover, quiet-hour or stage problems.", "Keine Probleme mit Umbauzeiten, Nachtruhe oder Bühnen."))

st.subheader(t("Stages", "Bühnen"))
st.dataframe(pd.DataFrame({
    t("Stage", "Bühne"): [plan.venues[v].name for v in stages],
    t("Changeover (min)", "Umbau (Min.)"): [plan.venues[v].changeover_min for v in stages],
    t("Amplified", "Verstärkt"): [plan.venues[v].amplified for v in stages],
    t("Slots", "Auftritte"): [sum(e.venue == v for e in slots) for v in stages],
}), hide_index=True)

st.subheader(t("Slots", "Auftritte"))
days = sorted({wall.local_date(e.start) for e in slots})
wanted = st.session_state.pop("focus_event", None)
focus = next((e for e in slots if e.id == wanted), None)
if focus is not None:  # opened from the Conflicts page: show its day and stage
    st.session_state["festival-days"] = [wall.local_date(focus.start)]
    st.session_state["festival-stages"] = [focus.venue]
chosen_days = st.multiselect(t("Days", "Tage"), days, days[:1], format_func=day_text, key="festival-days")
chosen_stages = st.multiselect(t("Stages", "Bühnen"), stages, format_func=lambda v: plan.venues[v].name,
                               key="festival-stages")
shown = [e for e in slots if (not chosen_days or wall.local_date(e.start) in chosen_days)
         and (not chosen_stages or e.venue in chosen_stages)]
STATUS = ["confirmed", "tentative", "cancelled"]
config = {
    "id": st.column_config.TextColumn("ID", disabled=True, help=t("Given when the row is saved", "Wird beim Speichern vergeben")),
    "title": st.column_config.TextColumn(t("Title", "Titel"), required=True, max_chars=200),
    "stage": st.column_config.SelectboxColumn(t("Stage", "Bühne"), options=stages, required=True,
                                              format_func=lambda v: plan.venues[v].name),
    "day": st.column_config.DateColumn(t("Day", "Tag"), format="DD.MM.YYYY", required=True),
    "start": st.column_config.TimeColumn(t("From", "Von"), format="HH:mm", step=300, required=True),
    "end": st.column_config.TimeColumn(t("To", "Bis"), format="HH:mm", step=300, required=True,
                                       help=t("Earlier than the start: after midnight", "Früher als der Beginn: nach Mitternacht")),
    "performers": st.column_config.MultiselectColumn(t("Performers", "Mitwirkende"), options=list(plan.people),
                                                     format_func=lambda p: plan.people[p].name),
    "public": st.column_config.CheckboxColumn(t("Public", "Öffentlich")),
    "status": st.column_config.SelectboxColumn("Status", options=STATUS, required=True),
}
# The table holds local dates and times, no time zones: the table editor drops edits to a
# time-zone-aware column whose type differs.
st.caption(t("Times are Dortmund's local time. A new row is taken once its title, stage, day, start and end "
             "are filled; an end earlier than the start is after midnight.",
             "Zeiten sind Dortmunder Ortszeit. Eine neue Zeile zählt, sobald Titel, Bühne, Tag, Beginn und Ende "
             "ausgefüllt sind; ein Ende vor dem Beginn liegt nach Mitternacht.") if can_edit else
           t("Times are Dortmund's local time.", "Zeiten sind Dortmunder Ortszeit."))
# The table being edited stays as it was when editing began (with each slot's version), so that
# others' saves neither shift nor drop this user's edits; saving then checks every slot's version.
editor_key = (f"slots-{st.session_state.get('slot_saves', 0)}-{'-'.join(map(str, chosen_days))}-"
              f"{'-'.join(chosen_stages)}")
state = st.session_state.get(editor_key) or {}
pending = bool(state.get("edited_rows") or state.get("added_rows") or state.get("deleted_rows"))
if not pending or f"{editor_key}-base" not in st.session_state:
    st.session_state[f"{editor_key}-base"] = (slot_rows(plan, shown), store().event_versions([e.id for e in shown]))
table, versions = st.session_state[f"{editor_key}-base"]
edited = st.data_editor(table, column_config=config, hide_index=True, width="stretch", key=editor_key,
                        column_order=["title", "stage", "day", "start", "end", "performers", "public", "status", "id"],
                        num_rows="dynamic" if can_edit else "fixed", disabled=not can_edit)

if can_edit:
    try:
        added, changed, removed = table_changes(plan, table, edited)
    except ProgrammeError as error:
        for problem in error.problems:
            st.error(md(problem))
        added, changed, removed = [], {}, set()
    if added or changed or removed:
        st.info(t(f"Unsaved: {len(added)} new, {len(changed)} changed, {len(removed)} removed.",
                  f"Nicht gespeichert: {len(added)} neu, {len(changed)} geändert, {len(removed)} entfernt."))
        if st.button(t("Save the table", "Tabelle speichern"), type="primary", key="save-slots"):
            if save(lambda: editor().edit_events("festival", added=added,
                                                 changed={e: (c, versions[e]) for e, c in changed.items()},
                                                 removed={e: versions[e] for e in removed}),
                    t("Saved the festival programme.", "Festivalprogramm gespeichert.")) is not None:
                st.session_state["slot_saves"] = st.session_state.get("slot_saves", 0) + 1  # a fresh table
                st.rerun()

    st.subheader(t("Import a programme", "Programm importieren"))
    st.caption(t("CSV or Excel with the columns title, stage, day, start, end and optionally performers "
                 "(separated by ;), public, status, id. Every row is checked; on any error nothing is imported.",
                 "CSV oder Excel mit den Spalten titel, bühne, tag, beginn, ende und wahlweise mitwirkende "
                 "(mit ; getrennt), öffentlich, status, id. Jede Zeile wird geprüft; bei einem Fehler wird nichts importiert."))
    # A new key after each import empties the uploader, so the same file is not offered again.
    upload = st.file_uploader(t("Programme file", "Programmdatei"), type=["csv", "xlsx"],
                              key=f"programme-file-{st.session_state.get('imports', 0)}")
    if upload is not None:
        try:
            documents = read_programme(upload.getvalue(), upload.name, plan)
        except ProgrammeError as error:
            st.error(t(f"{len(error.problems)} row(s) are wrong; nothing was imported:",
                       f"{len(error.problems)} Zeile(n) sind fehlerhaft; nichts wurde importiert:"))
            for problem in error.problems:
                st.error(md(problem))
        except PlanError as error:
            st.error(t("Not imported: ", "Nicht importiert: ") + md(str(error)))
        else:
            st.write(t(f"{len(documents)} slot(s) ready to import.", f"{len(documents)} Auftritt(e) bereit zum Import."))
            if st.button(t("Import", "Importieren"), type="primary", key="import-programme"):
                if save(lambda: editor().edit_events("festival", added=documents, path="slot"),
                        t(f"Imported {len(documents)} slot(s).", f"{len(documents)} Auftritt(e) importiert.")) is not None:
                    st.session_state["imports"] = st.session_state.get("imports", 0) + 1
                    st.rerun()
