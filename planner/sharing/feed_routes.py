"""HTTP routes for subscribable calendars: /feeds/TOKEN.ics (a delegation's or a person's
secret feed) and /feeds/public.ics (the public programme), served beside the Streamlit app."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from planner.errors import PlanError
from planner.exports.ics import delegation_feed, person_feed, public_feed, render
from planner.sharing.links import FEEDS_PATH, PUBLIC_FEED
from planner.sharing.throttle import look_up_link
from planner.storage import NotFoundError

CALENDAR = "text/calendar; charset=utf-8"


@lru_cache(maxsize=1)
def shared_store():
    """One store per process, opened on first request (PLANNER_DB_URL or the user's file)."""
    from planner.storage import PlanStore

    return PlanStore()


def _not_found() -> Response:
    # The same answer for unknown, revoked and malformed tokens: nothing to learn by guessing.
    return PlainTextResponse("Not found\n", status_code=404)


def _calendar(data: bytes, name: str) -> Response:
    # Ids are almost free text ("kyiv-київ", a quote): an ASCII stand-in, and the real name
    # percent-encoded (RFC 6266), so that no id can break the header or the response.
    plain = re.sub(r"[^A-Za-z0-9._-]", "_", name)[:80] or "calendar"
    return Response(
        data,
        media_type=CALENDAR,
        headers={
            "Content-Disposition": f"inline; filename=\"{plain}.ics\"; filename*=UTF-8''{quote(name + '.ics', safe='')}",
            "Cache-Control": "private, max-age=300",
        },
    )


def public_programme(request: Request) -> Response:
    lang = request.query_params.get("lang", "en")
    lang = lang if lang in ("en", "de") else "en"
    store = shared_store()
    try:
        plan = store.release_plan()
    except (PlanError, NotFoundError):
        return _not_found()
    return _calendar(render(plan, public_feed(plan, lang), lang), "programme")


def _too_many(seconds: float) -> Response:
    return PlainTextResponse(
        "Too many unknown links from your address: try again later.\n",
        status_code=429,
        headers={"Retry-After": str(max(1, round(seconds)))},
    )


def secret_feed(request: Request) -> Response:
    token = request.path_params["token"]
    lang = request.query_params.get("lang", "en")
    lang = lang if lang in ("en", "de") else "en"
    store = shared_store()
    found, wait = look_up_link(store, token, request.client.host if request.client else None)
    if wait:
        return _too_many(wait)
    if found is None:
        return _not_found()
    kind, target = found
    try:
        if kind in ("delegation", "guest"):
            try:
                plan = store.release_plan()  # guests see what was released, nothing else
            except (PlanError, NotFoundError):
                # Nothing published yet: an empty calendar, so that a subscription made early
                # works and fills itself once the programme is published.
                plan = replace(store.load_plan(), events=[])
            feed = delegation_feed(plan, target, lang)
            modified = None
        else:
            plan = store.load_plan()
            feed = person_feed(plan, target, lang)
            modified = store.last_modified()
    except PlanError:
        return _not_found()
    return _calendar(render(plan, feed, lang, modified=modified), target)


def feed_routes() -> list[Route]:
    return [
        Route(FEEDS_PATH + PUBLIC_FEED, public_programme, methods=["GET", "HEAD"]),
        Route(FEEDS_PATH + "{token}.ics", secret_feed, methods=["GET", "HEAD"]),
    ]
