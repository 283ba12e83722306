"""Offline: the actions received from learners' phones (one per learner and idempotency key, so
each is applied once).

Revision ID: 7ce3b5ff3369
Revises: 51b785e2a399
Create Date: 2026-12-03 07:08:20.723441
"""

import sqlalchemy as sa
from alembic import op

import curriculum.db

revision = '7ce3b5ff3369'
down_revision = '51b785e2a399'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lms_offline_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('target', sa.String(length=255), nullable=False),
    sa.Column('payload_sha256', sa.String(length=64), nullable=False),
    sa.Column('occurred_at', curriculum.db.UTCDateTime(), nullable=False),
    sa.Column('received_at', curriculum.db.UTCDateTime(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['lms_users.id'], name=op.f('fk_lms_offline_actions_user_id_lms_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_offline_actions')),
    sa.UniqueConstraint('user_id', 'key', name=op.f('uq_lms_offline_actions_user_id_key'))
    )


def downgrade():
    op.drop_table('lms_offline_actions')
