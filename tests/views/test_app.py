"""The app as a user meets it (Streamlit AppTest): it starts, shows the sample plan's conflicts,
speaks German on request, and checks an uploaded plan."""

import json
import re

from streamlit.testing.v1 import AppTest
from support.paths import DATA, ROOT
from support.plans import event, plan

from planner import load_plan
from planner.rules.report import check_document


def started(page: str | None = "conflicts") -> AppTest:
    app = AppTest.from_file(str(ROOT / "home.py"), default_timeout=60)
    app.run()
    assert not app.exception, app.exception
    if page:
        app.switch_page(str(ROOT / "views" / f"{page}.py")).run()
        assert not app.exception, app.exception
    return app


def test_app_shows_the_sample_plans_conflicts():
    app = started()
    expected = check_document(load_plan(DATA / "dortbunt-2027.json"))
    assert app.title[0].value == "Conflicts"
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics == {"Errors": str(expected["summary"]["errors"]), "Warnings": str(expected["summary"]["warnings"])}
    table = app.dataframe[0].value
    assert list(table["Message"]) == [c["message"] for c in expected["conflicts"]]


def test_app_in_german():
    app = started()
    app.sidebar.radio[0].set_value("de").run()
    assert not app.exception
    assert app.title[0].value == "Konflikte"
    assert {m.label for m in app.metric} == {"Fehler", "Warnungen"}
    assert any("überschneidet sich mit" in message for message in app.dataframe[0].value["Meldung"])


def test_filter_by_rule():
    app = started()
    app.multiselect[1].set_value(["Golden Book signed twice"]).run()
    shown = app.dataframe[0].value
    assert list(shown["Rule"]) == ["Golden Book signed twice"]


def test_uploaded_plan_is_checked_and_bad_upload_explained():
    app = started()
    clash = plan(
        event("a", "2027-05-07T14:00", "2027-05-07T14:30", venue="rathaus", title="Signing"),
        event("b", "2027-05-07T14:15", "2027-05-07T15:00", venue="rathaus", title="Reception"),
    )
    app.sidebar.file_uploader[0].set_value(("mine.json", json.dumps(clash).encode(), "application/json")).run()
    assert not app.exception
    assert {m.label: m.value for m in app.metric} == {"Errors": "1", "Warnings": "0"}
    clash["events"][1]["venue"] = "rathaus2"
    app.sidebar.file_uploader[0].set_value(("mine.json", json.dumps(clash).encode(), "application/json")).run()
    assert not app.exception
    # As shown: the path is Markdown-escaped so that "[1]" cannot start a link.
    assert re.sub(r"\\(.)", r"\1", app.error[0].value) == "The plan is invalid: events[1].venue: unknown venue 'rathaus2'"
    assert not app.metric


def test_without_accounts_this_machine_is_admin():
    app = started(None)
    assert app.title[0].value == "Overview"
    assert any("you are admin" in c.value for c in app.sidebar.caption)


def test_with_accounts_everyone_signs_in(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANNER_DB_URL", f"sqlite:///{tmp_path}/accounts.db")
    from planner.storage import PlanStore

    store = PlanStore()
    store.add_user("anna", "viewer", "correct horse battery")
    app = AppTest.from_file(str(ROOT / "home.py"), default_timeout=60)
    app.run()
    assert not app.exception and app.title[0].value == "Sign in" and not app.metric
    app.text_input[0].input("anna")
    app.text_input[1].input("wrong password!")
    app.button[0].click().run()
    assert app.error[0].value == "Wrong name or password." and not app.metric
    app.text_input[1].input("correct horse battery")
    app.button[0].click().run()
    assert not app.exception and app.title[0].value == "Overview"
    assert any(c.value == "anna (viewer)" for c in app.sidebar.caption)
    store.close()


def test_timeline_and_map_page():
    app = started("timeline_map")
    assert app.title[0].value == "Timeline and map"
    assert len(app.get("plotly_chart")) == 1 and len(app.get("deck_gl_json_chart")) == 1
    for view in ("delegation", "festival"):
        app.radio[1].set_value(view).run()
        assert not app.exception and len(app.get("deck_gl_json_chart")) == 1
    app.radio[0].set_value("person").run()
    assert not app.exception
