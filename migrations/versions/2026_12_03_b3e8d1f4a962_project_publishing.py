"""Publishing a circle's project: when each member answered about consent, and the project's
title in the other language of its sheet (French and Arabic).

Revision ID: b3e8d1f4a962
Revises: 99556b345779
Create Date: 2026-12-03 10:00:00
"""

import sqlalchemy as sa
from alembic import op

import curriculum.db

revision = 'b3e8d1f4a962'
down_revision = '99556b345779'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('lms_circle_members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_at', curriculum.db.UTCDateTime(), nullable=True))
    with op.batch_alter_table('lms_circle_projects', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('second_title', sa.String(length=200), nullable=False, server_default='')
        )


def downgrade():
    with op.batch_alter_table('lms_circle_projects', schema=None) as batch_op:
        batch_op.drop_column('second_title')
    with op.batch_alter_table('lms_circle_members', schema=None) as batch_op:
        batch_op.drop_column('consent_at')
