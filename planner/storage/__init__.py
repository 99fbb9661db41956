"""Storage: the plan in a database (SQLite by default, PostgreSQL for a shared server)."""

from planner.storage.audit import AuditEntry
from planner.storage.database import default_url
from planner.storage.errors import NotFoundError, StaleEditError
from planner.storage.releases import Release
from planner.storage.store import PlanStore

__all__ = ["AuditEntry", "NotFoundError", "PlanStore", "Release", "StaleEditError", "default_url"]
