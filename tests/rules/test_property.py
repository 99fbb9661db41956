"""The fast engine equals a brute-force reading of the spec on random, trap-filled plans."""

import io
import json
import tempfile
from collections import Counter
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from hypothesis import given
from support.reference import Invalid, Nonexistent, reference_conflicts
from support.strategies import plan_documents

from planner import PlanError, check, parse_plan
from planner.cli.main import main


def _expected(document):
    """The reference's conflicts, or the message the engine must refuse the plan with."""
    try:
        return Counter(reference_conflicts(document))
    except Nonexistent:
        return "does not exist"
    except Invalid:
        return "must end after it starts"


@given(plan_documents())
def test_engine_equals_reference(document):
    expected = _expected(document)
    if isinstance(expected, str):
        with pytest.raises(PlanError, match=expected):
            parse_plan(document)
        return
    got = Counter((c.rule, c.severity, c.events, c.resource) for c in check(parse_plan(document)))
    assert got == expected


@given(plan_documents())
def test_cli_json_equals_reference(document):
    expected = _expected(document)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plan.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = main(["check", str(path), "--format", "json"])
    out, err = out.getvalue(), err.getvalue()
    if isinstance(expected, str):
        assert code == 2 and expected in err and out == "" and err.count("\n") == 1
        return
    result = json.loads(out)
    got = Counter((c["rule"], c["severity"], tuple(c["events"]), c["resource"]) for c in result["conflicts"])
    assert got == expected
    errors = sum(1 for c in result["conflicts"] if c["severity"] == "error")
    assert result["summary"] == {"errors": errors, "warnings": len(result["conflicts"]) - errors}
    assert code == (1 if errors else 0)
    assert all(c["message"] for c in result["conflicts"])


@given(plan_documents())
def test_fast_and_careful_event_readers_agree(document):
    """The loader's fast path must read every event exactly as the field-by-field one does."""
    from planner.plan.clock import WallClock, zone_named
    from planner.plan.reading import parse_event

    expected = _expected(document)
    if isinstance(expected, str):
        return
    plan = parse_plan(document)
    clock = WallClock(zone_named(plan.timezone, "timezone"))
    careful = [parse_event(raw, f"events[{i}]", plan, clock) for i, raw in enumerate(document["events"])]
    assert plan.events == careful


@given(plan_documents())
def test_saved_plan_reads_back_equal(document):
    """Writing a plan and reading it again loses nothing (same ids, instants and fields)."""
    from planner import dump_plan
    from planner.plan.reading import decode_json

    if isinstance(_expected(document), str):
        return
    plan = parse_plan(document)
    again = parse_plan(decode_json(dump_plan(plan).encode()))
    assert again == plan
    assert dump_plan(again) == dump_plan(plan)
