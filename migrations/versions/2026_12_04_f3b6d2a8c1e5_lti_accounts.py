"""LTI accounts: single-use launch nonces kept on the server, launches waiting for their person's
choice (link an existing account by its password, or a new one), and the scope of a role granted
by a launch.

Revision ID: f3b6d2a8c1e5
Revises: e2a8c5d17f90
Create Date: 2026-12-04 09:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import curriculum.db

revision = "f3b6d2a8c1e5"
down_revision = "e2a8c5d17f90"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    op.create_table(
        "lms_lti_nonces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=255), nullable=False),
        sa.Column("expires_at", curriculum.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["lms_lti_platforms.id"],
            name=op.f("fk_lms_lti_nonces_platform_id_lms_lti_platforms"),
            ondelete="CASCADE",
        ),  # fmt: skip
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_lti_nonces")),
        sa.UniqueConstraint(
            "platform_id", "nonce", name=op.f("uq_lms_lti_nonces_platform_id_nonce")
        ),  # fmt: skip
    )
    with op.batch_alter_table("lms_lti_nonces", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lms_lti_nonces_expires_at"), ["expires_at"])

    op.create_table(
        "lms_lti_pending_launches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("claims", JSON, nullable=False),
        sa.Column("created_at", curriculum.db.UTCDateTime(), nullable=False),
        sa.Column("expires_at", curriculum.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["lms_lti_platforms.id"],
            name=op.f("fk_lms_lti_pending_launches_platform_id_lms_lti_platforms"),
            ondelete="CASCADE",
        ),  # fmt: skip
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["lms_users.id"],
            name=op.f("fk_lms_lti_pending_launches_user_id_lms_users"),
            ondelete="CASCADE",
        ),  # fmt: skip
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lms_lti_pending_launches")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_lms_lti_pending_launches_token_hash")),
    )
    with op.batch_alter_table("lms_lti_pending_launches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lms_lti_pending_launches_platform_id"), ["platform_id"]
        )
        batch_op.create_index(batch_op.f("ix_lms_lti_pending_launches_user_id"), ["user_id"])

    with op.batch_alter_table("lms_user_roles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scope", sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table("lms_user_roles", schema=None) as batch_op:
        batch_op.drop_column("scope")
    with op.batch_alter_table("lms_lti_pending_launches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lms_lti_pending_launches_user_id"))
        batch_op.drop_index(batch_op.f("ix_lms_lti_pending_launches_platform_id"))
    op.drop_table("lms_lti_pending_launches")
    with op.batch_alter_table("lms_lti_nonces", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lms_lti_nonces_expires_at"))
    op.drop_table("lms_lti_nonces")
