"""The plan database a command's --db option names."""

from __future__ import annotations

import argparse


def open_store(args: argparse.Namespace, *, fill_new: bool = True):
    """The database of `--db` (or PLANNER_DB_URL, or the user's SQLite file)."""
    from planner.storage import PlanStore

    return PlanStore(args.db, fill_new=fill_new)
