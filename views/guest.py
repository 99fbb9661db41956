"""The guest page: one delegation's released programme, its venues on a map with the day's route,
and its calendar to download or subscribe to. Everything drawn here comes from `guest_plan`, so
no other delegation's data reaches this browser."""

import pandas as pd
import streamlit as st

from planner.exports.agenda import event_days, events_on
from planner.exports.maps import delegation_day_map
from planner.plan.audiences import guest_plan
from planner.sharing.links import feed_url
from views.ui import clock, day_text, download_link, guest_address, lang, md, released, span_text, t

delegation_id = st.session_state["guest"]
release = released()
if release is None or delegation_id not in release.delegations:
    st.title(t("Your programme", "Ihr Programm"))
    st.info(
        t(
            "Your programme has not been published yet. Please look again later.",
            "Ihr Programm ist noch nicht veröffentlicht. Bitte schauen Sie später wieder herein.",
        )
    )
    st.stop()
plan = guest_plan(release, delegation_id)
delegation = plan.delegations[delegation_id]
wall = clock(plan)
st.title(md(t(f"Welcome, delegation of {delegation.city}!", f"Willkommen, Delegation aus {delegation.city}!")))
st.caption(md(plan.name))

if delegation.arrival and delegation.departure:
    st.write(
        t("Your stay: ", "Ihr Aufenthalt: ")
        + f"{day_text(wall.local_date(delegation.arrival))} – {day_text(wall.local_date(delegation.departure))}"
    )
if delegation.hotel in plan.venues:
    hotel = plan.venues[delegation.hotel]
    st.write(md(t("Your hotel: ", "Ihr Hotel: ") + f"{hotel.name}" + (f", {hotel.address}" if hotel.address else "")))

status_words = {"confirmed": "", "tentative": t("tentative", "vorläufig"), "cancelled": t("cancelled", "abgesagt")}
days = event_days(plan)
if not days:
    st.info(t("No appointments yet.", "Noch keine Termine."))
    st.stop()

for day in days:
    st.subheader(day_text(day))
    rows = events_on(plan, day)
    # A plain table: printable, readable on a phone, and its text is on the page.
    st.table(
        pd.DataFrame(
            {
                t("Time", "Zeit"): [span_text(plan, e.start, e.end) for e in rows],
                t("What", "Was"): [md(e.title) for e in rows],  # st.table renders Markdown
                t("Where", "Wo"): [md(plan.venues[e.venue].name) if e.venue in plan.venues else "" for e in rows],
                t("With", "Mit"): [md(", ".join(plan.people[p].name for p in e.people)) for e in rows],
                t("Note", "Hinweis"): [status_words[e.status] for e in rows],
            }
        ),
        hide_index=True,
        border="horizontal",
    )

st.subheader(t("Map of a day", "Karte eines Tages"))
shown = st.selectbox(t("Day", "Tag"), days, format_func=day_text, key="map-day")
st.pydeck_chart(delegation_day_map(plan, delegation_id, shown), height=460)

st.subheader(t("In your calendar", "In Ihrem Kalender"))
token = st.session_state["guest_token"]


# Through the app's own route, made when fetched: once, in this browser, and only while the
# guest link still works (planner/sharing/downloads.py); nothing of it is kept in Streamlit's media store.
download_link(
    t("Download the programme (.ics)", "Programm herunterladen (.ics)"), "guest", key="guest-download", lang=lang(), link=token
)
address = feed_url(guest_address().url, token, lang())
st.write(
    t(
        "To subscribe (your calendar then updates itself), add this address to your calendar app:",
        "Zum Abonnieren (Ihr Kalender aktualisiert sich dann selbst) diese Adresse in Ihrer Kalender-App hinzufügen:",
    )
)
st.code(address, language=None)
st.link_button(t("Subscribe", "Abonnieren"), "webcal://" + address.split("://", 1)[1])
