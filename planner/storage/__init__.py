"""Storage: the plan in a database (SQLite by default, PostgreSQL for a shared server)."""

from planner.storage.store import AuditEntry, NotFoundError, PlanStore, Release, StaleEditError, default_url

__all__ = ["AuditEntry", "NotFoundError", "PlanStore", "Release", "StaleEditError", "default_url"]
