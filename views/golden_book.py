"""Golden Book page: all signings, the Lord Mayor's and deputies' availability (imported busy
time included), importing busy time, and booking a signing."""

from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st

from planner import PlanError
from planner.exports.agenda import event_days
from planner.imports.busy_time import busy_events, default_span
from planner.language.labels import delegation_labels
from planner.rules.engine import PAGE_PILE_UP
from planner.rules.filters import touching
from planner.scheduling import golden_book as bookings
from planner.scheduling.free_slots import Want, free_slots
from planner.scheduling.free_windows import day_events, free_windows
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
    save,
    show_conflicts,
    span_text,
    store,
    t,
)

plan = draft()
wall = clock(plan)
st.title(t("Golden Book", "Goldenes Buch"))
flash()

signatories = bookings.signatories(plan)
signings = bookings.signings(plan)
ROLE_WORDS = {"mayor": t("Lord Mayor", "Oberbürgermeister"), "deputy_mayor": t("Deputy mayor", "Bürgermeister/in")}

st.subheader(t("Signings", "Einträge"))
if signings:
    st.dataframe(
        pd.DataFrame(
            {
                t("Day", "Tag"): [day_text(wall.local_date(e.start)) for e in signings],
                t("Time", "Zeit"): [span_text(plan, e.start, e.end) for e in signings],
                t("Delegation", "Delegation"): [", ".join(plan.delegations[d].city for d in e.delegations) for e in signings],
                t("Signs with", "Unterzeichnet mit"): [
                    ", ".join(p.name for p in bookings.signing_signatories(plan, e)) for e in signings
                ],
                t("Venue", "Ort"): [plan.venues[e.venue].name if e.venue in plan.venues else "" for e in signings],
                "Status": [status_word(e.status) for e in signings],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    problems = touching(draft_conflicts(), (e.id for e in signings))
    if problems:
        st.warning(t(f"{len(problems)} conflict(s) around signings:", f"{len(problems)} Konflikt(e) bei Einträgen:"))
        show_conflicts(plan, problems, key="signing-conflicts")
else:
    st.info(t("No signings yet.", "Noch keine Einträge."))
missing = bookings.not_yet_booked(plan)
if missing:
    st.caption(t("Not yet booked: ", "Noch nicht gebucht: ") + md(", ".join(d.city for d in missing)))

st.subheader(t("Availability", "Verfügbarkeit"))
if not signatories:
    st.info(
        t(
            "The plan has no Lord Mayor or deputy (people with the role mayor or deputy_mayor).",
            "Der Plan hat keine Oberbürgermeisterin und keine Stellvertretung (Rolle mayor oder deputy_mayor).",
        )
    )
    st.stop()
days = event_days(plan) or [wall.local_date(datetime.now(UTC))]
day = st.selectbox(t("Day", "Tag"), days, format_func=day_text, key="availability-day")
columns = st.columns(len(signatories))
for column, person in zip(columns, signatories):
    with column:
        role_word = ROLE_WORDS.get(person.role, person.role)
        st.markdown(f"**{md(person.name)}**" + (f"  \n{role_word}" if role_word.lower() not in person.name.lower() else ""))
        for event in day_events(plan, person.id, day):
            label = t("busy", "belegt") if event.kind == "unavailable" else kind_word(event.kind)
            st.text(
                f"{span_text(plan, event.start, event.end)}  "
                + (event.title if event.title.lower().startswith(label.lower()) else f"{label}: {event.title}")
            )
        free = free_windows(plan, person.id, day)
        st.caption(t("Free 08–20: ", "Frei 08–20: ") + (", ".join(span_text(plan, a, b) for a, b in free) or "–"))

if not allowed("golden_book"):
    st.stop()

with st.expander(
    t(
        "Import busy time from a calendar (.ics from Outlook, Google, Apple)",
        "Belegte Zeiten aus einem Kalender importieren (.ics aus Outlook, Google, Apple)",
    )
):
    person_id = st.selectbox(
        t("Whose calendar", "Wessen Kalender"),
        [p.id for p in signatories],
        format_func=lambda p: plan.people[p].name,
        key="busy-person",
    )
    upload = st.file_uploader(t("Calendar file", "Kalenderdatei"), type=["ics"], key="busy-file")
    if upload is not None and st.button(
        t("Import busy time (replaces the earlier import)", "Belegte Zeiten importieren (ersetzt den früheren Import)"),
        key="busy-import",
    ):
        try:
            start, end = default_span(plan)
            busy = busy_events(upload.getvalue(), plan, person_id, start, end, source=upload.name)
        except PlanError as error:
            st.error(t("Not imported: ", "Nicht importiert: ") + md(str(error)))
        else:
            if (
                save(
                    lambda: editor().replace_busy_time(person_id, busy),
                    t(
                        f"{len(busy)} busy block(s) of {plan.people[person_id].name} imported.",
                        f"{len(busy)} belegte Zeit(en) von {plan.people[person_id].name} importiert.",
                    ),
                )
                is not None
            ):
                st.rerun()

focus = st.session_state.pop("focus_event", None)
if signings:
    st.subheader(t("Change a signing", "Eintrag ändern"))
    if focus in {e.id for e in signings}:
        st.session_state["signing-edit"] = focus
    picked = st.selectbox(
        t("Signing", "Eintrag"),
        [None] + [e.id for e in signings],
        key="signing-edit",
        format_func=lambda i: (
            "–"
            if i is None
            else next(
                f"{day_text(wall.local_date(e.start))} {span_text(plan, e.start, e.end)} {e.title}" for e in signings if e.id == i
            )
        ),
    )
    if picked is not None:
        event, version = store().event(picked)
        event_editor(plan, "golden_book", event=event, version=version, id_stem="gb", key="signing-change")

st.subheader(t("Book a signing", "Eintrag buchen"))
golden_venues = bookings.golden_book_venues(plan)
if not golden_venues:
    st.info(t("No venue keeps the Golden Book (golden_book: true).", "Kein Ort führt das Goldene Buch (golden_book: true)."))
    st.stop()
delegation = st.selectbox(
    t("For the delegation of", "Für die Delegation aus"),
    list(plan.delegations),
    index=list(plan.delegations).index(missing[0].id) if missing else 0,
    format_func=delegation_labels(plan, lang()).__getitem__,
    # After each booking the picker moves on to the next delegation without one.
    key=f"signing-delegation-{len(signings)}",
)
mayor = bookings.first_signatory(plan)
form_key = f"signing-{delegation}-{day}"
title = t(f"Golden Book: {plan.delegations[delegation].city}", f"Goldenes Buch: {plan.delegations[delegation].city}")

with st.expander(t("Suggest free times on this day", "Freie Zeiten an diesem Tag vorschlagen")):
    left, middle, right = st.columns(3)
    minutes = left.number_input(t("Minutes", "Minuten"), 10, 240, 30, step=5, key="suggest-minutes")
    from_hour, to_hour = middle.slider(t("Between", "Zwischen"), 6, 23, (9, 19), format="%d:00", key="suggest-hours")
    who = right.multiselect(
        t("Signs with one of", "Unterzeichnet mit einer/einem von"),
        [p.id for p in signatories],
        [p.id for p in signatories],
        format_func=lambda p: plan.people[p].name,
        key="suggest-who",
    )
    asked = (form_key, int(minutes), from_hour, to_hour, tuple(who), store().revision())
    if st.button(t("Find free times", "Freie Zeiten finden"), key="suggest", disabled=not who):
        want = Want(
            title,
            "golden_book",
            timedelta(minutes=int(minutes)),
            ((wall.at(day, from_hour * 60), wall.at(day, to_hour * 60)),),
            tuple(golden_venues),
            (delegation,),
            (),
            (tuple(who),),
        )
        st.session_state["suggestions"] = (asked, free_slots(plan, want, 5, lang(), pile_up=PAGE_PILE_UP))
    found = st.session_state.get("suggestions")
    if found and found[0] == asked:  # shown while the question and the plan stay the same
        suggestions = found[1]
        if not suggestions:
            st.info(t("No free time then.", "Dann ist keine Zeit frei."))
        for number, slot in enumerate(suggestions):
            left, right = st.columns([4, 1])
            signer = ", ".join(plan.people[p].name for p in slot.people)
            left.text(
                f"{span_text(plan, slot.start, slot.end)}  {plan.venues[slot.venue].name}, {signer}: "
                f"{t('free', 'frei')} {slot.reason}"
                + (f" ({len(slot.warnings)} {t('warning(s)', 'Warnung(en)')})" if slot.warnings else "")
            )
            if right.button(t("Use", "Übernehmen"), key=f"use-{number}"):
                st.session_state["signing-suggestion"] = (form_key, slot)
                st.session_state[f"{form_key}-bookings"] = st.session_state.get(f"{form_key}-bookings", 0) + 1
                st.rerun()

chosen = st.session_state.get("signing-suggestion")
slot = chosen[1] if chosen and chosen[0] == form_key else None
event_editor(
    plan,
    "golden_book",
    event=None,
    version=None,
    id_stem=f"gb-{delegation}",
    kinds=["golden_book"],
    venues=golden_venues,
    defaults={
        "title": title,
        "kind": "golden_book",
        "venue": slot.venue if slot else golden_venues[0],
        "delegations": [delegation],
        "people": list(slot.people) if slot else [mayor],
        "start": slot.start if slot else wall.at(day, 11 * 60),
        "end": slot.end if slot else wall.at(day, 11 * 60 + 30),
    },
    key=form_key,
)
