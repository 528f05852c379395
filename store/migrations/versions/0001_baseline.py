"""Baseline: the read model as released before migrations (agreements, programs, grants, releases).

A database created by an earlier Helix (tables, no `alembic_version`) is stamped at this revision
by `store.db.init_db` and upgraded from here.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store.migrations.types import JSON_TYPE, UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('equivalency',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('institution_id', sa.String(length=64), nullable=False),
    sa.Column('entry', JSON_TYPE, nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('saved_at', UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('equivalency', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_equivalency_institution_id'), ['institution_id'], unique=False)

    op.create_table('fund',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('definition', JSON_TYPE, nullable=False),
    sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('item',
    sa.Column('item_id', sa.String(length=200), nullable=False),
    sa.Column('item_type', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('phase', sa.String(length=40), nullable=False),
    sa.Column('countries', JSON_TYPE, nullable=False),
    sa.Column('organisation_ids', JSON_TYPE, nullable=False),
    sa.Column('summary', JSON_TYPE, nullable=False),
    sa.Column('projected_seq', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('detail', JSON_TYPE, nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('item_id')
    )
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.create_index('ix_item_type_phase', ['item_type', 'phase'], unique=False)
        batch_op.create_index(batch_op.f('ix_item_updated_at'), ['updated_at'], unique=False)

    op.create_table('organisation',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('names', JSON_TYPE, nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_country'), ['country'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisation_kind'), ['kind'], unique=False)

    op.create_table('outbox',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('item_id', sa.String(length=200), nullable=True),
    sa.Column('to', JSON_TYPE, nullable=False),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_item_id'), ['item_id'], unique=False)
        batch_op.create_index('ix_outbox_status_created', ['status', 'created_at'], unique=False)

    op.create_table('payment',
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.String(length=64), nullable=False),
    sa.Column('award_id', sa.String(length=200), nullable=False),
    sa.Column('tranche_id', sa.String(length=64), nullable=False),
    sa.Column('application_id', sa.String(length=64), nullable=False),
    sa.Column('amount', sa.String(length=40), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=True),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('issued_at', UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key'),
    sa.UniqueConstraint('reference')
    )
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_award_id'), ['award_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_fund_id'), ['fund_id'], unique=False)
        batch_op.create_index('ix_payment_year_seq', ['year', 'seq'], unique=True)

    op.create_table('program',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('agreement_id', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('definition', JSON_TYPE, nullable=False),
    sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_program_agreement_id'), ['agreement_id'], unique=False)

    op.create_table('document',
    sa.Column('item_id', sa.String(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('version', sa.Integer(), nullable=True),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['item.item_id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', 'sha256')
    )
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_sha256'), ['sha256'], unique=False)

    op.create_table('event',
    sa.Column('item_id', sa.String(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('actor_id', sa.String(length=64), nullable=True),
    sa.Column('actor_name', sa.String(length=200), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('version_hash', sa.String(length=64), nullable=True),
    sa.Column('document_sha256', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['item.item_id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', 'seq')
    )
    op.create_table('item_party',
    sa.Column('item_id', sa.String(), nullable=False),
    sa.Column('organisation_id', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['item.item_id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', 'organisation_id', 'role')
    )
    with op.batch_alter_table('item_party', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_party_country'), ['country'], unique=False)
        batch_op.create_index(batch_op.f('ix_item_party_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('person',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('organisation_id', sa.String(), nullable=True),
    sa.Column('roles', JSON_TYPE, nullable=False),
    sa.Column('languages', JSON_TYPE, nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('step',
    sa.Column('item_id', sa.String(), nullable=False),
    sa.Column('step_id', sa.String(length=200), nullable=False),
    sa.Column('item_type', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('organisation_id', sa.String(length=64), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('awaited_ids', JSON_TYPE, nullable=False),
    sa.Column('awaited_names', JSON_TYPE, nullable=False),
    sa.Column('opened_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('reminders_sent', sa.Integer(), nullable=False),
    sa.Column('escalation', sa.Integer(), nullable=False),
    sa.Column('version_hash', sa.String(length=64), nullable=True),
    sa.Column('closed_at', UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['item.item_id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', 'step_id')
    )
    with op.batch_alter_table('step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_step_country'), ['country'], unique=False)
        batch_op.create_index('ix_step_open', ['closed_at', 'opened_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_step_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('account',
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('person_id', sa.String(), nullable=False),
    sa.Column('password_hash', sa.Text(), nullable=False),
    sa.Column('failed_attempts', sa.Integer(), nullable=False),
    sa.Column('locked_until', UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_login', UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('username')
    )
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_person_id'), ['person_id'], unique=False)

    op.create_table('login_session',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('person_id', sa.String(), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('token_hash')
    )
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_session_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_session_person_id'), ['person_id'], unique=False)

    op.create_table('step_await',
    sa.Column('item_id', sa.String(), nullable=False),
    sa.Column('step_id', sa.String(), nullable=False),
    sa.Column('person_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['item_id', 'step_id'], ['step.item_id', 'step.step_id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', 'step_id', 'person_id')
    )
    with op.batch_alter_table('step_await', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_step_await_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('step_await', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_step_await_person_id'))

    op.drop_table('step_await')
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_session_person_id'))
        batch_op.drop_index(batch_op.f('ix_login_session_expires_at'))

    op.drop_table('login_session')
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_person_id'))

    op.drop_table('account')
    with op.batch_alter_table('step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_step_organisation_id'))
        batch_op.drop_index('ix_step_open')
        batch_op.drop_index(batch_op.f('ix_step_country'))

    op.drop_table('step')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_organisation_id'))

    op.drop_table('person')
    with op.batch_alter_table('item_party', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_party_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_item_party_country'))

    op.drop_table('item_party')
    op.drop_table('event')
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_sha256'))

    op.drop_table('document')
    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_program_agreement_id'))

    op.drop_table('program')
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index('ix_payment_year_seq')
        batch_op.drop_index(batch_op.f('ix_payment_fund_id'))
        batch_op.drop_index(batch_op.f('ix_payment_award_id'))

    op.drop_table('payment')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_status_created')
        batch_op.drop_index(batch_op.f('ix_outbox_item_id'))

    op.drop_table('outbox')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_kind'))
        batch_op.drop_index(batch_op.f('ix_organisation_country'))

    op.drop_table('organisation')
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_updated_at'))
        batch_op.drop_index('ix_item_type_phase')

    op.drop_table('item')
    op.drop_table('fund')
    with op.batch_alter_table('equivalency', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_equivalency_institution_id'))

    op.drop_table('equivalency')
