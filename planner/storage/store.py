"""The `PlanStore`: the whole plan database, assembled from one class per concern.

Each part is a class of its own module: `draft` (the plan as a whole), `events`, `entities`
(venues, people, delegations), `releases`, `links` (secret feeds and guest pages), `accounts`,
`settings`, `audit` and `backup`, all on `database.Database` (the engine, migrations and the
revision counter).
"""

from __future__ import annotations

from planner.storage.accounts import AccountStorage
from planner.storage.audit import AuditStorage
from planner.storage.backup import BackupStorage
from planner.storage.entities import EntityStorage
from planner.storage.events import EventStorage
from planner.storage.link_tokens import LinkStorage
from planner.storage.settings import SettingStorage


class PlanStore(EventStorage, EntityStorage, LinkStorage, AccountStorage, SettingStorage, AuditStorage, BackupStorage):
    """The plan's draft, its releases and its audit log in one database.

    ``PlanStore(url, fill_new=True)`` opens (and creates or upgrades) the database at `url`
    (else `default_url()`); a new one is filled with the sample plan unless `fill_new` is false
    or `PLANNER_START_EMPTY` is set.
    """
