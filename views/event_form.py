"""The event editor the Delegations and Golden Book pages share: pickers for the time, venue,
people and delegations, a live preview of the conflicts the change would create, then save."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from planner import PlanError
from planner.exports.agenda import new_event_start
from planner.language.labels import delegation_labels
from planner.plan.changes import edited_fields
from planner.plan.clock import end_day
from planner.plan.model import EVENT_KINDS, STATUSES, Event, Plan
from planner.plan.writing import event_document, free_id, wall_text
from planner.rules.change_preview import preview, read_event
from planner.rules.engine import PAGE_PILE_UP
from views.ui import clock, day_text, draft_conflicts, editor, lang, md, opened_at, save, saved_at, show_conflicts, store, t

KIND_WORDS = {
    "golden_book": ("Golden Book signing", "Eintrag ins Goldene Buch"),
    "reception": ("Reception", "Empfang"),
    "meeting": ("Meeting", "Gespräch"),
    "tour": ("Tour", "Besichtigung"),
    "meal": ("Meal", "Essen"),
    "press": ("Press", "Presse"),
    "festival_slot": ("Festival slot", "Festival-Auftritt"),
    "transfer": ("Transfer", "Transfer"),
    "unavailable": ("Unavailable", "Abwesend"),
    "other": ("Other", "Sonstiges"),
}
STATUS_WORDS = {
    "confirmed": ("confirmed", "bestätigt"),
    "tentative": ("tentative", "vorläufig"),
    "cancelled": ("cancelled", "abgesagt"),
}


def kind_word(kind: str) -> str:
    return t(*KIND_WORDS[kind])


def status_word(status: str) -> str:
    return t(*STATUS_WORDS[status])


def _only(delegations: list[str] | None) -> str | None:
    """The one delegation a new event is for, if it is for exactly one."""
    return delegations[0] if delegations and len(delegations) == 1 else None


def event_editor(
    plan: Plan,
    action: str,
    *,
    event: Event | None,
    version: int | None,
    id_stem: str,
    defaults: dict | None = None,
    kinds: list[str] | None = None,
    venues: list[str] | None = None,
    people: list[str] | None = None,
    key: str,
) -> None:
    """Fields for a new event (`event` None) or for changing `event`; shows what the change
    would do to the conflicts and saves it through the session's editor."""
    defaults = defaults or {}
    wall = clock(plan)
    proposed = new_event_start(plan, _only(defaults.get("delegations")), date.today())
    base = event or Event(
        "",
        defaults.get("title", ""),
        defaults.get("kind", "meeting"),
        defaults.get("start") or proposed,
        defaults.get("end") or proposed + timedelta(hours=1),
        defaults.get("venue"),
        tuple(defaults.get("delegations", ())),
        tuple(defaults.get("people", ())),
    )
    # Keys stay the same while someone else changes the event: what this user typed is kept,
    # and the save is checked against the version the user started from.
    # A new event's form gets fresh widgets after each booking (the browser keeps a widget's
    # value as long as its key stays), so nothing is booked twice by a second click.
    k = f"{key}-{base.id}" if event else f"{key}-new-{st.session_state.get(f'{key}-bookings', 0)}"
    started = opened_at(k, "title", version)
    if event is not None and f"{k}-title" not in st.session_state:
        # What the form showed when it opened (from the same read as `version`): a save sends
        # only the fields the user changed from it.
        st.session_state[f"{k}-shown"] = event
    shown = st.session_state.get(f"{k}-shown", event) if event is not None else None
    kinds = kinds or sorted(EVENT_KINDS - {"unavailable"})
    venue_ids = venues or list(plan.venues)
    person_ids = people or list(plan.people)

    title = st.text_input(t("Title", "Titel"), base.title, key=f"{k}-title")
    left, middle, right = st.columns(3)
    kind = left.selectbox(
        t("Kind", "Art"), kinds, index=kinds.index(base.kind) if base.kind in kinds else 0, format_func=kind_word, key=f"{k}-kind"
    )
    status = middle.selectbox(
        "Status", sorted(STATUSES), index=sorted(STATUSES).index(base.status), format_func=status_word, key=f"{k}-status"
    )
    public = right.checkbox(
        t("Public (in the public programme)", "Öffentlich (im öffentlichen Programm)"), base.public, key=f"{k}-public"
    )
    start_local, end_local = wall.wall(base.start), wall.wall(base.end)
    left, middle, right = st.columns(3)
    day = left.date_input(t("Day", "Tag"), start_local.date(), format="DD.MM.YYYY", key=f"{k}-day")
    begins = middle.time_input(t("From", "Von"), start_local.time(), step=timedelta(minutes=5), key=f"{k}-start")
    ends = right.time_input(t("To", "Bis"), end_local.time(), step=timedelta(minutes=5), key=f"{k}-end")
    venue = st.selectbox(
        t("Venue", "Ort"),
        venue_ids,
        index=venue_ids.index(base.venue) if base.venue in venue_ids else 0,
        format_func=lambda v: plan.venues[v].name,
        key=f"{k}-venue",
    )
    chosen_people = st.multiselect(
        t("People", "Personen"),
        person_ids,
        [p for p in base.people if p in person_ids],
        format_func=lambda p: f"{plan.people[p].name} ({plan.people[p].role})",
        key=f"{k}-people",
    )
    chosen_delegations = st.multiselect(
        t("Delegations", "Delegationen"),
        list(plan.delegations),
        list(base.delegations),
        format_func=delegation_labels(plan, lang()).__getitem__,
        key=f"{k}-delegations",
    )
    if ends == begins:
        st.warning(
            t(
                "The event ends when it starts: choose another end.",
                "Der Termin endet, wenn er beginnt: bitte ein anderes Ende wählen.",
            )
        )
        return
    last_day = end_day(day, begins, ends)
    if ends < begins:
        st.warning(
            t(
                f"The end is before the start: the event runs overnight and ends the next day, {day_text(last_day)}.",
                f"Das Ende liegt vor dem Beginn: der Termin geht über Nacht und endet am nächsten Tag, {day_text(last_day)}.",
            )
        )
    document = {
        **(event_document(shown, wall) if shown else {"id": free_id({e.id for e in plan.events}, id_stem)}),
        "title": title,
        "kind": kind,
        "status": status,
        "public": public,
        "start": wall_text(day, begins),
        "end": wall_text(last_day, ends),
        "venue": venue,
        "people": chosen_people,
        "delegations": chosen_delegations,
    }
    document.pop("sequence", None)
    label = t("Save changes", "Änderungen speichern") if event else t("Add event", "Termin anlegen")
    if not title.strip():
        st.caption(
            t(
                "Give the event a title to see what it would do to the plan.",
                "Geben Sie dem Termin einen Titel, um zu sehen, was er am Plan ändert.",
            )
        )
        st.button(label, type="primary", key=f"{k}-save", disabled=True)
        return
    try:
        candidate = read_event(plan, document)
    except PlanError as error:
        st.warning(t("Not complete yet: ", "Noch nicht vollständig: ") + md(str(error)))
        return
    outcome = preview(plan, [candidate], before=draft_conflicts(), pile_up=PAGE_PILE_UP)
    if outcome.new:
        st.warning(
            t(
                f"This change would create {len(outcome.new)} conflict(s):",
                f"Diese Änderung würde {len(outcome.new)} Konflikt(e) erzeugen:",
            )
        )
        show_conflicts(outcome.plan, outcome.new, key=f"{k}-new")
    else:
        st.success(t("No new conflicts.", "Keine neuen Konflikte."))
    if outcome.solved:
        st.info(t(f"It would solve {len(outcome.solved)} conflict(s).", f"Sie würde {len(outcome.solved)} Konflikt(e) lösen."))
    if st.button(label, type="primary", key=f"{k}-save"):
        if event is None:
            done = save(lambda: editor().edit_events(action, added=[document]), t(f"Added “{title}”.", f"„{title}“ angelegt."))
        else:
            changes = {field: document[field] for field in edited_fields(shown, candidate)}
            if not changes:
                st.info(t("Nothing was changed, so nothing was saved.", "Nichts geändert, also nichts gespeichert."))
                done = None
            else:
                done = save(
                    lambda: editor().edit_events(action, changed={event.id: (changes, started)}),
                    t(f"Saved “{title}”.", f"„{title}“ gespeichert."),
                )
            if done is not None:
                saved_at(k, done[event.id])
                st.session_state[f"{k}-shown"] = candidate  # what the form now shows, as saved
            elif changes:  # someone may have saved after this run read the event: offer to discard below
                version = store().event_versions([event.id]).get(event.id)
        if done is not None:
            st.session_state["focus_event"] = candidate.id
            if event is None:  # an empty form for the next one
                st.session_state[f"{key}-bookings"] = st.session_state.get(f"{key}-bookings", 0) + 1
            st.rerun()
    if event is not None and started != version:
        st.warning(
            t(
                "Someone else changed this event since you opened it; saving will say so. Discard your changes to see theirs.",
                "Jemand anderes hat diesen Termin geändert, seit Sie ihn geöffnet haben; Speichern wird das melden. "
                "Verwerfen Sie Ihre Änderungen, um die neuen Angaben zu sehen.",
            )
        )
        if st.button(t("Discard my changes", "Meine Änderungen verwerfen"), key=f"{k}-discard"):
            for name in [name for name in st.session_state if str(name).startswith(f"{k}-")]:
                del st.session_state[name]
            st.rerun()
    if event is not None:
        if st.button(
            t("Delete this event", "Diesen Termin löschen"),
            key=f"{k}-delete",
            help=t(
                "Cancel it instead (status) so that subscribed calendars hear of it.",
                "Besser absagen (Status), damit abonnierte Kalender es erfahren.",
            ),
        ):
            if (
                save(
                    lambda: editor().edit_events(action, removed={event.id: started}),
                    t(f"Deleted “{event.title}”.", f"„{event.title}“ gelöscht."),
                )
                is not None
            ):
                st.rerun()
