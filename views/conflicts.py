"""Conflicts page: every conflict of the plan with its reason, filterable by severity and rule."""

import pandas as pd
import streamlit as st

from planner import PlanError
from planner.loading import plan_from_bytes
from planner.messages import RULE_TITLES, SEVERITY_LABELS
from planner.report import check_document

lang = st.session_state.get("lang", "en")
de = lang == "de"
text = {
    "title": "Konflikte" if de else "Conflicts",
    "upload": "Eigenen Plan prüfen (dortbunt-plan/1 JSON)" if de else "Check your own plan (dortbunt-plan/1 JSON)",
    "invalid": "Der Plan ist ungültig" if de else "The plan is invalid",
    "draft": "Entwurf in der Datenbank" if de else "draft in the database",
    "uploaded": "hochgeladene Datei" if de else "uploaded file",
    "errors": "Fehler" if de else "Errors",
    "warnings": "Warnungen" if de else "Warnings",
    "events": "Termine" if de else "Events",
    "none": "Keine Konflikte." if de else "No conflicts.",
    "severity": "Schwere" if de else "Severity",
    "rule": "Regel" if de else "Rule",
    "message": "Meldung" if de else "Message",
    "resource": "Betrifft" if de else "Concerns",
    "pick": "Zeile wählen, um die ganze Meldung zu lesen." if de else "Select a row to read the whole message.",
}

st.title(text["title"])

upload = st.sidebar.file_uploader(text["upload"], type=["json"])
try:
    plan = plan_from_bytes(upload.getvalue(), upload.name) if upload else st.session_state["store"].load_plan()
except PlanError as error:
    st.error(f"{text['invalid']}: {error}")
    st.stop()

source = text["uploaded"] if upload else text["draft"]
st.caption(f"{plan.name} ({source}) · {len(plan.events)} {text['events']} · {plan.timezone}")

document = check_document(plan, lang)
counts = document["summary"]
left, right = st.columns(2)
left.metric(text["errors"], counts["errors"])
right.metric(text["warnings"], counts["warnings"])

if not document["conflicts"]:
    st.success(text["none"])
    st.stop()

conflicts = document["conflicts"]
table = pd.DataFrame(
    {
        text["severity"]: [SEVERITY_LABELS[lang][c["severity"]] for c in conflicts],
        text["rule"]: [RULE_TITLES[lang][c["rule"]] for c in conflicts],
        text["message"]: [c["message"] for c in conflicts],
        text["events"]: [", ".join(c["events"]) for c in conflicts],
        text["resource"]: [c["resource"] or "" for c in conflicts],
    }
)
severities = st.multiselect(text["severity"], list(SEVERITY_LABELS[lang].values()),
                            default=list(SEVERITY_LABELS[lang].values()))
rules = st.multiselect(text["rule"], sorted(set(table[text["rule"]])))
shown = table[table[text["severity"]].isin(severities)]
if rules:
    shown = shown[shown[text["rule"]].isin(rules)]
picked = st.dataframe(
    shown, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
    column_order=[text["severity"], text["message"], text["rule"], text["events"], text["resource"]],
    column_config={text["message"]: st.column_config.TextColumn(width="large")},
)
rows = picked.selection.rows if picked else []
if rows:
    # Plain text: titles come from users and must not be read as Markdown.
    st.text(shown.iloc[rows[0]][text["message"]])
else:
    st.caption(text["pick"])
