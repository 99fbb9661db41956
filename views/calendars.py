"""Calendars and sharing: download any feed; create and revoke guest links and calendar links."""

from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st

from planner import PlanError
from planner.exports.ics import feeds_for
from planner.language.labels import delegation_labels
from planner.sharing.access import may_read_internal
from planner.sharing.link_status import MAX_LINK_DAYS, guest_link_days, link_state, link_target_name, revocable
from planner.sharing.links import feed_url, guest_url, public_feed_url
from views.ui import (
    allowed,
    download_link,
    draft,
    editor,
    flash,
    guest_address,
    lang,
    local_link_warning,
    md,
    moment_text,
    released,
    role,
    save,
    store,
    t,
)

plan = draft()
st.title(t("Calendars and sharing", "Kalender und Links"))
flash()

st.subheader(t("Download a calendar", "Kalender herunterladen"))
KINDS = {
    "delegation": t("A delegation (its released programme)", "Eine Delegation (veröffentlichtes Programm)"),
    "person": t("A person (draft)", "Eine Person (Entwurf)"),
    "venue": t("A venue or stage (draft)", "Ein Ort oder eine Bühne (Entwurf)"),
    "public": t("The public programme (released)", "Das öffentliche Programm (veröffentlicht)"),
    "all": t("Everything (draft, internal)", "Alles (Entwurf, intern)"),
}
if not may_read_internal(role()):  # organisers: guests' and the public's calendars only
    KINDS = {kind: label for kind, label in KINDS.items() if kind in ("delegation", "public")}
left, right = st.columns(2)
kind = left.selectbox(t("Calendar of", "Kalender für"), list(KINDS), format_func=KINDS.get, key="feed-kind")
choices = {
    "delegation": (plan.delegations, delegation_labels(plan, lang()).__getitem__),
    "person": (plan.people, lambda p: plan.people[p].name),
    "venue": (plan.venues, lambda v: plan.venues[v].name),
}
target = None
if kind in choices:
    found, name = choices[kind]
    target = right.selectbox(t("Which", "Welche"), list(found), format_func=name, key=f"feed-{kind}")
try:
    source = released() if kind in ("delegation", "public") else plan
    if source is None:
        raise PlanError("", t("nothing has been published yet", "noch nichts veröffentlicht"))
    feed = feeds_for(
        source,
        delegation=target if kind == "delegation" else None,
        person=target if kind == "person" else None,
        venue=target if kind == "venue" else None,
        public=kind == "public",
        everything=kind == "all",
        lang=lang(),
    )
except PlanError as error:
    st.info(t("Not available: ", "Nicht verfügbar: ") + md(str(error)))
else:
    # Through the app's own route, made when fetched: for this browser, once, and only if this
    # account may still read this calendar then (internal ones: the office's roles only).
    row = st.container(horizontal=True)
    options = {"kind": kind, "target": target or "", "lang": lang()}
    download_link(
        md(
            t(
                f"Download “{feed.name}” (.ics, {len(feed.events)} events)",
                f"„{feed.name}“ herunterladen (.ics, {len(feed.events)} Termine)",
            )
        ),
        "calendar",
        key="download-feed",
        where=row,
        format="ics",
        **options,
    )
    # The same selection as a spreadsheet; text that would run as a formula is neutralised.
    download_link(t("As a table (CSV)", "Als Tabelle (CSV)"), "calendar", key="download-csv", where=row, format="csv", **options)
    download_link(
        t("As a table (Excel)", "Als Tabelle (Excel)"), "calendar", key="download-xlsx", where=row, format="xlsx", **options
    )
address = guest_address()
st.caption(
    t("Everyone can subscribe to the public programme at ", "Das öffentliche Programm kann jede und jeder abonnieren: ")
    + public_feed_url(address.url)
)

if not allowed("share"):
    st.stop()
local_link_warning(address)

st.subheader(t("Create a link", "Link anlegen"))
st.write(
    t(
        "A guest link opens the delegation's own page (its released programme, a map and its calendar) "
        "and nothing else. A calendar link is an address calendar apps subscribe to.",
        "Ein Gästelink öffnet die Seite der Delegation (ihr veröffentlichtes Programm, eine Karte und ihren "
        "Kalender) und sonst nichts. Ein Kalenderlink ist eine Adresse, die Kalender-Apps abonnieren.",
    )
)
LINKS = {
    "guest": t("Guest link for a delegation", "Gästelink für eine Delegation"),
    "delegation": t("Calendar link for a delegation", "Kalenderlink für eine Delegation"),
    "person": t("Calendar link for a person", "Kalenderlink für eine Person"),
}
left, middle, right = st.columns(3)
link_kind = left.selectbox(t("Kind", "Art"), list(LINKS), format_func=LINKS.get, key="link-kind")
pool, name = choices["person" if link_kind == "person" else "delegation"]
link_target = middle.selectbox(t("For", "Für"), list(pool), format_func=name, key="link-target")
# A guest link lives until a week after the delegation leaves (at least 30 days); feeds until revoked.
days = right.number_input(
    t("Valid for days (0 = until revoked)", "Gültig für Tage (0 = bis zum Widerruf)"),
    0,
    MAX_LINK_DAYS,
    guest_link_days(plan, link_target, datetime.now(UTC)) if link_kind == "guest" else 0,
    key=f"link-days-{link_kind}-{link_target}",
)
if st.button(t("Create link", "Link anlegen"), type="primary", key="create-link"):
    expires = datetime.now(UTC) + timedelta(days=int(days)) if days else None
    made = save(
        lambda: editor().create_link(link_kind, link_target, expires),
        t("Link created. Copy it now: it is shown only once.", "Link angelegt. Jetzt kopieren: er wird nur einmal angezeigt."),
    )
    if made:
        number, token = made
        base = address.url
        st.session_state["new_link"] = (number, guest_url(base, token) if link_kind == "guest" else None, feed_url(base, token))
        st.rerun()
if "new_link" in st.session_state:
    number, page, feed_url = st.session_state.pop("new_link")
    if page:
        st.write(t("Guest page:", "Gästeseite:"))
        st.code(page, language=None)
    st.write(t("Calendar subscription:", "Kalender-Abo:"))
    st.code(feed_url, language=None)

st.subheader(t("Links", "Links"))
links = store().feed_tokens()
if not links:
    st.info(t("No links yet.", "Noch keine Links."))
    st.stop()
now = datetime.now(UTC)


STATE_WORDS = {
    "revoked": t("revoked ", "widerrufen "),
    "expired": t("expired ", "abgelaufen "),
    "valid_until": t("valid until ", "gültig bis "),
    "valid": t("valid", "gültig"),
}


def state(link: dict) -> str:
    found, when = link_state(link, now)
    return STATE_WORDS[found] + (moment_text(plan, when) if when else "")


st.dataframe(
    pd.DataFrame(
        {
            "Nr.": [link["number"] for link in links],
            t("Kind", "Art"): [LINKS[link["kind"]] for link in links],
            t("For", "Für"): [link_target_name(plan, link) for link in links],
            t("Created", "Angelegt"): [f"{moment_text(plan, link['created_at'])} ({link['created_by']})" for link in links],
            t("State", "Zustand"): [state(link) for link in links],
        }
    ),
    hide_index=True,
    width="stretch",
)
live = revocable(links)
if live:
    left, right = st.columns([2, 1])
    number = left.selectbox(t("Revoke link number", "Link widerrufen, Nummer"), live, key="revoke-number")
    if right.button(t("Revoke", "Widerrufen"), key="revoke"):
        if save(lambda: editor().revoke_link(number), t(f"Link {number} revoked.", f"Link {number} widerrufen.")) is not None:
            st.rerun()
