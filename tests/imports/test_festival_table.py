"""The Festival page's slot table against colleagues saving at the same moment and against
hand-made widget state: each slot's version comes from the same read as the values the table
shows, a save sends only the cells someone changed, another's change to the same slot is
refused with the stale message, and a table editor state no browser sends is refused plainly
(planner/imports/festival_programme.py `table_changes`, `editor_state_problem`; views/festival.py)."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from support.pages import buttons, open_page, ran, session
from support.paths import DATA

from planner import load_plan
from planner.imports.festival_programme import editor_state_problem, slot_rows, table_changes
from planner.storage import PlanStore

SAMPLE = load_plan(DATA / "dortbunt-2027.json")


def slot_table(app):
    return next(d for d in app.dataframe if d.editing_mode == "dynamic")


def edit(app, table, edited_rows=None, added_rows=(), deleted_rows=()):
    app.session_state[table.key] = {
        "edited_rows": edited_rows or {},
        "added_rows": list(added_rows),
        "deleted_rows": list(deleted_rows),
    }
    return ran(app)


def save_table(app):
    next(b for b in app.button if b.label == "Save the table").click()
    return ran(app)


def organisers_updates(store: PlanStore, event_id: str) -> list:
    return [a for a in store.audit("event", event_id) if a.user == "organiser-user"]


# -- saves of others -------------------------------------------------------------------------


def test_a_save_landing_between_the_draft_and_the_table_read_is_shown_with_its_version(store, monkeypatch):
    """The page's draft is read first and the table's slots a moment later: a save in between
    used to give the table the old title with the new version, so that the next save overwrote
    the other edit unwarned. Now the table shows what the version it saves against holds."""
    app = session(store, "organiser")
    first = slot_table(open_page(app, "festival")).value.iloc[0]["id"]
    real_load = PlanStore.load_plan
    landed = []

    def load_then_someone_saves(self):
        plan = real_load(self)
        if not landed:  # once, right after the page's draft was read
            version = self.event(first)[1]
            self.update_event(first, {"title": "Theirs"}, expected_version=version, user="bert")
            landed.append(True)
        return plan

    monkeypatch.setattr(PlanStore, "load_plan", load_then_someone_saves)
    store.create_feed_token("person", "ob", user="other")  # a new revision: the next run reads the draft again
    open_page(app, "festival")
    assert landed
    table = slot_table(app)
    assert table.value.iloc[0]["title"] == "Theirs"  # the user sees the change they would overwrite
    edit(app, table, {0: {"status": "tentative"}})
    save_table(app)
    assert "Saved the festival programme." in [s.value for s in app.success]
    saved = store.event(first)[0]
    assert (saved.title, saved.status) == ("Theirs", "tentative")
    assert organisers_updates(store, first)[0].before["title"] == "Theirs"


def test_a_save_landing_between_the_read_and_the_edit_is_refused(store):
    app = session(store, "organiser")
    table = slot_table(open_page(app, "festival"))
    first = table.value.iloc[0]["id"]
    _, version = store.event(first)
    store.update_event(first, {"title": "Theirs"}, expected_version=version, user="bert")
    edit(app, table, {0: {"title": "Mine"}})  # typed into the table as it was read, before bert's save
    assert any(i.value == "Unsaved: 0 new, 1 changed, 0 removed." for i in app.info)
    save_table(app)
    assert app.error and app.error[0].value.startswith("Someone else was faster: ") and "bert" in app.error[0].value
    after, now = store.event(first)
    assert (after.title, now) == ("Theirs", version + 1)
    assert not organisers_updates(store, first)


# -- only what was changed is sent -------------------------------------------------------------


def test_an_untouched_row_with_a_trailing_space_title_is_not_sent(store):
    app = session(store, "organiser")
    table = slot_table(open_page(app, "festival"))
    spaced, other = table.value.iloc[1]["id"], table.value.iloc[0]["id"]
    slot, version = store.event(spaced)
    store.update_event(spaced, {"title": slot.title + " "}, expected_version=version, user="protocol-desk")
    spaced_before = store.event(spaced)
    app = ran(app)  # the table is read again on every run without pending edits
    table = slot_table(app)
    assert table.value.iloc[1]["title"] == slot.title + " "
    edit(app, table, {0: {"title": "Renamed"}})
    assert any(i.value == "Unsaved: 0 new, 1 changed, 0 removed." for i in app.info)
    save_table(app)
    assert "Saved the festival programme." in [s.value for s in app.success]
    assert store.event(spaced) == spaced_before  # same title, same version
    assert not organisers_updates(store, spaced)
    assert [a.after["title"] for a in organisers_updates(store, other)] == ["Renamed"]


def shown_table(titles: dict[str, str] | None = None):
    slots = sorted((e for e in SAMPLE.events if e.kind == "festival_slot" and not e.people), key=lambda e: (e.start, e.id))[:5]
    table = slot_rows(SAMPLE, slots)
    for row, title in (titles or {}).items():
        table.loc[row, "title"] = title
    return table


def test_table_changes_send_only_touched_rows_and_changed_fields():
    before = shown_table({0: "Trailing ", 1: " leading"})
    after = before.copy()
    after.loc[2, "title"] = "Renamed "  # typed with a space: taken without it
    after.at[3, "status"] = "tentative"
    after.at[4, "start"] = after.at[4, "start"]  # set to what it was: untouched
    added, changed, removed = table_changes(SAMPLE, before, after)
    assert (added, removed) == ([], set())
    assert changed == {before.loc[2, "id"]: {"title": "Renamed"}, before.loc[3, "id"]: {"status": "tentative"}}


def test_a_title_typed_back_to_what_it_showed_or_only_trimmed_is_not_sent():
    before = shown_table({0: "Trailing"})
    after = before.copy()
    after.loc[0, "title"] = "Trailing "  # the cell changed, the title it makes did not
    assert table_changes(SAMPLE, before, after) == ([], {}, set())


def test_moving_the_start_past_the_end_sends_both_and_an_end_alone_only_the_end():
    before = shown_table()
    after = before.copy()
    after.at[0, "end"] = time(23, 0)
    after.at[1, "start"] = time(23, 30)  # after its end: the end is now after midnight
    _, changed, _ = table_changes(SAMPLE, before, after)
    assert set(changed[before.loc[0, "id"]]) == {"end"}
    assert set(changed[before.loc[1, "id"]]) == {"start", "end"}
    next_day = before.loc[1, "day"] + timedelta(days=1)
    assert changed[before.loc[1, "id"]]["end"] == f"{next_day.isoformat()}T{before.loc[1, 'end']:%H:%M}"


# -- widget state no browser sends -------------------------------------------------------------


FORGED = {
    "a row beyond the table": {"edited_rows": {999: {"title": "x"}}},
    "a negative row": {"edited_rows": {-1: {"title": "x"}}},
    "the id column": {"edited_rows": {0: {"id": "gb-amiens"}}},
    "an unknown column": {"edited_rows": {0: {"notes": "x"}}},
    "a list for a title": {"edited_rows": {0: {"title": ["x"]}}},
    "a dict for performers": {"edited_rows": {0: {"performers": {"ob": 1}}}},
    "numbers among performers": {"edited_rows": {0: {"performers": [1, 2]}}},
    "text for public": {"edited_rows": {0: {"public": "yes"}}},
    "a number for a day": {"edited_rows": {0: {"day": 20270507}}},
    "a row of no cells": {"edited_rows": {0: "title"}},
    "a deletion beyond the table": {"deleted_rows": [999]},
    "a deletion twice": {"deleted_rows": [0, 0]},
    "text as a deletion": {"deleted_rows": ["0"]},
    "an added row with an id": {"added_rows": [{"id": "slot-friedensplatz-fri-1700", "title": "x"}]},
    "added rows not a list": {"added_rows": {"0": {"title": "x"}}},
    "an unknown part": {"edited_rows": {}, "selected": [0]},
}


@pytest.mark.parametrize("state", FORGED.values(), ids=FORGED.keys())
def test_forged_table_state_is_refused_by_its_check(state):
    assert editor_state_problem(state, 5)


def test_the_states_a_browser_sends_pass():
    assert editor_state_problem(None, 0) is None
    assert editor_state_problem({"edited_rows": {}, "added_rows": [], "deleted_rows": []}, 0) is None
    assert (
        editor_state_problem(
            {
                "edited_rows": {
                    0: {
                        "title": "x",
                        "stage": "hansaplatz",
                        "day": "2027-05-08",
                        "start": "19:30:00.000",
                        "end": None,
                        "performers": ["perf-dj"],
                        "public": True,
                        "status": "tentative",
                    }
                },
                "added_rows": [{"title": "New", "stage": "alter-markt", "_index": 5}],
                "deleted_rows": [4, 1],
            },
            5,
        )
        is None
    )


@pytest.mark.parametrize("who", ["organiser", "viewer"])
@pytest.mark.parametrize(
    "state",
    [
        FORGED["a row beyond the table"],
        FORGED["the id column"],
        FORGED["a deletion beyond the table"],
        FORGED["a dict for performers"],
    ],
    ids=["row beyond", "id column", "deletion beyond", "dict performers"],
)
def test_the_festival_page_refuses_forged_table_state_plainly(store, who, state):
    app = session(store, who)
    open_page(app, "festival")
    table = next(d for d in app.dataframe if d.editing_mode != "read_only")
    before = (store.revision(), store.export_document())
    app.session_state[table.key] = {"edited_rows": {}, "added_rows": [], "deleted_rows": [], **state}
    app.run()
    assert not app.exception
    errors = [e.value for e in app.error]
    assert len(errors) == 1 and errors[0].startswith("The changes to the table were refused and nothing was saved")
    assert "Traceback" not in errors[0] and ".py" not in errors[0]
    assert "Save the table" not in buttons(app)
    assert (store.revision(), store.export_document()) == before
    if who == "organiser":  # a fresh table, which takes a real edit again
        table = slot_table(app)
        first = table.value.iloc[0]["id"]
        edit(app, table, {0: {"title": "After the refusal"}})
        save_table(app)
        assert store.event(first)[0].title == "After the refusal"
