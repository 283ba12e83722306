"""SCORM commits: the time the runtime made the attempt's stored state (a commit older than it,
from another device or launch, changes nothing) and the page of the launch it came from.

Revision ID: f3b9d6e0a1c8
Revises: f3b6d2a8c1e5
Create Date: 2026-12-03 17:35:00
"""

import sqlalchemy as sa
from alembic import op

import curriculum.db

revision = "f3b9d6e0a1c8"
down_revision = "f3b6d2a8c1e5"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("lms_scorm_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("committed_at", curriculum.db.UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("page_key", sa.String(length=40), nullable=False, server_default="")
        )


def downgrade():
    with op.batch_alter_table("lms_scorm_attempts", schema=None) as batch_op:
        batch_op.drop_column("page_key")
        batch_op.drop_column("committed_at")
