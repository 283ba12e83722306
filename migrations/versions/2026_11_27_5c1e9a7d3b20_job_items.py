"""Jobs: one row per item (resumable, exactly-once), a skipped counter and a subject.

Revision ID: 5c1e9a7d3b20
Revises: 211bcb570787
Create Date: 2026-11-27 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

import curriculum.db

revision = '5c1e9a7d3b20'
down_revision = '211bcb570787'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('lms_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject', sa.String(length=300), server_default='', nullable=False))
        batch_op.add_column(sa.Column('skipped', sa.Integer(), server_default='0', nullable=False))

    op.create_table('lms_job_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('error', sa.String(length=2000), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('finished_at', curriculum.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['job_id'], ['lms_jobs.id'], name=op.f('fk_lms_job_items_job_id_lms_jobs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_job_items')),
    sa.UniqueConstraint('job_id', 'key', name=op.f('uq_lms_job_items_job_id_key'))
    )
    with op.batch_alter_table('lms_job_items', schema=None) as batch_op:
        batch_op.create_index('ix_lms_job_items_job_id_status', ['job_id', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('lms_job_items', schema=None) as batch_op:
        batch_op.drop_index('ix_lms_job_items_job_id_status')

    op.drop_table('lms_job_items')
    with op.batch_alter_table('lms_jobs', schema=None) as batch_op:
        batch_op.drop_column('skipped')
        batch_op.drop_column('subject')
