"""Malformed plans: whatever a field holds, the planner answers with one PlanError naming a
path, or checks the plan — never another exception."""

import copy
import json

from hypothesis import given
from hypothesis import strategies as st

from planner import PlanError, check
from planner.loading import decode_json, parse_plan
from planner.report import check_json, conflict_records
from strategies import plan_documents

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=True)
    | st.text(max_size=30) | st.sampled_from(["2027-03-28T02:30", "24:00", "rathaus", "v0", "d0", "p0", "", "de"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


@st.composite
def mutated_documents(draw):
    document = copy.deepcopy(draw(plan_documents()))
    # Walk down to a random container and replace or add one of its entries.
    node = document
    for _ in range(draw(st.integers(0, 3))):
        children = [v for v in (node.values() if isinstance(node, dict) else node) if isinstance(v, (dict, list)) and v]
        if not children:
            break
        node = draw(st.sampled_from(children))
    value = draw(json_values)
    if isinstance(node, dict):
        key = draw(st.sampled_from(sorted(node) + ["extra"]) | st.text(max_size=5))
        node[key] = value
    elif node:
        node[draw(st.integers(0, len(node) - 1))] = value
    return document


def _check_everything(plan):
    conflicts = check(plan)
    for lang in ("en", "de"):
        records = conflict_records(plan, conflicts, lang)
        json.loads(check_json({"conflicts": records, "summary": {"errors": 0, "warnings": 0}}))


@given(mutated_documents())
def test_any_field_value_gives_a_plan_error_or_a_check(document):
    try:
        plan = parse_plan(document)
    except PlanError as error:
        assert str(error) and "\n" not in str(error)
        return
    _check_everything(plan)


@given(mutated_documents())
def test_through_json_text_too(document):
    text = json.dumps(document, allow_nan=True).encode()
    try:
        plan = parse_plan(decode_json(text))
    except PlanError as error:
        assert "\n" not in str(error)
        return
    _check_everything(plan)


def test_error_is_one_line_whatever_the_names():
    document = json.loads(json.dumps({"format": "dortbunt-plan/1", "events": [{"id": "a", "x\ny\u2028": 1}]}))
    try:
        parse_plan(document)
    except PlanError as error:
        assert str(error) == "events[0].x\\ny\\u2028: unknown field"
    else:
        raise AssertionError("an unknown field must be refused")


@given(st.binary(max_size=200))
def test_random_bytes(data):
    try:
        parse_plan(decode_json(data))
    except PlanError as error:
        assert "\n" not in str(error)
