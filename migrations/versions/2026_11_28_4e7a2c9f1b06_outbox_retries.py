"""Outbox: a status, the number of attempts and when to try again, so failed e-mail is retried.

Revision ID: 4e7a2c9f1b06
Revises: 5c1e9a7d3b20
Create Date: 2026-11-28 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

import curriculum.db

revision = '4e7a2c9f1b06'
down_revision = '5c1e9a7d3b20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('lms_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=20), server_default='logged', nullable=False))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('next_attempt_at', curriculum.db.UTCDateTime(), nullable=True))
        batch_op.create_index('ix_lms_outbox_status_next_attempt_at', ['status', 'next_attempt_at'], unique=False)

    # The messages of before: sent ones are sent; those whose attempt failed are retried; the
    # others were kept without SMTP and stay in the outbox only.
    op.execute("UPDATE lms_outbox SET status = 'sent', attempts = 1 WHERE sent_at IS NOT NULL")
    op.execute(
        "UPDATE lms_outbox SET status = 'failed', attempts = 1 WHERE sent_at IS NULL AND error IS NOT NULL"
    )


def downgrade():
    with op.batch_alter_table('lms_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_lms_outbox_status_next_attempt_at')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('attempts')
        batch_op.drop_column('status')
