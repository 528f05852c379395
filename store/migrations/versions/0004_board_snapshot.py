"""Board views kept per scope (`board_snapshot`): the overview and step medians at 100,000 items
are read from one row, refreshed in the background (store/board_snapshot.py).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.migrations.types import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "board_snapshot" in set(sa.inspect(op.get_bind()).get_table_names()):
        return
    op.create_table(
        "board_snapshot",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("view", sa.String(length=40), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("as_of", UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("computed_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("compute_ms", sa.Float(), nullable=False),
        sa.Column("viewed_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("board_snapshot", schema=None) as batch_op:
        batch_op.create_index("ix_board_snapshot_viewed_at", ["viewed_at"], unique=False)


def downgrade() -> None:
    op.drop_table("board_snapshot")
