"""Twenty people at once, for a minute, against one server (support/office_sessions.py): protocol
editors, organisers and viewers, each a Streamlit websocket client signed in through the
sign-in form of one running app, reading pages and editing events through the real event form,
some of them racing for the same event.

Nothing is lost or mixed, every refusal is the stale-edit message, no page shows an exception
or a locked database, and the server log holds no traceback. The latency of each kind of action
is printed (pytest -s shows it)."""

from __future__ import annotations

import time

from support.office_sessions import run, summary, table


def test_twenty_sessions_reading_and_editing_for_a_minute(tmp_path):
    began = time.monotonic()
    outcome, problems = run(20, 60, tmp_path)
    print(f"\n{table(outcome)}\n{summary(outcome)}\nwhole test {time.monotonic() - began:.0f} s")
    assert problems == []
    assert len(outcome.saved) >= 10, "too few edits were saved to judge"
    assert outcome.stale, "no two sessions raced for the same event"
    assert not outcome.unknown
    assert outcome.runs >= 200, "the sessions hardly used the app"
