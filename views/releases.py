"""Releases, shared by the Overview and Admin pages: what guests see now, what changed in the
draft since, and publishing the draft as the next release."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from planner.exports.change_notices import describe_change
from planner.plan.model import Plan
from planner.rules.engine import summary
from views.ui import allowed, draft_conflicts, editor, lang, md, moment_text, pending_changes, release_changes, save, store, t


def release_status(plan: Plan) -> None:
    """The latest release and the draft's changes since."""
    releases = store().releases()
    if releases:
        latest = releases[-1]
        st.write(
            md(
                t(
                    f"Guests see release {latest.number}, published {moment_text(plan, latest.created_at)} "
                    f"by {latest.created_by}.",
                    f"Gäste sehen Veröffentlichung {latest.number} vom {moment_text(plan, latest.created_at)} "
                    f"({latest.created_by}).",
                )
            )
        )
    else:
        st.write(
            t("Nothing is published yet: guests see no programme.", "Noch nichts veröffentlicht: Gäste sehen kein Programm.")
        )
    pending = pending_changes()
    if pending:
        with st.expander(
            t(
                f"{len(pending)} change(s) in the draft not yet published",
                f"{len(pending)} Änderung(en) im Entwurf noch nicht veröffentlicht",
            )
        ):
            for change in pending[:200]:
                st.text(describe_change(change, plan, lang()))
            if len(pending) > 200:
                st.caption(t(f"… and {len(pending) - 200} more.", f"… und {len(pending) - 200} weitere."))
    else:
        st.caption(t("The draft has no unpublished changes.", "Der Entwurf hat keine unveröffentlichten Änderungen."))
    if allowed("publish"):
        if releases and not pending:
            st.caption(
                t("Publishing again would change nothing for guests.", "Erneutes Veröffentlichen änderte für Gäste nichts.")
            )
            return
        errors = summary(draft_conflicts())["errors"]
        if errors:
            st.warning(
                t(
                    f"The draft still has {errors} error(s) (see Conflicts); guests would see that programme.",
                    f"Der Entwurf hat noch {errors} Fehler (siehe Konflikte); Gäste sähen dieses Programm.",
                )
            )
        with st.form("publish", clear_on_submit=True):
            comment = st.text_input(t("What changed (for the record)", "Was sich geändert hat (fürs Protokoll)"))
            if st.form_submit_button(t("Publish the draft", "Entwurf veröffentlichen"), type="primary"):
                number = save(lambda: editor().publish(comment), t("Published.", "Veröffentlicht."))
                if number is not None:
                    st.session_state["flash"] = t(
                        f"Published release {number}: guests and subscribed calendars now see it.",
                        f"Veröffentlichung {number}: Gäste und abonnierte Kalender sehen sie jetzt.",
                    )
                    st.rerun()


def releases_section(plan: Plan) -> None:
    """Status and publishing, every release, and the changes between two releases."""
    release_status(plan)
    releases = store().releases()
    if not releases:
        return
    st.dataframe(
        pd.DataFrame(
            {
                "Nr.": [r.number for r in releases],
                t("Published", "Veröffentlicht"): [moment_text(plan, r.created_at) for r in releases],
                t("By", "Von"): [r.created_by for r in releases],
                t("Comment", "Kommentar"): [r.comment for r in releases],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    numbers = [r.number for r in releases]
    chosen = st.selectbox(t("Changes in release", "Änderungen in Veröffentlichung"), numbers[::-1], key="release-changes")
    released, changes = release_changes(chosen, next(r.created_at for r in releases if r.number == chosen))
    if changes:
        for change in changes[:300]:
            st.text(describe_change(change, released, lang()))
    else:
        st.caption(t("No changes against the release before.", "Keine Änderungen gegenüber der vorigen Veröffentlichung."))
