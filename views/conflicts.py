"""Conflicts page: every conflict of the plan with its reason, filterable by severity, rule, day and
resource; a selected conflict leads to its events to fix them."""

import streamlit as st

from planner import PlanError
from planner.plan.reading import plan_from_bytes
from planner.rules.engine import PAGE_PILE_UP, check, summary
from planner.rules.filters import ConflictFilter, choices, facets, matching
from planner.rules.messages import SEVERITY_LABELS, Describer
from planner.sharing.access import PAGES, editing_page
from views.ui import (
    EVENTS_SHOWN,
    ROWS_SHOWN,
    clock,
    conflict_table,
    day_text,
    draft,
    draft_conflicts,
    lang,
    md,
    role,
    rule_titles,
    span_text,
    t,
)

st.title(t("Conflicts", "Konflikte"))

# Any role may check a plan file here: bounded, so that no file can take the server's memory
# (a plan of copies of one event has as many conflicts as pairs of copies). A city's plan of
# 50,000 events is about 15 MB; larger plans are checked with python -m planner check.
UPLOAD_MB = 20
UPLOAD_CONFLICTS = 50_000


def checked_upload(upload) -> tuple:
    """(plan, conflicts) of an uploaded plan file, read and checked once per upload: a file
    refused once (PlanError) is refused again without being read again."""
    done = st.session_state.get("checked-upload")
    if done is None or done[0] != upload.file_id:
        try:
            data = upload.getvalue()
            if len(data) > UPLOAD_MB * 2**20:  # the uploader says so too; this is what counts
                raise PlanError(
                    "", t(f"{upload.name} is larger than {UPLOAD_MB} MB", f"{upload.name} ist größer als {UPLOAD_MB} MB")
                )
            plan = plan_from_bytes(data, upload.name)
            done = (upload.file_id, (plan, check(plan, limit=UPLOAD_CONFLICTS, pile_up=PAGE_PILE_UP)))
        except PlanError as error:
            done = (upload.file_id, error)
        st.session_state["checked-upload"] = done
    if isinstance(done[1], PlanError):
        raise done[1]
    return done[1]


upload = st.sidebar.file_uploader(
    t("Check your own plan (dortbunt-plan/1 JSON)", "Eigenen Plan prüfen (dortbunt-plan/1 JSON)"),
    type=["json"],
    max_upload_size=UPLOAD_MB,
)
try:
    plan, conflicts = checked_upload(upload) if upload else (draft(), draft_conflicts())
except PlanError as error:
    st.error(t("The plan is invalid", "Der Plan ist ungültig") + ": " + md(str(error)))
    st.stop()
wall = clock(plan)

source = t("uploaded file", "hochgeladene Datei") if upload else t("draft in the database", "Entwurf in der Datenbank")
st.caption(md(plan.name) + f" ({source}) · {len(plan.events)} {t('events', 'Termine')} · {plan.timezone}")
errors = summary(conflicts)["errors"]
left, right = st.columns(2)
left.metric(t("Errors", "Fehler"), errors)
right.metric(t("Warnings", "Warnungen"), len(conflicts) - errors)
if not conflicts:
    st.success(t("No conflicts.", "Keine Konflikte."))
    st.stop()

events = {e.id: e for e in plan.events}
DAY, RESOURCE = t("Day", "Tag"), t("Concerns", "Betrifft")
SEVERITY, RULE, MESSAGE = t("Severity", "Schwere"), t("Rule", "Regel"), t("Message", "Meldung")

# The filters work on the cheap columns of every conflict; messages are written only for the
# rows shown, at most ROWS_SHOWN (a plan may hold 100,000 conflicts: the page stays fast).
found = facets(plan, conflicts)
offered = choices(conflicts, found)
labels, titles = SEVERITY_LABELS[lang()], rule_titles()
table = conflict_table(plan, conflicts, messages=False)
table[DAY] = list(found.days)
table[RESOURCE] = list(found.concerns)
left, middle = st.columns(2)
severities = left.multiselect(SEVERITY, list(labels.values()), default=list(labels.values()))
rules = middle.multiselect(RULE, sorted({titles[r] for r in offered.rules}))
left, middle = st.columns(2)
days = left.multiselect(DAY, offered.days, format_func=day_text)
resource = middle.selectbox(RESOURCE, [""] + offered.concerns, format_func=lambda r: r or t("all", "alle"))
# The pickers show severities and rules in the session's language; the filter takes their ids.
wanted = ConflictFilter(
    frozenset(s for s, label in labels.items() if label in severities),
    frozenset(r for r, title in titles.items() if title in rules),
    frozenset(days),
    resource,
)
positions = matching(conflicts, found, wanted)
matched = len(positions)
shown = table.iloc[positions[:ROWS_SHOWN]].copy()
shown[DAY] = [day_text(d) for d in shown[DAY]]
describer = Describer(plan, lang())
shown[MESSAGE] = [describer.describe(conflicts[i]) for i in shown.index]
st.caption(
    t(f"{len(shown)} of {len(table)} shown.", f"{len(shown)} von {len(table)} angezeigt.")
    + (
        t(
            f" The first {ROWS_SHOWN:,} of {matched:,} that match: narrow the filters to see the others.",
            f" Die ersten {ROWS_SHOWN:,} von {matched:,} passenden: Filter enger wählen, um die anderen zu sehen.".replace(
                ",", "."
            ),
        )
        if matched > ROWS_SHOWN
        else ""
    )
)
picked = st.dataframe(
    shown,
    hide_index=True,
    width="stretch",
    on_select="rerun",
    selection_mode="single-row",
    column_order=[SEVERITY, MESSAGE, RULE, DAY, RESOURCE, t("Events", "Termine")],
    column_config={MESSAGE: st.column_config.TextColumn(width="large")},
)
rows = picked.selection.rows if picked else []
if not rows:
    st.caption(
        t(
            "Select a row to read the whole message and open its events.",
            "Zeile wählen, um die ganze Meldung zu lesen und ihre Termine zu öffnen.",
        )
    )
    st.stop()

conflict = conflicts[shown.index[rows[0]]]
# Plain text: titles come from users and must not be read as Markdown.
st.text(shown.iloc[rows[0]][MESSAGE])
if upload:
    st.stop()
if len(conflict.events) > EVENTS_SHOWN:
    st.caption(
        t(
            f"The first {EVENTS_SHOWN} of its {len(conflict.events):,} events:",
            f"Die ersten {EVENTS_SHOWN} seiner {len(conflict.events):,} Termine:".replace(",", "."),
        )
    )
for event_id in conflict.events[:EVENTS_SHOWN]:
    event = events[event_id]
    page = editing_page(event)
    target = page and f"views/{page}.py"
    label = f"{day_text(wall.local_date(event.start))} {span_text(plan, event.start, event.end)} {event.title}"
    if page and role() in PAGES[page]:
        if st.button(t("Open ", "Öffnen: ") + md(label), key=f"open-{event_id}"):  # labels render Markdown
            st.session_state["focus_event"] = event_id
            st.switch_page(target)
    else:
        st.text(label)
