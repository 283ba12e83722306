"""Certificate credentials: the signed Open Badges 3.0 credential of each certificate.

Revision ID: a7c3e5f9b214
Revises: c4a1e9d27b53
Create Date: 2026-12-03 08:00:00.000000
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import curriculum.db

revision = 'a7c3e5f9b214'
down_revision = 'c4a1e9d27b53'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'lms_certificate_credentials',
        sa.Column('certificate_id', sa.Integer(), nullable=False),
        sa.Column('document', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
        sa.Column('created_at', curriculum.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['certificate_id'], ['lms_certificates.id'], name=op.f('fk_lms_certificate_credentials_certificate_id_lms_certificates'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('certificate_id', name=op.f('pk_lms_certificate_credentials')),
    )


def downgrade():
    op.drop_table('lms_certificate_credentials')
