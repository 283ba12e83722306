"""LTI Dynamic Registration: the one-time registration links (only their token's hash is kept).

Revision ID: 35de44c0692a
Revises: c9d4f1a2b7e3
Create Date: 2026-12-03 13:01:18.474151
"""

import sqlalchemy as sa
from alembic import op

import curriculum.db

revision = '35de44c0692a'
down_revision = 'c9d4f1a2b7e3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lms_lti_registration_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', curriculum.db.UTCDateTime(), nullable=False),
    sa.Column('expires_at', curriculum.db.UTCDateTime(), nullable=False),
    sa.Column('used_at', curriculum.db.UTCDateTime(), nullable=True),
    sa.Column('revoked_at', curriculum.db.UTCDateTime(), nullable=True),
    sa.Column('platform_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['lms_users.id'], name=op.f('fk_lms_lti_registration_links_created_by_id_lms_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['platform_id'], ['lms_lti_platforms.id'], name=op.f('fk_lms_lti_registration_links_platform_id_lms_lti_platforms'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_lti_registration_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_lms_lti_registration_links_token_hash'))
    )


def downgrade():
    op.drop_table('lms_lti_registration_links')
