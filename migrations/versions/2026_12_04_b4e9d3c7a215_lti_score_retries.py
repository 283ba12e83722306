"""LTI AGS scores: the wait before a failed score is tried again (``next_attempt_at``); the
``rejected`` and ``given_up`` states need no change of the column (String(10)).

Revision ID: b4e9d3c7a215
Revises: f3b9d6e0a1c8
Create Date: 2026-12-04 18:00:00
"""

import sqlalchemy as sa
from alembic import op

import curriculum.db

revision = "b4e9d3c7a215"
down_revision = "f3b9d6e0a1c8"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("lms_lti_scores", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_attempt_at", curriculum.db.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("lms_lti_scores", schema=None) as batch_op:
        batch_op.drop_column("next_attempt_at")
