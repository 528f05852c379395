"""The board's milestones and the hash-chained audit log, filled from the event history.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.migrations.types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    have = set(sa.inspect(bind).get_table_names())
    if "item_milestone" not in have:
        op.create_table(
            "item_milestone",
            sa.Column("item_id", sa.String(), nullable=False),
            sa.Column("kind", sa.String(length=60), nullable=False),
            sa.Column("item_type", sa.String(length=40), nullable=False),
            sa.Column("at", UTCDateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(["item_id"], ["item.item_id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("item_id", "kind"),
        )
        with op.batch_alter_table("item_milestone", schema=None) as batch_op:
            batch_op.create_index("ix_milestone_type_kind_at", ["item_type", "kind", "at"], unique=False)
    if "audit_log" not in have:
        op.create_table(
            "audit_log",
            sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
            sa.Column("at", UTCDateTime(timezone=True), nullable=False),
            sa.Column("category", sa.String(length=20), nullable=False),
            sa.Column("kind", sa.String(length=60), nullable=False),
            sa.Column("item_id", sa.String(length=200), nullable=True),
            sa.Column("item_seq", sa.Integer(), nullable=True),
            sa.Column("actor_id", sa.String(length=64), nullable=True),
            sa.Column("detail", sa.Text(), nullable=False),
            sa.Column("prev_hash", sa.String(length=64), nullable=False),
            sa.Column("hash", sa.String(length=64), nullable=False),
            sa.PrimaryKeyConstraint("seq"),
        )
        with op.batch_alter_table("audit_log", schema=None) as batch_op:
            batch_op.create_index("ix_audit_item", ["item_id", "item_seq"], unique=False)
        from store.audit import guard_statements

        for statement in guard_statements(bind.dialect.name):
            op.execute(statement)


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_table("item_milestone")
