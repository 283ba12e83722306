"""Cohorts: province and commune; announcements, notifications and roster imports.

Revision ID: 211bcb570787
Revises: 8b13152518f2
Create Date: 2026-11-26 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import curriculum.db

revision = '211bcb570787'
down_revision = '8b13152518f2'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    with op.batch_alter_table('lms_cohorts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('province', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('commune', sa.String(length=100), server_default='', nullable=False))

    op.create_table('lms_announcements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('created_at', curriculum.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['lms_users.id'], name=op.f('fk_lms_announcements_author_id_lms_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cohort_id'], ['lms_cohorts.id'], name=op.f('fk_lms_announcements_cohort_id_lms_cohorts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_announcements'))
    )
    with op.batch_alter_table('lms_announcements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_announcements_cohort_id'), ['cohort_id'], unique=False)

    op.create_table('lms_notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('created_at', curriculum.db.UTCDateTime(), nullable=False),
    sa.Column('read_at', curriculum.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['lms_users.id'], name=op.f('fk_lms_notifications_user_id_lms_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_notifications'))
    )
    with op.batch_alter_table('lms_notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_notifications_user_id'), ['user_id'], unique=False)

    op.create_table('lms_roster_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', curriculum.db.UTCDateTime(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('rows', JSON, nullable=False),
    sa.Column('applied_at', curriculum.db.UTCDateTime(), nullable=True),
    sa.Column('summary', JSON, nullable=True),
    sa.ForeignKeyConstraint(['cohort_id'], ['lms_cohorts.id'], name=op.f('fk_lms_roster_imports_cohort_id_lms_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['lms_users.id'], name=op.f('fk_lms_roster_imports_created_by_id_lms_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_roster_imports'))
    )
    with op.batch_alter_table('lms_roster_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_roster_imports_cohort_id'), ['cohort_id'], unique=False)


def downgrade():
    with op.batch_alter_table('lms_roster_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_roster_imports_cohort_id'))
    op.drop_table('lms_roster_imports')
    with op.batch_alter_table('lms_notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_notifications_user_id'))
    op.drop_table('lms_notifications')
    with op.batch_alter_table('lms_announcements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_announcements_cohort_id'))
    op.drop_table('lms_announcements')
    with op.batch_alter_table('lms_cohorts', schema=None) as batch_op:
        batch_op.drop_column('commune')
        batch_op.drop_column('province')
