"""Overview: today and the next days, arrivals and departures, open conflicts by severity and
rule, and what is published."""

from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st

from planner.exports.agenda import arrivals, day_programme, departures, festival_slot_count, first_day_shown, live_days
from planner.rules.engine import summary
from planner.rules.messages import SEVERITY_LABELS
from planner.rules.report import conflict_counts
from views.event_form import kind_word
from views.releases import release_status
from views.ui import clock, day_text, draft, draft_conflicts, flash, lang, md, rule_titles, span_text, t, time_text

plan = draft()
wall = clock(plan)
st.title(t("Overview", "Überblick"))
st.caption(
    md(plan.name) + f" · {len(plan.delegations)} {t('delegations', 'Delegationen')} · {len(plan.events)} {t('events', 'Termine')}"
)
flash()

conflicts = draft_conflicts()
errors = summary(conflicts)["errors"]
left, middle, right = st.columns(3)
left.metric(t("Errors", "Fehler"), errors)
middle.metric(t("Warnings", "Warnungen"), len(conflicts) - errors)
right.metric(t("Delegations", "Delegationen"), len(plan.delegations))
today = wall.local_date(datetime.now(UTC))
first = first_day_shown(live_days(plan, busy_time=False), today)
left, right = st.columns(2)
start = left.date_input(t("From", "Ab"), first, format="DD.MM.YYYY")
shown = right.slider(t("Days", "Tage"), 1, 7, 3)
for offset in range(shown):
    day = start + timedelta(days=offset)
    st.subheader(day_text(day) + (t(" (today)", " (heute)") if day == today else ""))
    arriving, leaving = arrivals(plan, day), departures(plan, day)
    if arriving or leaving:
        st.write(
            md(
                " · ".join(
                    [t("Arrives: ", "Ankunft: ") + f"{d.city} {time_text(plan, d.arrival)}" for d in arriving]
                    + [t("Leaves: ", "Abreise: ") + f"{d.city} {time_text(plan, d.departure)}" for d in leaving]
                )
            )
        )
    events = day_programme(plan, day)
    slots = festival_slot_count(plan, day)
    if events:
        st.dataframe(
            pd.DataFrame(
                {
                    t("Time", "Zeit"): [span_text(plan, e.start, e.end) for e in events],
                    t("Title", "Titel"): [e.title for e in events],
                    t("Kind", "Art"): [kind_word(e.kind) for e in events],
                    t("Venue", "Ort"): [plan.venues[e.venue].name if e.venue in plan.venues else "" for e in events],
                    t("Delegations", "Delegationen"): [
                        ", ".join(plan.delegations[d].city for d in e.delegations) for e in events
                    ],
                }
            ),
            hide_index=True,
            width="stretch",
            key=f"day-{day}",
        )
    if slots:
        st.caption(t(f"Festival: {slots} slot(s) on the stages.", f"Festival: {slots} Auftritt(e) auf den Bühnen."))
    if not events and not slots and not arriving and not leaving:
        st.caption(t("Nothing planned.", "Nichts geplant."))

if conflicts:
    with st.expander(t("Open conflicts by rule", "Offene Konflikte nach Regel")):
        counts = conflict_counts(conflicts)
        st.dataframe(
            pd.DataFrame(
                {
                    t("Severity", "Schwere"): [SEVERITY_LABELS[lang()][severity] for _, severity, _ in counts],
                    t("Rule", "Regel"): [rule_titles()[rule] for rule, _, _ in counts],
                    t("Count", "Anzahl"): [count for _, _, count in counts],
                }
            ),
            hide_index=True,
        )
        if st.button(t("Open the conflicts", "Konflikte öffnen")):
            st.switch_page("views/conflicts.py")

st.subheader(t("Published", "Veröffentlicht"))
release_status(plan)
