"""Maps and timelines: the data behind each layer, offline pages in a real browser with the
network cut off, and names that try to run script."""

import io
import subprocess
import sys
from datetime import UTC, date, datetime

import pytest
from support.browser import offline_page
from support.paths import DATA, ROOT
from support.plans import BASE, event, plan, venue

from planner import check, load_plan, parse_plan
from planner.exports.maps import (
    conflicts_map,
    day_stops,
    delegation_day_map,
    festival_map,
    stage_status,
    standalone_html,
    venue_points,
    venues_map,
)
from planner.exports.timelines import hours_per_day, timeline_figure, timeline_rows

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def sample():
    return load_plan(DATA / "dortbunt-2027.json")


def test_day_stops_in_time_order_with_travel_minutes(sample):
    stops = day_stops(sample, "amiens", date(2027, 5, 7))
    assert [s.number for s in stops] == list(range(1, len(stops) + 1))
    assert [s.event.start for s in stops] == sorted(s.event.start for s in stops)
    assert stops[0].travel_minutes is None and stops[0].venue.id == "hbf"
    # Hbf → hotel has an explicit travel entry of 10 minutes in the sample plan.
    assert (stops[1].venue.id, stops[1].travel_minutes) == ("hotel-hbf", 10)
    from planner.plan.travel import TravelTimes

    times = TravelTimes(sample)
    for before, after in zip(stops, stops[1:]):
        assert after.travel_minutes == times.minutes(before.venue.id, after.venue.id)


def test_stage_status_now_and_next(sample):
    moment = datetime(2027, 5, 8, 12, 30, tzinfo=UTC)  # 14:30 in Dortmund
    rows = {r["venue"].id: r for r in stage_status(sample, moment)}
    for row in rows.values():
        assert all(e.start <= moment < e.end for e in row["now"])
        if row["next"] is not None:
            assert row["next"].start > moment
    on_now = {v for v, r in rows.items() if r["now"]}
    expected = {e.venue for e in sample.events if e.status != "cancelled" and e.start <= moment < e.end and e.venue in rows}
    assert on_now == expected and len(on_now) >= 5


def test_venue_points_mark_conflicts_and_escape_names():
    venues = BASE["venues"] + [venue("bad", name=XSS, address="<script>x</script>", capacity=50)]
    doc = plan(
        event("a", "2027-05-07T10:00", "2027-05-07T11:00", venue="bad", title="<b>t</b>"),
        event("b", "2027-05-07T10:30", "2027-05-07T11:00", venue="bad"),
        venues=venues,
    )
    p = parse_plan(doc)
    points = {pt["label"]: pt for pt in venue_points(p, conflicts=check(p))}
    bad = points[XSS]
    assert bad["name"] == "&lt;img src=x onerror=alert(1)&gt;" and "<" not in bad["address"]
    assert bad["colour"] == [220, 0, 0] and bad["conflicts"] == "1 conflict(s)"
    assert "&lt;b&gt;t&lt;/b&gt;" in bad["next"]
    assert points["Rathaus Dortmund"]["colour"] != [220, 0, 0]


def test_timeline_rows_mark_conflicts_with_messages(sample):
    conflicts = check(sample)
    rows = timeline_rows(sample, "venue", date(2027, 5, 8), conflicts)
    flagged = {r["event"] for r in rows if r["conflict"]}
    in_conflicts = {e for c in conflicts for e in c.events}
    assert flagged <= in_conflicts and "tour-zollern" in flagged
    zollern = next(r for r in rows if r["event"] == "tour-zollern")
    assert "⚠" in zollern["hover"] and "room for 170" in zollern["hover"]
    assert all(r["start"].date() <= date(2027, 5, 8) <= r["end"].date() for r in rows)
    by_person = timeline_rows(sample, "person")
    assert {r["group"] for r in by_person} >= {"Lord Mayor"}


def test_hours_per_day_merges_overlaps():
    doc = plan(
        event("a", "2027-05-07T10:00", "2027-05-07T12:00", people=["ob"]),
        event("b", "2027-05-07T11:00", "2027-05-07T13:00", people=["ob"], venue="rathaus"),
        event("c", "2027-05-07T23:00", "2027-05-08T01:30", people=["ob"]),
        event("d", "2027-05-08T09:00", "2027-05-08T10:00", people=["ob"], status="cancelled"),
    )
    assert hours_per_day(parse_plan(doc), "ob") == [(date(2027, 5, 7), 4.0), (date(2027, 5, 8), 1.5)]


def test_timeline_hover_is_escaped():
    doc = plan(event("a", "2027-05-07T10:00", "2027-05-07T11:00", title=XSS))
    figure = timeline_figure(parse_plan(doc))
    assert XSS not in figure.to_json() and "&lt;img" in figure.data[0].hovertext[0]


# -- in a real browser, offline --------------------------------------------------------------------


def _canvas_is_drawn(page) -> bool:
    from PIL import Image

    shot = Image.open(io.BytesIO(page.screenshot())).convert("L")
    histogram = shot.histogram()
    return max(histogram) < 0.995 * sum(histogram)  # not one flat colour


@pytest.mark.parametrize(
    "args", [[], ["--delegation", "amiens"], ["--delegation", "leeds", "--day", "2027-05-08"], ["--festival", "2027-05-08T19:00"]]
)
def test_exported_map_draws_with_the_network_cut_off(tmp_path, args):
    out = tmp_path / "map.html"
    result = subprocess.run(
        [sys.executable, "-m", "planner", "export-map", str(DATA / "dortbunt-2027.json"), *args, "-o", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    with offline_page() as (page, blocked, dialogs):
        page.goto(out.as_uri())
        page.wait_for_selector("canvas", timeout=30000)
        page.wait_for_timeout(1500)
        assert page.evaluate("document.querySelectorAll('canvas').length") >= 1
        assert _canvas_is_drawn(page)
        assert blocked == [] and dialogs == []


@pytest.mark.parametrize("name", [XSS, "</script><img src=x onerror=alert(document.domain)>", "<!--<script>alert(1)</script>"])
def test_xss_venue_name_runs_nothing(tmp_path, name):
    venues = [venue("bad", name=name, address=name, lat=51.5136, lon=7.4653, capacity=5000, kind="stage")]
    doc = plan(event("a", "2027-05-07T10:00", "2027-05-07T11:00", venue="bad", title=name), venues=venues)
    p = parse_plan(doc)
    for deck in (
        venues_map(p),
        festival_map(p, datetime(2027, 5, 7, 8, 30, tzinfo=UTC)),
        delegation_day_map(p, "amiens", date(2027, 5, 7)),
        conflicts_map(p, check(p)),
    ):
        path = tmp_path / "xss.html"
        path.write_text(standalone_html(deck), encoding="utf-8")
        with offline_page() as (page, blocked, dialogs):
            page.goto(path.as_uri())
            page.wait_for_selector("canvas", timeout=30000)
            page.wait_for_timeout(1200)
            # The only venue sits in the middle of the view: hovering there shows its tooltip.
            page.mouse.move(550, 400)
            page.wait_for_timeout(600)
            page.mouse.move(552, 402)
            page.wait_for_timeout(600)
            assert dialogs == [] and blocked == []
            assert page.evaluate("document.querySelectorAll('img').length") == 0


def test_map_tooltip_shows_the_escaped_name_as_text(tmp_path):
    venues = [venue("bad", name=XSS, lat=51.5136, lon=7.4653, capacity=5000, kind="stage")]
    p = parse_plan(plan(venues=venues))
    path = tmp_path / "tip.html"
    path.write_text(standalone_html(venues_map(p)), encoding="utf-8")
    with offline_page() as (page, blocked, dialogs):
        page.goto(path.as_uri())
        page.wait_for_selector("canvas", timeout=30000)
        page.wait_for_timeout(1200)
        page.mouse.move(550, 400)
        page.wait_for_timeout(800)
        assert XSS in page.inner_text("body")
        assert dialogs == []


@pytest.mark.parametrize(
    "args", [["--by", "venue", "--day", "2027-05-08"], ["--by", "person", "--lang", "de"], ["--hours", "ob"]]
)
def test_exported_timeline_draws_offline(tmp_path, args):
    out = tmp_path / "timeline.html"
    result = subprocess.run(
        [sys.executable, "-m", "planner", "export-timeline", str(DATA / "dortbunt-2027.json"), *args, "-o", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    with offline_page() as (page, blocked, dialogs):
        page.goto(out.as_uri())
        page.wait_for_selector("svg.main-svg", timeout=30000)
        bars = page.evaluate("document.querySelectorAll('.point path, .bars path').length")
        assert bars > 0 and blocked == [] and dialogs == []
