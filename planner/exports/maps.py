"""Maps (pydeck) of the venues, a delegation's day, the festival at a moment and the conflicts,
for the app and for standalone pages that work without any network.

Every name, title and address that reaches a tooltip shows as text: in the app as a plain-text
tooltip, in standalone pages HTML-escaped (pydeck's page renders tooltips as HTML, and a venue
called ``<img src=x onerror=alert(1)>`` must show as text).
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pydeck as pdk

from planner.errors import PlanError
from planner.plan.clock import WallClock, zone_named
from planner.plan.model import Event, Plan, Venue
from planner.plan.travel import TravelTimes
from planner.rules.engine import Conflict

KIND_COLOURS = {
    "city_hall": [200, 30, 45],
    "stage": [230, 120, 0],
    "square": [240, 170, 0],
    "museum": [60, 110, 200],
    "hotel": [120, 80, 170],
    "station": [40, 40, 40],
    "airport": [40, 40, 40],
    "park": [40, 150, 70],
    "stadium": [230, 200, 0],
    "church": [140, 100, 60],
    "restaurant": [200, 90, 140],
    "office": [100, 100, 100],
    "other": [120, 120, 120],
}
#: A glyph per kind, drawn on the venue's dot (fonts on every system have these).
KIND_ICONS = {
    "city_hall": "★",
    "stage": "♪",
    "square": "◆",
    "museum": "M",
    "hotel": "H",
    "station": "S",
    "airport": "✈",
    "park": "♣",
    "stadium": "◎",
    "church": "✝",
    "restaurant": "R",
    "office": "O",
    "other": "•",
}
TILE = 512  # deck.gl's pixels per 360° of longitude at zoom 0
ON_NOW, EMPTY, CLASH = [230, 60, 30], [170, 170, 170], [220, 0, 0]


# Besides HTML: "{" and "}" would be tooltip placeholders (pydeck fills "{name}" in turn, so a
# name holding "{address}" would get the address), "$" a String.replace pattern ("$&", "$'")
# where Streamlit fills them in, and "@@" makes deck.gl's JSON reader take a string for code.
# Quotes as numbers: plotly reads no "&quot;".
_TEMPLATE_CHARACTERS = str.maketrans({"{": "&#123;", "}": "&#125;", "$": "&#36;", "@": "&#64;", '"': "&#34;", "'": "&#39;"})


def html_text(text: str) -> str:
    """User text for a tooltip or hover, which render HTML: escaped (tags, entities, template
    placeholders and replacement patterns), line breaks kept."""
    escaped = html.escape(text, quote=False).translate(_TEMPLATE_CHARACTERS)
    return escaped.replace("\r\n", "<br>").replace("\r", "<br>").replace("\n", "<br>")


def plain_label(text: str) -> str:
    """User text drawn by a TextLayer, as typed; only a leading "@@", which deck.gl's JSON
    reader would take for an expression ("@@=") or a constant ("@@#"), gets an invisible word
    joiner in front."""
    return "\u2060" + text if text.startswith("@@") else text


_escape = html_text


def _radius(venue: Venue) -> float:
    """Pixels: 6 for a small room up to about 22 for a stadium (grows with the logarithm of
    capacity, so that central stages a hundred metres apart stay apart)."""
    return 6 + 3.5 * math.log10(max(venue.capacity or 100, 1))


@dataclass
class Stop:
    """One stop of a delegation's day, in order, with the travel minutes from the stop before."""

    number: int
    event: Event
    venue: Venue
    travel_minutes: float | None


def _wall(plan: Plan) -> WallClock:
    return WallClock(zone_named(plan.timezone, "timezone"))


def _day_bounds(plan: Plan, day: date) -> tuple[datetime, datetime]:
    clock = _wall(plan)
    return clock.at(day, 0), clock.at(day + timedelta(days=1), 0)


def day_stops(plan: Plan, delegation_id: str, day: date) -> list[Stop]:
    """The delegation's live events with a venue on local `day`, in time order, numbered, with
    the travel minutes (the same travel model as the conflict check) from the previous stop."""
    if delegation_id not in plan.delegations:
        raise PlanError("", f"unknown delegation {delegation_id!r}")
    begins, ends = _day_bounds(plan, day)
    travel = TravelTimes(plan)
    events = sorted(
        (
            e
            for e in plan.events
            if delegation_id in e.delegations
            and e.status != "cancelled"
            and e.venue is not None
            and e.start < ends
            and e.end > begins
        ),
        key=lambda e: (e.start, e.end, e.id),
    )
    stops: list[Stop] = []
    for event in events:
        assert event.venue is not None  # only events at a venue were taken
        previous = stops[-1].venue.id if stops else None
        minutes = travel.minutes(previous, event.venue) if previous is not None else None
        stops.append(Stop(len(stops) + 1, event, plan.venues[event.venue], minutes))
    return stops


def stage_status(plan: Plan, moment: datetime) -> list[dict]:
    """For every stage (amplified venue or kind stage): what is on at `moment` and what next."""
    rows = []
    for venue in plan.venues.values():
        if not (venue.amplified or venue.kind == "stage"):
            continue
        here = sorted((e for e in plan.events if e.venue == venue.id and e.status != "cancelled"), key=lambda e: (e.start, e.id))
        now = [e for e in here if e.start <= moment < e.end]
        upcoming = [e for e in here if e.start > moment]
        rows.append({"venue": venue, "now": now, "next": upcoming[0] if upcoming else None})
    return rows


def _view(venues: list[Venue]) -> pdk.ViewState:
    """A view that fits the venues into a window of about 1000 × 700 pixels."""
    if not venues:
        return pdk.ViewState(latitude=51.5136, longitude=7.4653, zoom=12)
    lats, lons = [v.lat for v in venues], [v.lon for v in venues]
    lat, lon = (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2
    # deck.gl: 512 · 2^z pixels per 360° of longitude; a degree of latitude is 1/cos longer.
    width = max(max(lons) - min(lons), 0.004) * 1.4
    height = max(max(lats) - min(lats), 0.003) * 1.4 / math.cos(math.radians(lat))
    zoom = min(math.log2(1000 * 360 / TILE / width), math.log2(700 * 360 / TILE / height), 16)
    return pdk.ViewState(latitude=lat, longitude=lon, zoom=max(zoom, 2))


def _scale_bar(view: pdk.ViewState) -> list[pdk.Layer]:
    """A scale bar of a round length (about 100–250 px) near the lower left of the view, for
    orientation without map tiles."""
    pixels_per_km = TILE * 2**view.zoom / 360 / (111.32 * math.cos(math.radians(view.latitude)))
    km = next((k for k in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000) if k * pixels_per_km >= 100), 1000)
    degrees_per_pixel = 360 / (TILE * 2**view.zoom)
    start = [
        view.longitude - 420 * degrees_per_pixel,
        view.latitude - 300 * degrees_per_pixel * math.cos(math.radians(view.latitude)),
    ]
    end = [start[0] + km / (111.32 * math.cos(math.radians(view.latitude))), start[1]]
    label = f"{km * 1000:.0f} m" if km < 1 else f"{km:g} km"
    return [
        pdk.Layer("PathLayer", [{"path": [start, end]}], id="scale", get_path="path", get_color=[30, 30, 30], width_min_pixels=4),
        pdk.Layer(
            "TextLayer",
            [{"position": [(start[0] + end[0]) / 2, start[1]], "text": label}],
            id="scale-label",
            get_position="position",
            get_text="text",
            get_size=13,
            get_color=[30, 30, 30],
            get_pixel_offset=[0, -12],
        ),
    ]


_TIP_STYLE = {"backgroundColor": "white", "color": "black", "fontSize": "13px"}
_OWN_TAGS = re.compile(r"</?[bi]>")


def _add_tips(points: list[dict], template: str) -> None:
    """Give each point its tooltip twice: "tooltip_html", `template` filled with the point's
    escaped fields, for standalone pages (pydeck's page fills "{tooltip_html}" in as HTML), and
    "tooltip", the same as plain text, for Streamlit (which fills "{tooltip}" in as text)."""
    for point in points:
        point["tooltip_html"] = template.format_map(point)
        text = html.unescape(_OWN_TAGS.sub("", point["tooltip_html"].replace("<br>", "\n")))
        point["tooltip"] = plain_label(text)


def _deck(layers: list[pdk.Layer], view: pdk.ViewState) -> pdk.Deck:
    return pdk.Deck(
        layers=[*layers, *_scale_bar(view)],
        initial_view_state=view,
        map_provider=None,  # no tiles: works without a network; the app may add a base map
        map_style=None,
        tooltip={"text": "{tooltip}", "style": _TIP_STYLE},
    )


def _next_events(plan: Plan, venue_id: str, after: datetime | None, count: int = 3) -> str:
    clock = _wall(plan)
    upcoming = sorted(
        (e for e in plan.events if e.venue == venue_id and e.status != "cancelled" and (after is None or e.end > after)),
        key=lambda e: (e.start, e.id),
    )[:count]
    return "<br>".join(f"{clock.wall(e.start):%a %d.%m. %H:%M} {_escape(e.title)}" for e in upcoming)


def venue_points(plan: Plan, after: datetime | None = None, conflicts: list[Conflict] | None = None) -> list[dict]:
    """One point per venue with escaped tooltip texts, colour by kind (red where conflicts)."""
    clashing: dict[str, int] = {}
    for conflict in conflicts or []:
        if conflict.resource in plan.venues:
            clashing[conflict.resource] = clashing.get(conflict.resource, 0) + 1
    points = []
    for venue in plan.venues.values():
        count = clashing.get(venue.id, 0)
        points.append(
            {
                "position": [venue.lon, venue.lat],
                "label": plain_label(venue.name),
                "radius": _radius(venue),
                "colour": CLASH if count else KIND_COLOURS[venue.kind],
                "icon": KIND_ICONS[venue.kind],
                "name": _escape(venue.name),
                "address": _escape(venue.address),
                "kind": venue.kind,
                "next": _next_events(plan, venue.id, after),
                "conflicts": f"{count} conflict(s)" if count else "",
            }
        )
    return points


def venues_map(plan: Plan, after: datetime | None = None, conflicts: list[Conflict] | None = None) -> pdk.Deck:
    """All venues: colour by kind, size by capacity, labels, and a tooltip with name, address
    and the next events there; venues with conflicts in red when `conflicts` are given."""
    points = venue_points(plan, after, conflicts)
    _add_tips(points, "<b>{name}</b><br>{address}<br><i>{kind}</i><br>{conflicts}<br>{next}")
    layers = [
        pdk.Layer(
            "ScatterplotLayer",
            points,
            id="venues",
            get_position="position",
            get_radius="radius",
            radius_units='"pixels"',
            get_fill_color="colour",
            pickable=True,
            opacity=0.85,
            stroked=True,
            get_line_color=[255, 255, 255],
            line_width_min_pixels=1,
        ),
        pdk.Layer(
            "TextLayer",
            points,
            id="icons",
            get_position="position",
            get_text="icon",
            get_size=12,
            get_color=[255, 255, 255],
            character_set='"auto"',
        ),
        pdk.Layer(
            "TextLayer",
            points,
            id="labels",
            get_position="position",
            get_text="label",
            get_size=12,
            get_color=[20, 20, 20],
            get_pixel_offset=[0, 22],
            character_set='"auto"',
        ),
    ]
    return _deck(layers, _view(list(plan.venues.values())))


def conflicts_map(plan: Plan, conflicts: list[Conflict]) -> pdk.Deck:
    """Venues with their conflicts highlighted."""
    return venues_map(plan, conflicts=conflicts)


def delegation_day_map(plan: Plan, delegation_id: str, day: date) -> pdk.Deck:
    """A delegation's day as a route: numbered stops in time order, legs with travel minutes,
    the hotel and the arrival point marked."""
    stops = day_stops(plan, delegation_id, day)
    clock = _wall(plan)
    delegation = plan.delegations[delegation_id]
    # One point per venue: a venue visited twice shows both numbers ("2·4") and both events.
    by_venue: dict[str, dict] = {}
    for s in stops:
        point = by_venue.setdefault(
            s.venue.id,
            {
                "position": [s.venue.lon, s.venue.lat],
                "numbers": [],
                "visits": [],
                "name": _escape(s.venue.name),
                "address": _escape(s.venue.address),
            },
        )
        point["numbers"].append(str(s.number))
        point["visits"].append(
            f"{s.number}. {clock.wall(s.event.start):%H:%M}–{clock.wall(s.event.end):%H:%M} {_escape(s.event.title)}"
        )
    points = [{**p, "number": "·".join(p.pop("numbers")), "visits": "<br>".join(p["visits"])} for p in by_venue.values()]
    _add_tips(points, "<b>{name}</b><br>{address}<br>{visits}")
    legs = [
        {
            "path": [[a.venue.lon, a.venue.lat], [b.venue.lon, b.venue.lat]],
            "middle": [(a.venue.lon + b.venue.lon) / 2, (a.venue.lat + b.venue.lat) / 2],
            "text": f"{b.travel_minutes:.0f} min →",
            "angle": -math.degrees(math.atan2(b.venue.lat - a.venue.lat, b.venue.lon - a.venue.lon)),
        }
        for a, b in zip(stops, stops[1:])
        if a.venue.id != b.venue.id
    ]
    marks: list[dict] = []
    if delegation.hotel in plan.venues:
        hotel = plan.venues[delegation.hotel]
        marks.append({"position": [hotel.lon, hotel.lat], "text": "Hotel"})
    if stops and stops[0].event.kind == "transfer":
        marks.append({"position": points[0]["position"], "text": "Arrival"})
    layers = [
        pdk.Layer("PathLayer", legs, id="legs", get_path="path", get_color=[40, 90, 200], width_min_pixels=3),
        pdk.Layer(
            "TextLayer",
            legs,
            id="minutes",
            get_position="middle",
            get_text="text",
            get_size=13,
            get_color=[40, 90, 200],
            get_angle="angle",
            character_set='"auto"',
        ),
        pdk.Layer(
            "ScatterplotLayer",
            points,
            id="stops",
            get_position="position",
            get_radius=12,
            radius_units='"pixels"',
            get_fill_color=[40, 90, 200],
            pickable=True,
        ),
        pdk.Layer(
            "TextLayer", points, id="numbers", get_position="position", get_text="number", get_size=13, get_color=[255, 255, 255]
        ),
        pdk.Layer(
            "TextLayer",
            marks,
            id="marks",
            get_position="position",
            get_text="text",
            get_size=13,
            get_color=[120, 40, 150],
            get_pixel_offset=[0, -24],
        ),
    ]
    return _deck(layers, _view([s.venue for s in stops] or list(plan.venues.values())))


def festival_map(plan: Plan, moment: datetime) -> pdk.Deck:
    """Every stage at `moment`: what is on now and next; empty stages grey."""
    clock = _wall(plan)
    points = []
    for row in stage_status(plan, moment):
        venue: Venue = row["venue"]
        now = "; ".join(_escape(e.title) for e in row["now"])
        upcoming = row["next"]
        points.append(
            {
                "position": [venue.lon, venue.lat],
                "label": plain_label(venue.name),
                "radius": _radius(venue),
                "colour": ON_NOW if row["now"] else EMPTY,
                "name": _escape(venue.name),
                "now": now or "—",
                "next": f"{clock.wall(upcoming.start):%H:%M} {_escape(upcoming.title)}" if upcoming else "—",
            }
        )
    _add_tips(points, "<b>{name}</b><br>Now: {now}<br>Next: {next}")
    layers = [
        pdk.Layer(
            "ScatterplotLayer",
            points,
            id="stages",
            get_position="position",
            get_radius="radius",
            radius_units='"pixels"',
            get_fill_color="colour",
            pickable=True,
            opacity=0.9,
            stroked=True,
            get_line_color=[255, 255, 255],
            line_width_min_pixels=1,
        ),
        pdk.Layer(
            "TextLayer",
            points,
            id="labels",
            get_position="position",
            get_text="label",
            get_size=12,
            get_color=[20, 20, 20],
            get_pixel_offset=[0, 16],
            character_set='"auto"',
        ),
    ]
    return _deck(layers, _view([r["venue"] for r in stage_status(plan, moment)] or list(plan.venues.values())))


_REMOTE_TAG = re.compile(r"""<(?:script|link)\b[^>]*(?:src|href)=["']?https?://[^>]*>(?:</script>)?""", re.IGNORECASE)
_INLINE_BUNDLE = "<script type='text/javascript'>"


def standalone_html(deck: pdk.Deck, title: str = "DORTBUNT! planner") -> str:
    """A single HTML page of the map that needs no network: deck.gl inlined, no tiles, and the
    template's scripts and stylesheets from other servers (base-map libraries, fonts) left out.

    The deck's JSON goes into an inline script, so ``</`` and ``<!--`` in any name are written
    as ``<\\/`` and ``<\\!--`` (the same strings to JavaScript, no end of the script to HTML).
    """
    # pydeck's page fills the tooltip in as HTML: the escaped one.
    deck = pdk.Deck(
        layers=deck.layers,
        initial_view_state=deck.initial_view_state,
        map_provider=None,
        map_style=None,
        tooltip={"html": "{tooltip_html}", "style": _TIP_STYLE},
    )
    data = deck.to_json()
    safe = data.replace("</", "<\\/").replace("<!--", "<\\!--")
    page = deck.to_html(as_string=True, offline=True, notebook_display=False)
    cut = page.index(_INLINE_BUNDLE)
    end = page.index("</script>", cut) + len("</script>")
    head, bundle, tail = page[:cut], page[cut:end], page[end:]
    before, _, after = tail.partition(data)
    # Only the page's own tags are touched, never the bundle's text or the plan's data.
    head = _REMOTE_TAG.sub("", head).replace("<title>pydeck</title>", f"<title>{html.escape(title)}</title>")
    before, after = _REMOTE_TAG.sub("", before), _REMOTE_TAG.sub("", after)
    if re.search(r"""<(?:script|link|img)\b[^>]*(?:src|href)=["']?https?://""", head + before + after, re.IGNORECASE):
        raise RuntimeError("the map page still refers to another server")
    return head + bundle + before + safe + after


def first_day(plan: Plan, delegation_id: str | None = None) -> date:
    """The first local day with a (delegation's) live event, for maps without --day."""
    events = [e for e in plan.events if e.status != "cancelled" and (delegation_id is None or delegation_id in e.delegations)]
    if events:
        return _wall(plan).local_date(min(e.start for e in events))
    if delegation_id is not None:
        return first_day(plan)
    if plan.festival and plan.festival.start:
        return plan.festival.start
    raise PlanError("", "the plan has no events; give the day with --day")


__all__ = [
    "venues_map",
    "conflicts_map",
    "delegation_day_map",
    "festival_map",
    "standalone_html",
    "day_stops",
    "stage_status",
    "venue_points",
    "first_day",
]
