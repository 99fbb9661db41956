"""Admin page: accounts, import/export and backup, releases, and the audit log."""

import json

import pandas as pd
import streamlit as st

from planner import PlanError
from planner.plan.reading import plan_from_bytes
from planner.sharing.access import grantable_roles, grantable_venues, organiser_limits
from planner.sharing.links import PUBLIC_URL_SETTING
from planner.storage.account_rules import ACCOUNT_ROLES, MIN_PASSWORD
from views.releases import releases_section
from views.ui import (
    download_link,
    draft,
    editor,
    flash,
    guest_address,
    local_link_warning,
    md,
    moment_text,
    opened_at,
    save,
    saved_at,
    sign_in,
    store,
    t,
)

plan = draft()
st.title(t("Admin", "Verwaltung"))
flash()
accounts_tab, data_tab, releases_tab, audit_tab = st.tabs(
    [
        t("Accounts", "Konten"),
        t("Import, export, backup", "Import, Export, Sicherung"),
        t("Releases", "Veröffentlichungen"),
        t("Audit log", "Protokoll"),
    ]
)

ROLE_WORDS = {
    "admin": t("admin: everything", "Admin: alles"),
    "protocol": t(
        "protocol office: delegations, Golden Book, festival, links, releases",
        "Protokoll: Delegationen, Goldenes Buch, Festival, Links, Veröffentlichung",
    ),
    "organiser": t("organiser: festival slots", "Organisation: Festival-Auftritte"),
    "viewer": t("viewer: reads only", "Lesend: nur ansehen"),
}

with accounts_tab:
    users = store().users()
    if users:
        st.dataframe(pd.DataFrame(users, columns=["Name", t("Role", "Rolle")]), hide_index=True)
    else:
        st.info(
            t(
                "No accounts yet: only this machine can use the app, as admin. Once the first account "
                "exists, everyone signs in — create your own admin account first.",
                "Noch keine Konten: nur dieser Rechner kann die App nutzen, als Admin. Sobald es ein Konto gibt, "
                "melden sich alle an — legen Sie zuerst Ihr eigenes Admin-Konto an.",
            )
        )
    with st.form("add-user"):
        st.write(t("New account", "Neues Konto"))
        left, right = st.columns(2)
        name = left.text_input("Name")
        role = right.selectbox(t("Role", "Rolle"), ACCOUNT_ROLES, format_func=ROLE_WORDS.get)
        password = st.text_input(
            t(f"Password (at least {MIN_PASSWORD} characters)", f"Passwort (mindestens {MIN_PASSWORD} Zeichen)"), type="password"
        )
        if st.form_submit_button(t("Create account", "Konto anlegen")):
            if (
                save(lambda: editor().add_user(name, role, password), t(f"Account {name} created.", f"Konto {name} angelegt."))
                is not None
            ):
                if st.session_state.get("user") is None and not users and role == "admin":
                    # The first account: this machine stops being admin by itself, so sign in as it.
                    sign_in(name, role, "local")
                st.rerun()
    if users:
        with st.form("change-user", clear_on_submit=True):
            st.write(t("Change an account", "Konto ändern"))
            left, middle, right = st.columns(3)
            who = left.selectbox("Name", [u for u, _ in users], key="change-user-name")
            new_role = middle.selectbox(
                t("New role", "Neue Rolle"),
                [None, *ACCOUNT_ROLES],
                key="change-user-role",
                format_func=lambda r: t("(unchanged)", "(unverändert)") if r is None else ROLE_WORDS[r],
            )
            new_password = right.text_input(
                t("New password (empty: unchanged)", "Neues Passwort (leer: unverändert)"),
                type="password",
                key="change-user-password",
            )
            if st.form_submit_button(t("Change account", "Konto ändern")):
                if (
                    save(
                        lambda: editor().update_user(who, role=new_role, password=new_password or None),
                        t(f"Account {who} changed.", f"Konto {who} geändert."),
                    )
                    is not None
                ):
                    st.rerun()
        left, right = st.columns([2, 1])
        gone = left.selectbox(t("Remove account", "Konto entfernen"), [u for u, _ in users], key="remove-user")
        if right.button(t("Remove", "Entfernen"), key="remove-user-button"):
            if save(lambda: editor().remove_user(gone), t(f"Account {gone} removed.", f"Konto {gone} entfernt.")) is not None:
                st.rerun()

    # What organisers may put on festival slots besides performers on stages, squares and parks
    # (access.OrganiserLimits); the diaries of the Lord Mayor, the deputies and the protocol stay
    # the office's, so they are not offered.
    st.subheader(t("What organisers may put on festival slots", "Was die Festival-Organisation einplanen darf"))
    st.caption(
        t(
            "Organisers may always put performers on stages, squares and parks. The Lord Mayor, the deputies, "
            "the protocol, the Rathaus and the Golden Book venue stay in the protocol office's diary and cannot "
            "be allowed.",
            "Die Organisation darf immer Mitwirkende auf Bühnen, Plätzen und in Parks einplanen. Der "
            "Oberbürgermeister, die Stellvertretungen, das Protokoll, das Rathaus und der Ort des Goldenen Buchs "
            "bleiben im Terminkalender des Protokolls und können nicht freigegeben werden.",
        )
    )
    limits, limits_version = organiser_limits(store())
    started_at = opened_at("organiser-limits", "roles", limits_version)
    PEOPLE_WORDS = {
        "performer": t("performers", "Mitwirkende"),
        "escort": t("escorts", "Begleitungen"),
        "interpreter": t("interpreters", "Dolmetscherinnen und Dolmetscher"),
        "press": t("press", "Presse"),
        "other": t("others (e.g. clergy)", "Sonstige (z. B. Geistliche)"),
    }
    role_options, roles_allowed = grantable_roles(limits)
    more_venues, venues_allowed = grantable_venues(plan, limits)
    with st.form("organiser-limits"):
        allowed_roles = st.multiselect(
            t("People of these roles", "Personen mit diesen Rollen"),
            role_options,
            roles_allowed,
            format_func=lambda r: PEOPLE_WORDS.get(r, r),
            key="organiser-limits-roles",
        )
        allowed_venues = st.multiselect(
            t("These venues as well", "Außerdem diese Orte"),
            more_venues,
            venues_allowed,
            format_func=lambda v: plan.venues[v].name,
            key="organiser-limits-venues",
        )
        if st.form_submit_button(t("Save what organisers may use", "Freigaben für die Organisation speichern")):
            version = save(
                lambda: editor().set_organiser_limits(allowed_roles, allowed_venues, expected_version=started_at),
                t("Saved what organisers may use.", "Freigaben für die Organisation gespeichert."),
            )
            if version is not None:
                saved_at("organiser-limits", version)
                st.rerun()

    # Where guests reach the app: every guest link and feed address shown or sent uses it.
    st.subheader(t("Where guests reach the app", "Wo Gäste die App erreichen"))
    address = guest_address()
    stored, address_version = store().setting(PUBLIC_URL_SETTING)
    address_at = opened_at("public-url", "value", address_version)
    if address.source == "environment":
        st.caption(
            t(
                f"The server sets it (PLANNER_PUBLIC_URL): links use {address.url}.",
                f"Der Server legt sie fest (PLANNER_PUBLIC_URL): Links verwenden {address.url}.",
            )
        )
    else:
        with st.form("public-url"):
            typed = st.text_input(
                t("The app's public address", "Öffentliche Adresse der App"),
                stored or "",
                placeholder="https://planner.dortmund.de",
                help=t(
                    "Empty: links use the address of the browser that makes them.",
                    "Leer: Links verwenden die Adresse des Browsers, der sie anlegt.",
                ),
                key="public-url-value",
            )
            if st.form_submit_button(t("Save the address", "Adresse speichern")):
                version = save(
                    lambda: editor().set_public_url(typed, expected_version=address_at),
                    t("Saved where guests reach the app.", "Gespeichert, wo Gäste die App erreichen."),
                )
                if version is not None:
                    saved_at("public-url", version)
                    st.rerun()
    local_link_warning(address)

with data_tab:
    # Through the app's own route, made when fetched: the role is checked again then, so a
    # removed or lowered account gets nothing, and the link works once, in this browser only.
    download_link(
        t("Export the draft (dortbunt-plan/1 JSON)", "Entwurf exportieren (dortbunt-plan/1 JSON)"), "plan", key="export"
    )
    upload = st.file_uploader(
        t(
            "Import a plan: replaces the whole draft (releases and the audit log stay)",
            "Plan importieren: ersetzt den ganzen Entwurf (Veröffentlichungen und Protokoll bleiben)",
        ),
        type=["json"],
        key="import-file",
    )
    if upload is not None:
        try:
            incoming = plan_from_bytes(upload.getvalue(), upload.name)
        except PlanError as error:
            st.error(t("Not imported, the file is invalid: ", "Nicht importiert, die Datei ist ungültig: ") + md(str(error)))
        else:
            st.write(
                md(
                    t(
                        f"“{incoming.name}”: {len(incoming.delegations)} delegations, {len(incoming.events)} events.",
                        f"„{incoming.name}“: {len(incoming.delegations)} Delegationen, {len(incoming.events)} Termine.",
                    )
                )
            )
            if st.button(t("Replace the draft with this plan", "Entwurf durch diesen Plan ersetzen"), type="primary"):
                if save(lambda: editor().import_plan(incoming), t("Plan imported.", "Plan importiert.")) is not None:
                    st.rerun()
    st.divider()
    # The backup is made when the link is fetched, and only for an admin at that moment.
    download_link(t("Make and download a backup", "Sicherung erstellen und herunterladen"), "backup", key="backup")
    st.caption(
        t(
            "The whole database: plan, releases, audit log, accounts (password hashes) and links. Keep it "
            "where only administrators can read it.",
            "Die ganze Datenbank: Plan, Veröffentlichungen, Protokoll, Konten (Passwort-Hashes) und Links. "
            "Nur dort aufbewahren, wo ausschließlich Admins sie lesen können.",
        )
    )

with releases_tab:
    releases_section(plan)

with audit_tab:
    entries = store().audit(limit=500)
    st.caption(t("The latest 500 changes, newest first.", "Die letzten 500 Änderungen, neueste zuerst."))
    st.dataframe(
        pd.DataFrame(
            {
                t("When", "Wann"): [moment_text(plan, e.at) for e in entries],
                t("Who", "Wer"): [e.user for e in entries],
                t("What", "Was"): [f"{e.action} {e.entity} {e.entity_id}".strip() for e in entries],
                t("Before", "Vorher"): [json.dumps(e.before, ensure_ascii=False) if e.before else "" for e in entries],
                t("After", "Nachher"): [json.dumps(e.after, ensure_ascii=False) if e.after else "" for e in entries],
            }
        ),
        hide_index=True,
        width="stretch",
    )
