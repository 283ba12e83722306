"""xAPI records: the statements' outbox, the learners' opaque actor ids, the sender's lease,
the lesson opens, and a UUID per enrolment (the statements' registration), filled in for the
existing enrolments.

Revision ID: e5b7a2c94d10
Revises: 7ce3b5ff3369
Create Date: 2026-12-03 08:45:00.000000
"""

import uuid

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import curriculum.db

revision = 'e5b7a2c94d10'
down_revision = '7ce3b5ff3369'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    with op.batch_alter_table('lms_enrolments') as batch:
        batch.add_column(sa.Column('uuid', sa.String(length=36), nullable=True))
    connection = op.get_bind()
    enrolments = sa.table('lms_enrolments', sa.column('id', sa.Integer), sa.column('uuid', sa.String))
    ids = connection.execute(sa.select(enrolments.c.id).where(enrolments.c.uuid.is_(None))).scalars().all()
    for enrolment_id in ids:
        connection.execute(
            enrolments.update().where(enrolments.c.id == enrolment_id).values(uuid=str(uuid.uuid4()))
        )
    with op.batch_alter_table('lms_enrolments') as batch:
        batch.create_unique_constraint('uq_lms_enrolments_uuid', ['uuid'])

    op.create_table(
        'lms_xapi_actors',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['lms_users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id'),
        sa.UniqueConstraint('name'),
    )
    op.create_table(
        'lms_xapi_outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('statement_id', sa.String(length=36), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('verb', sa.String(length=40), nullable=False),
        sa.Column('statement', JSON, nullable=False),
        sa.Column('created_at', curriculum.db.UTCDateTime(), nullable=False),
        sa.Column('status', sa.String(length=20), server_default='queued', nullable=False),
        sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
        sa.Column('sent_at', curriculum.db.UTCDateTime(), nullable=True),
        sa.Column('error', sa.String(length=1000), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('statement_id'),
    )
    op.create_index('ix_lms_xapi_outbox_status_id', 'lms_xapi_outbox', ['status', 'id'])
    op.create_index('ix_lms_xapi_outbox_user_id', 'lms_xapi_outbox', ['user_id'])
    op.create_table(
        'lms_xapi_sender',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('holder', sa.String(length=64), nullable=True),
        sa.Column('lease_until', curriculum.db.UTCDateTime(), nullable=True),
        sa.Column('not_before', curriculum.db.UTCDateTime(), nullable=True),
        sa.Column('failures', sa.Integer(), server_default='0', nullable=False),
        sa.Column('last_error', sa.String(length=1000), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'lms_lesson_opens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('enrolment_id', sa.Integer(), nullable=False),
        sa.Column('lesson_id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.String(length=36), nullable=False),
        sa.Column('opened_at', curriculum.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['enrolment_id'], ['lms_enrolments.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['lesson_id'], ['lms_lessons.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('uuid'),
    )
    op.create_index('ix_lms_lesson_opens_enrolment_id', 'lms_lesson_opens', ['enrolment_id'])
    op.create_index('ix_lms_lesson_opens_opened_at', 'lms_lesson_opens', ['opened_at'])


def downgrade():
    op.drop_index('ix_lms_lesson_opens_opened_at', table_name='lms_lesson_opens')
    op.drop_index('ix_lms_lesson_opens_enrolment_id', table_name='lms_lesson_opens')
    op.drop_table('lms_lesson_opens')
    op.drop_table('lms_xapi_sender')
    op.drop_index('ix_lms_xapi_outbox_user_id', table_name='lms_xapi_outbox')
    op.drop_index('ix_lms_xapi_outbox_status_id', table_name='lms_xapi_outbox')
    op.drop_table('lms_xapi_outbox')
    op.drop_table('lms_xapi_actors')
    with op.batch_alter_table('lms_enrolments') as batch:
        batch.drop_constraint('uq_lms_enrolments_uuid', type_='unique')
        batch.drop_column('uuid')
