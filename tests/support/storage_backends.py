"""Database URLs for storage tests: SQLite always, PostgreSQL when PLANNER_TEST_PG_URL is set."""

import os
import uuid

import sqlalchemy as sa

from planner.storage.database import make_engine
from planner.storage.schema import Base

PG_URL = os.environ.get("PLANNER_TEST_PG_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def fresh_url(backend: str, folder) -> str:
    """An empty database of `backend` (tables dropped on PostgreSQL, a new file on SQLite)."""
    if backend == "sqlite":
        return f"sqlite:///{folder}/{uuid.uuid4().hex}.db"
    engine = make_engine(PG_URL)
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    return PG_URL
