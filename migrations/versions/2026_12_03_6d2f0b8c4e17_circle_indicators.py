"""Indicators of a circle's project and their measured values.

Revision ID: 6d2f0b8c4e17
Revises: e5b7a2c94d10
Create Date: 2026-12-03 09:05:00
"""

import sqlalchemy as sa
from alembic import op

import curriculum.db

revision = '6d2f0b8c4e17'
down_revision = 'e5b7a2c94d10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lms_circle_indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('baseline', sa.Float(), nullable=False),
    sa.Column('target', sa.Float(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', curriculum.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['lms_users.id'], name=op.f('fk_lms_circle_indicators_created_by_id_lms_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['lms_circle_projects.id'], name=op.f('fk_lms_circle_indicators_project_id_lms_circle_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_circle_indicators'))
    )
    with op.batch_alter_table('lms_circle_indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_circle_indicators_project_id'), ['project_id'], unique=False)

    op.create_table('lms_circle_indicator_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('measured_on', sa.Date(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', curriculum.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['lms_users.id'], name=op.f('fk_lms_circle_indicator_values_created_by_id_lms_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['indicator_id'], ['lms_circle_indicators.id'], name=op.f('fk_lms_circle_indicator_values_indicator_id_lms_circle_indicators'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_circle_indicator_values'))
    )
    with op.batch_alter_table('lms_circle_indicator_values', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_circle_indicator_values_indicator_id'), ['indicator_id'], unique=False)


def downgrade():
    with op.batch_alter_table('lms_circle_indicator_values', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_circle_indicator_values_indicator_id'))
    op.drop_table('lms_circle_indicator_values')
    with op.batch_alter_table('lms_circle_indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_circle_indicators_project_id'))
    op.drop_table('lms_circle_indicators')
