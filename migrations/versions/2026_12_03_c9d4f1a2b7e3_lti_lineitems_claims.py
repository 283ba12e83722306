"""LTI AGS: line items found or created by the tool, and the senders' claims on scores.

Revision ID: c9d4f1a2b7e3
Revises: b3e8d1f4a6c2
Create Date: 2026-12-03 13:10:00
"""

import sqlalchemy as sa
from alembic import op

import curriculum.db

revision = "c9d4f1a2b7e3"
down_revision = "b3e8d1f4a6c2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("lms_lti_resource_links", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lineitems_url", sa.String(length=1000), nullable=True))
    with op.batch_alter_table("lms_lti_scores", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resource_link_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=100), nullable=True))
        batch_op.add_column(
            sa.Column("claimed_until", curriculum.db.UTCDateTime(), nullable=True)
        )
        batch_op.alter_column(
            "lineitem_url", existing_type=sa.String(length=1000), nullable=True
        )
        batch_op.create_index(batch_op.f("ix_lms_lti_scores_resource_link_id"), ["resource_link_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_lms_lti_scores_resource_link_id_lms_lti_resource_links"),
            "lms_lti_resource_links",
            ["resource_link_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade():
    # lineitem_url becomes required again: a score still waiting for its line item takes the
    # placement's, once the sender found it; one whose placement has none yet cannot be kept
    scores = sa.table("lms_lti_scores", sa.column("lineitem_url"), sa.column("resource_link_id"))
    links = sa.table("lms_lti_resource_links", sa.column("id"), sa.column("lineitem_url"))
    waiting = scores.c.lineitem_url.is_(None)
    placement_url = (
        sa.select(links.c.lineitem_url)
        .where(links.c.id == scores.c.resource_link_id)
        .scalar_subquery()
    )
    op.execute(scores.update().where(waiting).values(lineitem_url=placement_url))
    op.execute(scores.delete().where(waiting))
    with op.batch_alter_table("lms_lti_scores", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_lms_lti_scores_resource_link_id_lms_lti_resource_links"),
            type_="foreignkey",
        )
        batch_op.drop_index(batch_op.f("ix_lms_lti_scores_resource_link_id"))
        batch_op.alter_column(
            "lineitem_url", existing_type=sa.String(length=1000), nullable=False
        )
        batch_op.drop_column("claimed_until")
        batch_op.drop_column("claimed_by")
        batch_op.drop_column("resource_link_id")
    with op.batch_alter_table("lms_lti_resource_links", schema=None) as batch_op:
        batch_op.drop_column("lineitems_url")
