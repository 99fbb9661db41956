"""Malformed plans: whatever a field holds, the planner answers with one PlanError naming a
path, or checks the plan — never another exception."""

import json

from hypothesis import given
from hypothesis import strategies as st
from support.strategies import mutated, plan_documents

from planner import PlanError, check
from planner.plan.reading import decode_json, parse_plan
from planner.rules.report import check_json, conflict_records


@st.composite
def mutated_documents(draw):
    """A random valid plan with one value somewhere replaced, added or removed."""
    return draw(mutated(draw(plan_documents())))


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
