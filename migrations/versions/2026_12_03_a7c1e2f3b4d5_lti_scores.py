"""LTI AGS outbox: scores to send to the platforms' line items.

Revision ID: a7c1e2f3b4d5
Revises: d0c647dbf946
Create Date: 2026-12-03 11:55:00
"""

import sqlalchemy as sa
from alembic import op

import curriculum.db

revision = "a7c1e2f3b4d5"
down_revision = "d0c647dbf946"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "lms_lti_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("lineitem_url", sa.String(length=1000), nullable=False),
        sa.Column("score_given", sa.Float(), nullable=False),
        sa.Column("score_maximum", sa.Float(), nullable=False),
        sa.Column("activity_progress", sa.String(length=20), nullable=False),
        sa.Column("grading_progress", sa.String(length=20), nullable=False),
        sa.Column("changed_at", curriculum.db.UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", curriculum.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["lms_lti_platforms.id"],
            name=op.f("fk_lms_lti_scores_platform_id_lms_lti_platforms"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["lms_users.id"],
            ondelete="CASCADE",
            name=op.f("fk_lms_lti_scores_user_id_lms_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_lti_scores")),
    )
    with op.batch_alter_table("lms_lti_scores", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lms_lti_scores_platform_id"), ["platform_id"])
        batch_op.create_index(batch_op.f("ix_lms_lti_scores_status"), ["status"])


def downgrade():
    with op.batch_alter_table("lms_lti_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lms_lti_scores_status"))
        batch_op.drop_index(batch_op.f("ix_lms_lti_scores_platform_id"))
    op.drop_table("lms_lti_scores")
