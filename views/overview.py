"""Overview: today and the next days, arrivals and departures, open conflicts by severity and
rule, and what is published."""

from datetime import datetime, timedelta, timezone

import pandas as pd
import streamlit as st

from planner.rules.messages import SEVERITY_LABELS
from views.event_form import kind_word
from views.releases import release_status
from views.ui import clock, day_text, draft, draft_conflicts, flash, lang, md, rule_titles, span_text, t, time_text

plan = draft()
wall = clock(plan)
st.title(t("Overview", "Überblick"))
st.caption(md(plan.name) + f" · {len(plan.delegations)} {t('delegations', 'Delegationen')} · "
           f"{len(plan.events)} {t('events', 'Termine')}")
flash()

conflicts = draft_conflicts()
errors = sum(c.severity == "error" for c in conflicts)
left, middle, right = st.columns(3)
left.metric(t("Errors", "Fehler"), errors)
middle.metric(t("Warnings", "Warnungen"), len(conflicts) - errors)
right.metric(t("Delegations", "Delegationen"), len(plan.delegations))
days = sorted({wall.local_date(e.start) for e in plan.events if e.status != "cancelled" and e.kind != "unavailable"})
today = wall.local_date(datetime.now(timezone.utc))
first = next((d for d in days if d >= today), days[0] if days else today)
left, right = st.columns(2)
start = left.date_input(t("From", "Ab"), first, format="DD.MM.YYYY")
shown = right.slider(t("Days", "Tage"), 1, 7, 3)
for offset in range(shown):
    day = start + timedelta(days=offset)
    st.subheader(day_text(day) + (t(" (today)", " (heute)") if day == today else ""))
    arrivals = [d for d in plan.delegations.values() if d.arrival and wall.local_date(d.arrival) == day]
    departures = [d for d in plan.delegations.values() if d.departure and wall.local_date(d.departure) == day]
    if arrivals or departures:
        st.write(md(" · ".join(
            [t("Arrives: ", "Ankunft: ") + f"{d.city} {time_text(plan, d.arrival)}" for d in arrivals] +
            [t("Leaves: ", "Abreise: ") + f"{d.city} {time_text(plan, d.departure)}" for d in departures])))
    events = sorted((e for e in plan.events if wall.local_date(e.start) == day and e.kind != "festival_slot"
                     and e.kind != "unavailable"), key=lambda e: (e.start, e.id))
    slots = sum(1 for e in plan.events if wall.local_date(e.start) == day and e.kind == "festival_slot")
    if events:
        st.dataframe(pd.DataFrame({
            t("Time", "Zeit"): [span_text(plan, e.start, e.end) for e in events],
            t("Title", "Titel"): [e.title for e in events],
            t("Kind", "Art"): [kind_word(e.kind) for e in events],
            t("Venue", "Ort"): [plan.venues[e.venue].name if e.venue in plan.venues else "" for e in events],
            t("Delegations", "Delegationen"): [", ".join(plan.delegations[d].city for d in e.delegations) for e in events],
        }), hide_index=True, width="stretch", key=f"day-{day}")
    if slots:
        st.caption(t(f"Festival: {slots} slot(s) on the stages.", f"Festival: {slots} Auftritt(e) auf den Bühnen."))
    if not events and not slots and not arrivals and not departures:
        st.caption(t("Nothing planned.", "Nichts geplant."))

if conflicts:
    with st.expander(t("Open conflicts by rule", "Offene Konflikte nach Regel")):
        counts = pd.DataFrame({"rule": [c.rule for c in conflicts], "severity": [c.severity for c in conflicts]})
        table = counts.value_counts().rename(t("Count", "Anzahl")).reset_index()
        table.insert(0, t("Severity", "Schwere"), [SEVERITY_LABELS[lang()][s] for s in table.pop("severity")])
        table.insert(1, t("Rule", "Regel"), [rule_titles()[r] for r in table.pop("rule")])
        st.dataframe(table, hide_index=True)
        if st.button(t("Open the conflicts", "Konflikte öffnen")):
            st.switch_page("views/conflicts.py")

st.subheader(t("Published", "Veröffentlicht"))
release_status(plan)
