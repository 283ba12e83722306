"""LTI platforms: the other origins that frame the tool, and how each platform was registered.

Revision ID: b3e8d1f4a6c2
Revises: 7682819f7698
Create Date: 2026-12-03 10:05:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "b3e8d1f4a6c2"
down_revision = "7682819f7698"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    with op.batch_alter_table("lms_lti_platforms", schema=None) as batch_op:
        batch_op.add_column(sa.Column("frame_origins", JSON, nullable=True))
        batch_op.add_column(
            sa.Column(
                "registered_by", sa.String(length=20), server_default="manual", nullable=False
            )
        )


def downgrade():
    with op.batch_alter_table("lms_lti_platforms", schema=None) as batch_op:
        batch_op.drop_column("registered_by")
        batch_op.drop_column("frame_origins")
