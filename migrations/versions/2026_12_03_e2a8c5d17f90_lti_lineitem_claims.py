"""LTI AGS: a sender's claim on a placement while it finds or creates the placement's line item
(instead of a lock held during the calls to the platform).

Revision ID: e2a8c5d17f90
Revises: 35de44c0692a
Create Date: 2026-12-03 14:40:00
"""

import sqlalchemy as sa
from alembic import op

import curriculum.db

revision = "e2a8c5d17f90"
down_revision = "35de44c0692a"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("lms_lti_resource_links", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lineitem_claimed_by", sa.String(length=100), nullable=True))
        batch_op.add_column(
            sa.Column("lineitem_claimed_until", curriculum.db.UTCDateTime(), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("lms_lti_resource_links", schema=None) as batch_op:
        batch_op.drop_column("lineitem_claimed_until")
        batch_op.drop_column("lineitem_claimed_by")
