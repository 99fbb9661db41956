"""Timeline and map page: the plan as a Gantt chart and on the map, filtered by day, grouping,
delegation and time of day."""

from datetime import datetime, time, timedelta

import streamlit as st

from planner.clock import WallClock, zone_named
from planner.conflicts import check
from planner.maps import conflicts_map, delegation_day_map, festival_map
from planner.timelines import timeline_figure

lang = st.session_state.get("lang", "en")
de = lang == "de"
plan = st.session_state["store"].load_plan()
clock = WallClock(zone_named(plan.timezone, "timezone"))

st.title("Zeitplan und Karte" if de else "Timeline and map")
days = sorted({clock.local_date(e.start) for e in plan.events if e.status != "cancelled"})
if not days:
    st.info("Der Plan hat noch keine Termine." if de else "The plan has no events yet.")
    st.stop()

left, right = st.columns(2)
day = left.selectbox("Tag" if de else "Day", days, format_func=lambda d: f"{d:%a %d.%m.%Y}")
grouping = right.radio("Zeilen" if de else "Rows", ["venue", "delegation", "person"], horizontal=True,
                       format_func={"venue": "Orte" if de else "Venues", "delegation": "Delegationen" if de else "Delegations",
                                    "person": "Personen" if de else "People"}.get)
conflicts = check(plan)
st.plotly_chart(timeline_figure(plan, grouping, day, conflicts, lang), width="stretch")

st.subheader("Karte" if de else "Map")
view = st.radio("Ansicht" if de else "View", ["venues", "delegation", "festival"], horizontal=True,
                format_func={"venues": "Orte und Konflikte" if de else "Venues and conflicts",
                             "delegation": "Tag einer Delegation" if de else "A delegation's day",
                             "festival": "Festival zu einer Uhrzeit" if de else "Festival at a time"}.get)
if view == "venues":
    deck = conflicts_map(plan, conflicts)
elif view == "delegation":
    if not plan.delegations:
        st.info("Keine Delegationen." if de else "No delegations.")
        st.stop()
    delegation = st.selectbox("Delegation", list(plan.delegations),
                              format_func=lambda d: plan.delegations[d].city)
    deck = delegation_day_map(plan, delegation, day)
else:
    moment = st.slider("Uhrzeit" if de else "Time", value=time(19, 0), step=timedelta(minutes=15), format="HH:mm")
    deck = festival_map(plan, clock.wall_instant(datetime.combine(day, moment)))
st.pydeck_chart(deck, height=520)
