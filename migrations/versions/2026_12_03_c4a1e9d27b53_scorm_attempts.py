"""SCORM attempts: the CMI data of each learner's attempts at a scorm lesson.

Revision ID: c4a1e9d27b53
Revises: 59383e9e6aff
Create Date: 2026-12-03 07:00:00.000000
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import curriculum.db

revision = 'c4a1e9d27b53'
down_revision = '59383e9e6aff'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'lms_scorm_attempts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('enrolment_id', sa.Integer(), nullable=False),
        sa.Column('lesson_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('package_sha256', sa.String(length=64), nullable=False),
        sa.Column('version', sa.String(length=8), nullable=False),
        sa.Column('cmi', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
        sa.Column('suspend_data', sa.Text(), nullable=False),
        sa.Column('location', sa.String(length=1000), nullable=False),
        sa.Column('lesson_status', sa.String(length=20), nullable=False),
        sa.Column('completion_status', sa.String(length=20), nullable=False),
        sa.Column('success_status', sa.String(length=20), nullable=False),
        sa.Column('score_raw', sa.Float(), nullable=True),
        sa.Column('score_min', sa.Float(), nullable=True),
        sa.Column('score_max', sa.Float(), nullable=True),
        sa.Column('score_scaled', sa.Float(), nullable=True),
        sa.Column('score', sa.Integer(), nullable=True),
        sa.Column('session_time', sa.String(length=40), nullable=False),
        sa.Column('session_seconds', sa.Integer(), nullable=False),
        sa.Column('earlier_seconds', sa.Integer(), nullable=False),
        sa.Column('session_key', sa.String(length=40), nullable=False),
        sa.Column('sequence', sa.Integer(), nullable=False),
        sa.Column('sessions', sa.Integer(), nullable=False),
        sa.Column('commits', sa.Integer(), nullable=False),
        sa.Column('started_at', curriculum.db.UTCDateTime(), nullable=False),
        sa.Column('updated_at', curriculum.db.UTCDateTime(), nullable=False),
        sa.Column('completed_at', curriculum.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['enrolment_id'], ['lms_enrolments.id'], name=op.f('fk_lms_scorm_attempts_enrolment_id_lms_enrolments'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['lesson_id'], ['lms_lessons.id'], name=op.f('fk_lms_scorm_attempts_lesson_id_lms_lessons')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_scorm_attempts')),
        sa.UniqueConstraint('enrolment_id', 'lesson_id', 'number', name=op.f('uq_lms_scorm_attempts_enrolment_id_lesson_id_number')),
    )
    with op.batch_alter_table('lms_scorm_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_scorm_attempts_enrolment_id'), ['enrolment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_scorm_attempts_lesson_id'), ['lesson_id'], unique=False)


def downgrade():
    with op.batch_alter_table('lms_scorm_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_scorm_attempts_lesson_id'))
        batch_op.drop_index(batch_op.f('ix_lms_scorm_attempts_enrolment_id'))
    op.drop_table('lms_scorm_attempts')
