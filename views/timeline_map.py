"""Timeline and map page: the plan as a Gantt chart and on the map, filtered by day, grouping,
venue, delegation and time of day."""

from datetime import datetime, time, timedelta

import streamlit as st

from planner.exports.agenda import live_days
from planner.exports.maps import conflicts_map, delegation_day_map, festival_map
from planner.exports.timelines import outside_view, timeline_figure
from planner.language.labels import delegation_labels
from planner.rules.change_preview import changed_plan
from views.ui import clock as wall_clock
from views.ui import day_text, draft, draft_conflicts

lang = st.session_state.get("lang", "en")
de = lang == "de"
plan = draft()
clock = wall_clock(plan)

st.title("Zeitplan und Karte" if de else "Timeline and map")
days = live_days(plan)
if not days:
    st.info("Der Plan hat noch keine Termine." if de else "The plan has no events yet.")
    st.stop()

left, right = st.columns(2)
day = left.selectbox("Tag" if de else "Day", days, format_func=day_text)
grouping = right.radio(
    "Zeilen" if de else "Rows",
    ["venue", "delegation", "person"],
    horizontal=True,
    format_func={
        "venue": "Orte" if de else "Venues",
        "delegation": "Delegationen" if de else "Delegations",
        "person": "Personen" if de else "People",
    }.get,
)
left, middle, right = st.columns(3)
venues = left.multiselect("Orte" if de else "Venues", list(plan.venues), format_func=lambda v: plan.venues[v].name)
delegations = middle.multiselect(
    "Delegationen" if de else "Delegations", list(plan.delegations), format_func=delegation_labels(plan, lang).__getitem__
)
hours = right.slider("Uhrzeit" if de else "Time of day", 0, 24, (6, 24), format="%d:00")
begins, ends = clock.at(day, hours[0] * 60), clock.at(day, hours[1] * 60)
hidden = outside_view(plan, venues, delegations, begins, ends)
conflicts = draft_conflicts()
shown = changed_plan(plan, removed=hidden) if hidden else plan
figure = timeline_figure(shown, grouping, day, conflicts, lang)
figure.update_xaxes(range=[clock.wall(begins), clock.wall(ends)])
st.plotly_chart(figure, width="stretch")

st.subheader("Karte" if de else "Map")
view = st.radio(
    "Ansicht" if de else "View",
    ["venues", "delegation", "festival"],
    horizontal=True,
    format_func={
        "venues": "Orte und Konflikte" if de else "Venues and conflicts",
        "delegation": "Tag einer Delegation" if de else "A delegation's day",
        "festival": "Festival zu einer Uhrzeit" if de else "Festival at a time",
    }.get,
)
if view == "venues":
    deck = conflicts_map(plan, conflicts)
elif view == "delegation":
    if not plan.delegations:
        st.info("Keine Delegationen." if de else "No delegations.")
        st.stop()
    delegation = st.selectbox("Delegation", list(plan.delegations), format_func=delegation_labels(plan, lang).__getitem__)
    deck = delegation_day_map(plan, delegation, day)
else:
    moment = st.slider("Uhrzeit" if de else "Time", value=time(19, 0), step=timedelta(minutes=15), format="HH:mm")
    deck = festival_map(plan, clock.wall_instant(datetime.combine(day, moment)))
st.pydeck_chart(deck, height=520)
