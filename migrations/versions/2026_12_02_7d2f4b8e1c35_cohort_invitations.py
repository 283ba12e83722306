"""Cohort invitations: an existing account invited by a roster joins only when it accepts.

Revision ID: 7d2f4b8e1c35
Revises: 493f82ccb28f
Create Date: 2026-12-02 06:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

import curriculum.db

revision = '7d2f4b8e1c35'
down_revision = '493f82ccb28f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'lms_cohort_invitations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cohort_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('invited_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', curriculum.db.UTCDateTime(), nullable=False),
        sa.Column('accepted_at', curriculum.db.UTCDateTime(), nullable=True),
        sa.Column('declined_at', curriculum.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['cohort_id'], ['lms_cohorts.id'], name=op.f('fk_lms_cohort_invitations_cohort_id_lms_cohorts'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['lms_users.id'], name=op.f('fk_lms_cohort_invitations_user_id_lms_users'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['invited_by_id'], ['lms_users.id'], name=op.f('fk_lms_cohort_invitations_invited_by_id_lms_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_cohort_invitations')),
        sa.UniqueConstraint('cohort_id', 'user_id', name=op.f('uq_lms_cohort_invitations_cohort_id_user_id')),
    )
    with op.batch_alter_table('lms_cohort_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_cohort_invitations_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_cohort_invitations_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('lms_cohort_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_cohort_invitations_user_id'))
        batch_op.drop_index(batch_op.f('ix_lms_cohort_invitations_cohort_id'))
    op.drop_table('lms_cohort_invitations')
