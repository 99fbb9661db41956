"""Admin page: accounts, import/export and backup, releases, and the audit log."""

import json
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from planner import PlanError
from planner.accounts import MIN_PASSWORD, ROLES
from planner.loading import plan_from_bytes
from views.releases import releases_section
from views.ui import draft, editor, flash, md, moment_text, save, store, t

plan = draft()
st.title(t("Admin", "Verwaltung"))
flash()
accounts_tab, data_tab, releases_tab, audit_tab = st.tabs(
    [t("Accounts", "Konten"), t("Import, export, backup", "Import, Export, Sicherung"),
     t("Releases", "Veröffentlichungen"), t("Audit log", "Protokoll")])

ROLE_WORDS = {"admin": t("admin: everything", "Admin: alles"),
              "protocol": t("protocol office: delegations, Golden Book, festival, links, releases",
                            "Protokoll: Delegationen, Goldenes Buch, Festival, Links, Veröffentlichung"),
              "organiser": t("organiser: festival slots", "Organisation: Festival-Auftritte"),
              "viewer": t("viewer: reads only", "Lesend: nur ansehen")}

with accounts_tab:
    users = store().users()
    if users:
        st.dataframe(pd.DataFrame(users, columns=["Name", t("Role", "Rolle")]), hide_index=True)
    else:
        st.info(t("No accounts yet: only this machine can use the app, as admin. Once the first account "
                  "exists, everyone signs in — create your own admin account first.",
                  "Noch keine Konten: nur dieser Rechner kann die App nutzen, als Admin. Sobald es ein Konto gibt, "
                  "melden sich alle an — legen Sie zuerst Ihr eigenes Admin-Konto an."))
    with st.form("add-user"):
        st.write(t("New account", "Neues Konto"))
        left, right = st.columns(2)
        name = left.text_input("Name")
        role = right.selectbox(t("Role", "Rolle"), ROLES, format_func=ROLE_WORDS.get)
        password = st.text_input(t(f"Password (at least {MIN_PASSWORD} characters)",
                                   f"Passwort (mindestens {MIN_PASSWORD} Zeichen)"), type="password")
        if st.form_submit_button(t("Create account", "Konto anlegen")):
            if save(lambda: editor().add_user(name, role, password),
                    t(f"Account {name} created.", f"Konto {name} angelegt.")) is not None:
                if st.session_state.get("user") is None and not users and role == "admin":
                    # The first account: this machine stops being admin by itself, so sign in as it.
                    st.session_state["user"] = (name, role, "local")
                st.rerun()
    if users:
        with st.form("change-user", clear_on_submit=True):
            st.write(t("Change an account", "Konto ändern"))
            left, middle, right = st.columns(3)
            who = left.selectbox("Name", [u for u, _ in users], key="change-user-name")
            new_role = middle.selectbox(t("New role", "Neue Rolle"), [None, *ROLES], key="change-user-role",
                                        format_func=lambda r: t("(unchanged)", "(unverändert)") if r is None else ROLE_WORDS[r])
            new_password = right.text_input(t("New password (empty: unchanged)", "Neues Passwort (leer: unverändert)"),
                                            type="password", key="change-user-password")
            if st.form_submit_button(t("Change account", "Konto ändern")):
                if save(lambda: editor().update_user(who, role=new_role, password=new_password or None),
                        t(f"Account {who} changed.", f"Konto {who} geändert.")) is not None:
                    st.rerun()
        left, right = st.columns([2, 1])
        gone = left.selectbox(t("Remove account", "Konto entfernen"), [u for u, _ in users], key="remove-user")
        if right.button(t("Remove", "Entfernen"), key="remove-user-button"):
            if save(lambda: editor().remove_user(gone), t(f"Account {gone} removed.", f"Konto {gone} entfernt.")) is not None:
                st.rerun()

with data_tab:
    st.download_button(t("Export the draft (dortbunt-plan/1 JSON)", "Entwurf exportieren (dortbunt-plan/1 JSON)"),
                       # Made on the click, maybe long after the page was drawn: the role is
                       # checked again then, so a removed or lowered account gets nothing.
                       lambda session=editor(): json.dumps(session.export_document(), ensure_ascii=False,
                                                           indent=1).encode("utf-8"),
                       file_name="plan.json", mime="application/json", key="export",
                       on_click="ignore")  # no rerun racing the file made on the click
    upload = st.file_uploader(t("Import a plan: replaces the whole draft (releases and the audit log stay)",
                                "Plan importieren: ersetzt den ganzen Entwurf (Veröffentlichungen und Protokoll bleiben)"),
                              type=["json"], key="import-file")
    if upload is not None:
        try:
            incoming = plan_from_bytes(upload.getvalue(), upload.name)
        except PlanError as error:
            st.error(t("Not imported, the file is invalid: ", "Nicht importiert, die Datei ist ungültig: ") + md(str(error)))
        else:
            st.write(md(t(f"“{incoming.name}”: {len(incoming.delegations)} delegations, {len(incoming.events)} events.",
                          f"„{incoming.name}“: {len(incoming.delegations)} Delegationen, {len(incoming.events)} Termine.")))
            if st.button(t("Replace the draft with this plan", "Entwurf durch diesen Plan ersetzen"), type="primary"):
                if save(lambda: editor().import_plan(incoming), t("Plan imported.", "Plan importiert.")) is not None:
                    st.rerun()
    st.divider()
    if st.button(t("Make a backup", "Sicherung erstellen"), key="backup"):
        with tempfile.TemporaryDirectory() as folder:
            target = Path(folder) / "backup"
            if save(lambda: editor().backup(target), t("Backup made.", "Sicherung erstellt.")) is not None:
                st.session_state["backup_bytes"] = target.read_bytes()
    if "backup_bytes" in st.session_state:
        suffix = "sqlite" if store().engine.dialect.name == "sqlite" else "pgdump"
        st.download_button(t("Download the backup", "Sicherung herunterladen"), st.session_state["backup_bytes"],
                           file_name=f"planner-backup.{suffix}", key="backup-download")

with releases_tab:
    releases_section(plan)

with audit_tab:
    entries = store().audit(limit=500)
    st.caption(t("The latest 500 changes, newest first.", "Die letzten 500 Änderungen, neueste zuerst."))
    st.dataframe(pd.DataFrame({
        t("When", "Wann"): [moment_text(plan, e.at) for e in entries],
        t("Who", "Wer"): [e.user for e in entries],
        t("What", "Was"): [f"{e.action} {e.entity} {e.entity_id}".strip() for e in entries],
        t("Before", "Vorher"): [json.dumps(e.before, ensure_ascii=False) if e.before else "" for e in entries],
        t("After", "Nachher"): [json.dumps(e.after, ensure_ascii=False) if e.after else "" for e in entries],
    }), hide_index=True, width="stretch")
