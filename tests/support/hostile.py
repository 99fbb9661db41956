"""A hostile plan: the sample plan with HTML, script, Markdown, template and control-character
payloads in every free-text field, still valid (ids and codes untouched), for the injection tests.

Every payload that could run script counts in ``window.__xss``; a test that finds it set (or
an element the payload would make) has found an injection.
"""

from __future__ import annotations

import copy
import json

from support.paths import DATA

IMG = '<img src=x onerror="window.__xss=(window.__xss||0)+1">'
SCRIPT = "<script>window.__xss=(window.__xss||0)+1</script>"
SVG = '<svg onload="window.__xss=(window.__xss||0)+1"><circle r=5></circle></svg>'
LINK = "[click](javascript:window.__xss=(window.__xss||0)+1)"
#: The text every page that shows the plan's name (or the hostile delegation's city) must show
#: as typed, on one line: HTML, Markdown, pydeck and plotly templates, String.replace patterns.
ALL = (
    f"{IMG} {SVG} {SCRIPT} </script> {LINK} **bold** :red[x] $x$ {{name}} {{address}} {{label}} "
    '%{x} %{y} <b>b</b> $\' $& $` <a href="javascript:window.__xss=1">a</a> &amp; &lt;'
)

PAYLOADS = [
    ALL,
    IMG,
    SCRIPT,
    SVG,
    LINK,
    "{name}{address}{next}{label}{visits}",  # pydeck's tooltip placeholders
    "%{x} %{y} %{hovertext} <b>bold</b> <br> <i>i</i>",  # plotly's templates and tags
    "</script><script>window.__xss=(window.__xss||0)+1</script><!--",
    ":red[x] :material/home: :smile: :streamlit: $x^2$ # heading\n> quote\n- item",
    "line one\r\nline two\rline three\nline four",
    "para\u2028sep\u2029end \u0085 \x0b \x1b[31m ansi",
    "@@=window.__xss=1",  # deck.gl's JSON converter reads "@@=" as an expression
    "@@#CONSTANT",
    "javascript:window.__xss=(window.__xss||0)+1",
    "C:\\New\\folder; a,b \\n \\N \\; \\,",
    "SUMMARY:fake\r\nATTENDEE:mailto:x@example.org\r\nEND:VEVENT",
    "long " + "Ä<b>x</b>🎉 " * 700,
]

#: The free-text fields of each section (model.py: every str that is not an id, code or choice).
FIELDS = {
    "venues": ("name", "address", "notes"),
    "people": ("name", "phone", "email", "notes"),
    "delegations": ("city", "notes"),
    "events": ("title", "notes"),
}
#: The delegation whose guest page the tests open; its own texts carry ALL, so that they must show.
GUEST = "amiens"


def hostile_document() -> dict:
    """The sample plan's document with a payload in every free-text field (rotating through
    PAYLOADS so that each kind of field meets each payload), the plan's name, the guest
    delegation's city, its hotel and its events' titles carrying ALL."""
    document = copy.deepcopy(json.loads((DATA / "dortbunt-2027.json").read_text(encoding="utf-8")))
    document["name"] = ALL
    for section, fields in FIELDS.items():
        for index, item in enumerate(document[section]):
            for offset, field in enumerate(fields):
                item[field] = PAYLOADS[(index + offset) % len(PAYLOADS)]
    for item in document["delegations"]:
        if item["id"] == GUEST:
            item["city"] = ALL
            hotel = item["hotel"]
    for item in document["venues"]:
        if item["id"] == hotel:
            item["name"] = item["address"] = ALL
    for item in document["events"]:
        if GUEST in item.get("delegations", []):
            item["title"] = ALL
    return document


def hostile_plan():
    """The hostile document as a parsed Plan (it is valid)."""
    from planner import parse_plan

    return parse_plan(hostile_document())
