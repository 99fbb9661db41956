"""Delegations page: create and edit delegations and their programmes; each event change shows
the conflicts it would create before it is saved."""

from datetime import datetime, time, timedelta

import pandas as pd
import streamlit as st

from planner.exports.agenda import delegation_programme
from planner.language.labels import delegation_labels
from planner.plan.writing import SHORT_ID, delegation_document, new_delegation_id, wall_text
from planner.rules.filters import touching
from views.event_form import event_editor, kind_word, status_word
from views.ui import (
    allowed,
    clock,
    day_text,
    draft,
    draft_conflicts,
    editor,
    flash,
    lang,
    md,
    opened_at,
    save,
    saved_at,
    show_conflicts,
    span_text,
    store,
    t,
)

plan = draft()
wall = clock(plan)
can_edit = allowed("delegations")
st.title(t("Delegations", "Delegationen"))
flash()

NEW = "\u0000new"
# An event to open, asked for once by the Conflicts page or by a save.
focus = st.session_state.pop("focus_event", None)
focus_event = next((e for e in plan.events if e.id == focus), None)
options = list(plan.delegations) + ([NEW] if can_edit else [])
if not options:
    st.info(t("No delegations yet.", "Noch keine Delegationen."))
    st.stop()
if "select_delegation" in st.session_state:  # set by a save, before the picker exists
    st.session_state["delegation"] = st.session_state.pop("select_delegation")
if focus_event and focus_event.delegations:
    if st.session_state.get("delegation") not in focus_event.delegations:
        st.session_state["delegation"] = focus_event.delegations[0]
labels = delegation_labels(plan, lang())
chosen = st.selectbox(
    t("Delegation", "Delegation"),
    options,
    key="delegation",
    format_func=lambda d: t("+ New delegation", "+ Neue Delegation") if d == NEW else labels[d],
)


def delegation_fields(document: dict, key: str) -> dict:
    """The form fields of a delegation, filled from `document`; returns the edited document."""
    hotels = [v for v in plan.venues if plan.venues[v].kind == "hotel"]
    arrival = wall.parse(document["arrival"], "arrival") if document.get("arrival") else None
    departure = wall.parse(document["departure"], "departure") if document.get("departure") else None
    left, right = st.columns(2)
    city = left.text_input(t("City", "Stadt"), document.get("city", ""), key=f"{key}-city")
    country = right.text_input(
        t("Country (ISO code, e.g. FR)", "Land (ISO-Code, z. B. FR)"),
        document.get("country", ""),
        max_chars=2,
        key=f"{key}-country",
    )
    left, right = st.columns(2)
    size = left.number_input(
        t("People in the delegation", "Personen in der Delegation"), 1, 1000, document.get("size", 5), key=f"{key}-size"
    )
    languages = right.text_input(
        t("Languages (codes, comma-separated, e.g. fr, en)", "Sprachen (Codes, mit Komma, z. B. fr, en)"),
        ", ".join(document.get("languages", [])),
        key=f"{key}-languages",
    )
    left, right = st.columns(2)
    start_day = (
        wall.wall(arrival).date()
        if arrival
        else (plan.festival.start if plan.festival and plan.festival.start else datetime.now().date())
    )
    arrive_day = left.date_input(t("Arrival", "Ankunft"), start_day, format="DD.MM.YYYY", key=f"{key}-arrive-day")
    arrive_at = right.time_input(
        t("at", "um"), wall.wall(arrival).time() if arrival else time(12, 0), step=timedelta(minutes=5), key=f"{key}-arrive-time"
    )
    left, right = st.columns(2)
    leave_day = left.date_input(
        t("Departure", "Abreise"),
        wall.wall(departure).date() if departure else start_day + timedelta(days=2),
        format="DD.MM.YYYY",
        key=f"{key}-leave-day",
    )
    leave_at = right.time_input(
        t("at", "um"),
        wall.wall(departure).time() if departure else time(12, 0),
        step=timedelta(minutes=5),
        key=f"{key}-leave-time",
    )
    hotel = st.selectbox(
        t("Hotel", "Hotel"),
        [None, *hotels],
        index=([None, *hotels].index(document.get("hotel")) if document.get("hotel") in hotels else 0),
        format_func=lambda v: "–" if v is None else plan.venues[v].name,
        key=f"{key}-hotel",
    )
    notes = st.text_area(
        t("Internal notes (never shown to guests)", "Interne Notizen (nie für Gäste sichtbar)"),
        document.get("notes", ""),
        key=f"{key}-notes",
    )
    return {
        **document,
        "city": city.strip(),
        "country": country.strip().upper(),
        "size": int(size),
        "languages": [code.strip().lower() for code in languages.split(",") if code.strip()],
        "arrival": wall_text(arrive_day, arrive_at),
        "departure": wall_text(leave_day, leave_at),
        "hotel": hotel,
        "notes": notes,
    }


if chosen == NEW:
    st.subheader(t("New delegation", "Neue Delegation"))
    ident = st.text_input(
        t(
            "Short id (letters, digits, dashes; e.g. amiens-2027; empty: from the city)",
            "Kurzkennung (Buchstaben, Ziffern, Striche; z. B. amiens-2027; leer: aus der Stadt)",
        ),
        key="new-delegation-id",
    )
    document = delegation_fields({"id": ident.strip()}, "new-delegation")
    document["id"] = ident.strip() or new_delegation_id(plan, document["city"])
    well_formed = bool(SHORT_ID.fullmatch(document["id"]))
    if not document["city"]:
        st.caption(t("Give the city first.", "Zuerst die Stadt angeben."))
    elif not well_formed:
        st.error(
            t(
                "The short id may hold only letters, digits, dashes and underscores (at most 64).",
                "Die Kurzkennung darf nur Buchstaben, Ziffern, Bindestriche und Unterstriche enthalten (höchstens 64).",
            )
        )
    elif not ident.strip():
        st.caption(t(f"Short id: {document['id']}", f"Kurzkennung: {document['id']}"))
    if st.button(t("Create delegation", "Delegation anlegen"), type="primary", disabled=not (document["city"] and well_formed)):
        if save(
            lambda: editor().add_entity("delegation", document),
            t(f"Created the delegation of {document['city']}.", f"Delegation {document['city']} angelegt."),
        ):
            st.session_state["select_delegation"] = document["id"]
            st.rerun()
    st.stop()

delegation, version = store().entity("delegation", chosen)
left, middle, right = st.columns(3)
left.metric(t("People", "Personen"), delegation.size)
middle.metric(t("Arrival", "Ankunft"), day_text(wall.local_date(delegation.arrival)) if delegation.arrival else "–")
right.metric(t("Departure", "Abreise"), day_text(wall.local_date(delegation.departure)) if delegation.departure else "–")
st.caption(
    t("Languages: ", "Sprachen: ")
    + (", ".join(delegation.languages) or "–")
    + " · "
    + t("Hotel: ", "Hotel: ")
    + (md(plan.venues[delegation.hotel].name) if delegation.hotel in plan.venues else "–")
)

if can_edit:
    with st.expander(t("Edit the delegation", "Delegation bearbeiten")):
        form = f"edit-{chosen}"
        started = opened_at(form, "city", version)
        edited = delegation_fields(delegation_document(delegation, wall), form)
        if started != version:
            st.warning(
                t(
                    "Someone else changed this delegation since you opened it.",
                    "Jemand anderes hat diese Delegation geändert, seit Sie sie geöffnet haben.",
                )
            )
        if st.button(t("Save the delegation", "Delegation speichern"), key=f"save-{chosen}", disabled=not edited["city"]):
            changes = {k: v for k, v in edited.items() if k != "id"}
            done = save(
                lambda: editor().update_entity("delegation", chosen, changes, expected_version=started),
                t("Saved the delegation.", "Delegation gespeichert."),
            )
            if done is not None:
                saved_at(form, done)
                st.rerun()

st.subheader(t("Programme", "Programm"))
events = delegation_programme(plan, chosen)
if events:
    st.dataframe(
        pd.DataFrame(
            {
                t("Day", "Tag"): [day_text(wall.local_date(e.start)) for e in events],
                t("Time", "Zeit"): [span_text(plan, e.start, e.end) for e in events],
                t("Title", "Titel"): [e.title for e in events],
                t("Kind", "Art"): [kind_word(e.kind) for e in events],
                t("Venue", "Ort"): [plan.venues[e.venue].name if e.venue in plan.venues else "" for e in events],
                "Status": [status_word(e.status) for e in events],
                "ID": [e.id for e in events],
            }
        ),
        hide_index=True,
        width="stretch",
    )
else:
    st.info(t("No events yet.", "Noch keine Termine."))

ids = {e.id for e in events}
theirs = touching(draft_conflicts(), ids)
if theirs:
    st.warning(t(f"{len(theirs)} conflict(s) in this programme:", f"{len(theirs)} Konflikt(e) in diesem Programm:"))
    show_conflicts(plan, theirs, key="programme-conflicts")

if not can_edit:
    st.stop()

st.subheader(t("Add or change an event", "Termin anlegen oder ändern"))
NEW_EVENT = "\u0000new"
event_options = [NEW_EVENT] + [e.id for e in events]
if focus in ids:
    st.session_state[f"event-{chosen}"] = focus
picked = st.selectbox(
    t("Event", "Termin"),
    event_options,
    key=f"event-{chosen}",
    format_func=lambda i: (
        t("+ New event", "+ Neuer Termin")
        if i == NEW_EVENT
        else next(
            f"{day_text(wall.local_date(e.start))} {span_text(plan, e.start, e.end)} {e.title}" for e in events if e.id == i
        )
    ),
)
if picked == NEW_EVENT:
    event_editor(
        plan,
        "delegations",
        event=None,
        version=None,
        id_stem=chosen,
        defaults={"delegations": [chosen]},
        key=f"delegation-event-{chosen}",
    )
else:
    event, event_version = store().event(picked)
    event_editor(plan, "delegations", event=event, version=event_version, id_stem=chosen, key=f"delegation-event-{chosen}")
