"""Covering indexes for the board's reads at 100,000 items (bench/board.py): a scope's items from the
party indexes alone, open steps and milestones counted from their indexes, item counts on a past day
and per country from the item index. Each replaces an index that is its prefix.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# table: (new index, its columns), (the index it replaces, its columns)
CHANGES = [
    ("item", ("ix_item_type_phase_cover", ["item_type", "phase", "created_at", "closed_at", "countries"]),
     ("ix_item_type_phase", ["item_type", "phase"])),
    ("item_party", ("ix_item_party_country_item", ["country", "item_id"]), ("ix_item_party_country", ["country"])),
    ("item_party", ("ix_item_party_organisation_item", ["organisation_id", "item_id"]),
     ("ix_item_party_organisation_id", ["organisation_id"])),
    ("step", ("ix_step_open_cover", ["closed_at", "opened_at", "due_at", "item_type", "country", "item_id"]),
     ("ix_step_open", ["closed_at", "opened_at"])),
    ("item_milestone", ("ix_milestone_type_kind_at_item", ["item_type", "kind", "at", "item_id"]),
     ("ix_milestone_type_kind_at", ["item_type", "kind", "at"])),
]  # fmt: skip


def upgrade() -> None:
    for table, (new, columns), (old, _) in CHANGES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(new, columns, unique=False)
            batch_op.drop_index(old)


def downgrade() -> None:
    for table, (new, _), (old, columns) in reversed(CHANGES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(old, columns, unique=False)
            batch_op.drop_index(new)
