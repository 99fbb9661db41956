"""Benchmark of the plan database: importing a city-scale plan and loading it into the engine.

Run from the repository root:  python bench/storage_speed.py [--db URL]

Uses the plan generator of bench/check_speed.py. Times, in one process:
- import: `PlanStore.import_plan` of the 100,000-event plan into an empty database (one
  transaction, what `python -m planner db import` does after reading the file);
- load: reading a 10,000-event draft back from the database into a `Plan` and building the
  conflict engine's sorted schedule from it (what the app and `check` need before the rules).
Defaults to a fresh SQLite file; --db takes a PostgreSQL URL (its tables are dropped first).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlalchemy as sa  # noqa: E402
from check_speed import city_plan  # noqa: E402

from planner import parse_plan  # noqa: E402
from planner.rules.index import EventIndex  # noqa: E402
from planner.storage import PlanStore  # noqa: E402
from planner.storage.database import make_engine  # noqa: E402
from planner.storage.schema import Base  # noqa: E402


def empty_database(url: str) -> PlanStore:
    if not url.startswith("sqlite"):
        engine = make_engine(url)
        with engine.begin() as connection:
            Base.metadata.drop_all(connection)
            connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        engine.dispose()
    return PlanStore(url, fill_new=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: a new SQLite file)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{folder}/bench.db"
        kind = url.split(":", 1)[0]
        big = parse_plan(city_plan(100_000))
        small = parse_plan(city_plan(10_000))

        imports = []
        for _ in range(args.repeat):
            store = empty_database(url if args.db else f"sqlite:///{folder}/bench-{len(imports)}.db")
            began = time.perf_counter()
            store.import_plan(big, user="bench")
            imports.append(time.perf_counter() - began)
            store.close()

        store = empty_database(url if args.db else f"sqlite:///{folder}/small.db")
        store.import_plan(small, user="bench")
        loads = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            EventIndex(store.load_plan())
            loads.append(time.perf_counter() - began)
        assert store.load_plan() == small
        store.close()
    print(f"{kind}: import of 100,000 events {min(imports):.2f} s; load of 10,000 events into the engine {min(loads):.3f} s")


if __name__ == "__main__":
    main()
