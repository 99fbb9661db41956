"""Stored script injection, in real headless Chromium: the hostile plan (tests/support/hostile.py: HTML,
script, Markdown, template and control-character payloads in every text field) is imported,
published and opened on every page, the guest page, map tooltips and plotly hovers, and in the
exported offline map and timeline pages. Nothing may run (``window.__xss`` stays unset, no
dialog), no element of a payload may exist, and the payloads must show as the text typed."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from support.appserver import running_app
from support.browser import launched_chromium
from support.hostile import ALL, GUEST, IMG, hostile_plan

from planner.exports.maps import conflicts_map, delegation_day_map, festival_map, standalone_html
from planner.plan.audiences import guest_plan

TIMEOUT = 30_000
PAGES = ["overview", "delegations", "golden_book", "festival", "timeline_map", "conflicts", "calendars", "admin"]
# Elements only a payload could make; Markdown a payload could start in a text the app renders.
PROBE = """() => {
  const main = document.querySelector('[data-testid=stMain]') || document.body;
  const markdown = [...main.querySelectorAll('[data-testid=stMarkdownContainer]')];
  const inMarkdown = (selector) => markdown.flatMap(m => [...m.querySelectorAll(selector)]);
  return {
    xss: window.__xss === undefined ? null : window.__xss,
    elements: document.querySelectorAll(
      'img[src=x], img[onerror], svg[onload], [onerror], [onload], a[href^="javascript" i], iframe, object, embed').length,
    scripts: [...document.querySelectorAll('script')].filter(s => /^\\s*window\\.__xss/.test(s.textContent)).length,
    markdown: [...inMarkdown('blockquote, li, .katex, [data-testid=stIconMaterial], img'),
               ...inMarkdown('h1, h2, h3, h4, h5, h6').filter(h => h.textContent.trim() === 'heading'),
               ...inMarkdown('a').filter(a => a.textContent === 'click'),
               ...inMarkdown('strong, em').filter(s => ['bold', 'i', 'x'].includes(s.textContent))]
      .map(e => e.outerHTML.slice(0, 120)),
    emoji: main.innerText.includes('\\u{1F604}'),
    text: document.body.textContent,
  };
}"""


def assert_inert(page, dialogs: list, where: str, *shown: str) -> str:
    """Nothing ran, no payload element, no Markdown from a payload; each of `shown` is on the
    page as text. Returns the page's text."""
    for text in shown:  # the page may still be drawing
        page.wait_for_function("text => document.body.textContent.includes(text)", arg=text, timeout=TIMEOUT)
    found = page.evaluate(PROBE)
    assert found["xss"] is None and dialogs == [], (where, found["xss"], dialogs)
    assert found["elements"] == 0 and found["scripts"] == 0, (where, found)
    assert found["markdown"] == [] and not found["emoji"], (where, found["markdown"])
    for text in shown:
        assert text in found["text"], (where, text)
    return found["text"]


def app_decks() -> dict:
    """The maps the Timeline and map page draws by default, by the name of their view."""
    from planner import check

    hostile = hostile_plan()
    first = min(hostile.events, key=lambda e: e.start)
    day = first.start.astimezone(ZoneInfo(hostile.timezone)).date()
    return {
        "Venues and conflicts": conflicts_map(hostile, check(hostile)),
        "A delegation's day": delegation_day_map(hostile, next(iter(hostile.delegations)), day),
        "Festival at a time": festival_map(hostile, datetime.combine(day, time(19, 0), ZoneInfo(hostile.timezone))),
    }


def settle(page) -> None:
    page.wait_for_timeout(400)
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=TIMEOUT)
    page.wait_for_timeout(300)
    exception = page.locator("[data-testid=stException], [data-testid=stAlertContentError]")
    assert exception.count() == 0, exception.first.inner_text()


def screen_points(deck, box: dict) -> list[tuple[float, float]]:
    """Where the deck's pickable points are drawn in `box` (web Mercator around the view's
    centre, deck.gl's 512 pixels per world at zoom 0)."""
    view = deck.initial_view_state
    scale = 512 * 2**view.zoom

    def world(lon: float, lat: float) -> tuple[float, float]:
        return (scale * (lon + 180) / 360, scale * (1 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2)

    middle = world(view.longitude, view.latitude)
    points = [point["position"] for layer in deck.layers if layer.type == "ScatterplotLayer" for point in layer.data]
    return [
        (box["x"] + box["width"] / 2 + x - middle[0], box["y"] + box["height"] / 2 + y - middle[1])
        for x, y in (world(*position) for position in points)
    ]


def hover_map(page, area, deck, wanted: int = 3) -> list[str]:
    """Hover the deck's points in the map `area` until `wanted` different tooltips showed; their texts."""
    area.scroll_into_view_if_needed()
    page.wait_for_timeout(600)
    seen: list[str] = []
    for x, y in screen_points(deck, area.bounding_box()):
        page.mouse.move(x, y)
        page.wait_for_timeout(120)
        for text in page.evaluate(
            "() => [...document.querySelectorAll('.deck-tooltip')]"
            ".filter(t => t.style.display !== 'none' && t.innerText.trim()).map(t => t.innerText)"
        ):
            if text not in seen:
                seen.append(text)
        if len(seen) >= wanted:
            break
    return seen


def hover_bars(page, count: int = 6) -> str:
    """Hover the first `count` bars of the plotly chart(s); the hover texts shown, joined."""
    texts = []
    bars = page.locator(".bars path, .point path")
    for index in range(min(count, bars.count())):
        bars.nth(index).hover(force=True)
        page.wait_for_timeout(120)
        texts.append(page.evaluate("() => [...document.querySelectorAll('.hoverlayer')].map(h => h.textContent).join(' ')"))
    return " ".join(texts)


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory):
    """The app over a database holding the hostile plan, published, and a guest link to it."""
    from planner.storage import PlanStore

    folder = tmp_path_factory.mktemp("hostile")
    store = PlanStore(f"sqlite:///{folder}/planner.db")
    store.import_plan(hostile_plan(), replace_existing=True)
    store.publish("hostile")
    _, token = store.create_feed_token("guest", GUEST)
    store.engine.dispose()
    with running_app(folder) as (base, _):
        yield base, token


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as launched:
        yield launched


def fresh_page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(("http://localhost", "data:", "blob:")) else route.abort()
        ),
    )
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    return page, dialogs


def open_option(page, label: str, option) -> None:
    """Choose in the select box `label` the option with that name (a pattern) or number."""
    box = page.get_by_role("combobox", name=label, exact=True).first
    box.scroll_into_view_if_needed()
    box.click()
    options = page.get_by_role("option")
    options.first.wait_for(timeout=TIMEOUT)
    (options.nth(option) if isinstance(option, int) else options.filter(has_text=option).first).click()
    settle(page)


def test_every_page_shows_hostile_text_as_text(hostile_app, browser):
    base, _ = hostile_app
    page, dialogs = fresh_page(browser)
    for name in PAGES:
        page.goto(f"{base}/{'' if name == 'overview' else name}")
        page.get_by_role("heading", level=1).first.wait_for(timeout=TIMEOUT)
        settle(page)
        assert_inert(page, dialogs, name, IMG)
        if name == "overview":
            assert_inert(page, dialogs, name, ALL)  # the plan's name, in the caption, whole
        elif name == "delegations":  # the hostile delegation, one of its events in the editor
            open_option(page, "Delegation", re.compile(r"\(FR\)$"))
            open_option(page, "Event", 1)
            assert page.get_by_role("textbox", name="Title").first.input_value() == ALL
            assert_inert(page, dialogs, name, ALL)
        elif name == "golden_book":
            open_option(page, "Signing", 1)
            assert_inert(page, dialogs, name, ALL)
        elif name == "timeline_map":
            hovers = hover_bars(page)
            assert IMG in hovers, hovers
            ticks = page.evaluate("() => [...document.querySelectorAll('.ytick text')].map(t => t.textContent)")
            assert "%{x} %{y} %{hovertext} <b>bold</b> <br> <i>i</i>" in ticks, ticks
            assert page.locator(".main-svg a, .main-svg b").count() == 0  # plotly made no tags of names
            for view, deck in app_decks().items():
                page.get_by_text(view, exact=True).click()
                settle(page)
                tips = hover_map(page, page.locator("[data-testid=stDeckGlJsonChart]").first, deck, 2)
                assert len(tips) == 2, (view, tips)
                assert_inert(page, dialogs, f"{name} map {view}")
        elif name == "conflicts":
            grid = page.locator("[data-testid=stDataFrame]").first
            box = grid.bounding_box()
            for _ in range(4):  # the grid is a canvas: click its first row until it is selected
                if page.get_by_role("button", name=re.compile("^Open ")).count():
                    break
                page.mouse.click(box["x"] + 15, box["y"] + 52)
                settle(page)
            assert page.get_by_role("button", name=re.compile("^Open ")).count()
            assert_inert(page, dialogs, name)
        elif name == "admin":
            for tab in ("Releases", "Audit log"):
                page.get_by_role("tab", name=tab).click()
                settle(page)
                assert_inert(page, dialogs, f"{name} {tab}")
    page.context.close()


def test_guest_page_shows_hostile_text_as_text(hostile_app, browser):
    base, token = hostile_app
    page, dialogs = fresh_page(browser)
    page.goto(f"{base}/?g={token}")
    page.get_by_role("heading", level=1).first.wait_for(timeout=TIMEOUT)
    settle(page)
    text = assert_inert(page, dialogs, "guest", ALL)
    assert f"Welcome, delegation of {ALL}!" in text
    guest = guest_plan(hostile_plan(), GUEST)
    deck = delegation_day_map(guest, GUEST, date(2027, 5, 7))
    tips = hover_map(page, page.locator("[data-testid=stDeckGlJsonChart]").first, deck, 2)
    assert any(ALL in tip for tip in tips), tips
    assert_inert(page, dialogs, "guest map")
    page.context.close()


def test_exported_maps_and_timelines_run_nothing(tmp_path, browser):
    from planner import check
    from planner.exports.timelines import hours_figure, timeline_figure

    hostile = hostile_plan()
    conflicts = check(hostile)
    maps = {
        "venues": conflicts_map(hostile, conflicts),
        "day": delegation_day_map(hostile, GUEST, date(2027, 5, 7)),
        "festival": festival_map(hostile, datetime(2027, 5, 8, 17, 0, tzinfo=UTC)),
    }
    # The same pages as `python -m planner export-map` and `export-timeline` write.
    pages = {f"map-{key}": standalone_html(deck, hostile.name) for key, deck in maps.items()}
    for by in ("venue", "delegation", "person"):
        pages[f"timeline-{by}"] = timeline_figure(hostile, by, date(2027, 5, 8), conflicts).to_html(
            include_plotlyjs=True, full_html=True
        )
    pages["hours"] = hours_figure(hostile, "ob").to_html(include_plotlyjs=True, full_html=True)
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    blocked: list[str] = []
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(("file://", "data:", "blob:"))
            else (blocked.append(route.request.url), route.abort())
        ),
    )
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for key, html in pages.items():  # offline: nothing but the file itself
        path = tmp_path / f"{key}.html"
        path.write_text(html, encoding="utf-8")
        page.goto(path.as_uri())
        if key.startswith("map"):
            page.wait_for_selector("canvas", timeout=TIMEOUT)
            page.wait_for_timeout(800)
            tips = hover_map(page, page.locator("canvas").first, maps[key.removeprefix("map-")], 3)
            assert len(tips) == 3, (key, tips)
            shown = "\n".join(tips)
            assert "<img src=x" in shown or "{name}" in shown or "<script>" in shown, (key, tips)
        else:
            page.wait_for_selector("svg.main-svg", timeout=TIMEOUT)
            shown = hover_bars(page, 4)
            assert shown.strip(), key
        found = page.evaluate(PROBE)
        assert found["xss"] is None and found["elements"] == 0 and found["scripts"] == 0, (key, found)
        if key.startswith("map"):
            assert page.title() == hostile.name
    assert dialogs == [] and blocked == []
    context.close()
    # The data of each page is a script: no payload ends it.
    assert all("</script><script>window" not in html for html in pages.values())
