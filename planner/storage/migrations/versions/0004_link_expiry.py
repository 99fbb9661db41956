"""guest links: secret links may expire

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 07:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feed_tokens") as batch:
        batch.add_column(sa.Column("expires_at", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feed_tokens") as batch:
        batch.drop_column("expires_at")
