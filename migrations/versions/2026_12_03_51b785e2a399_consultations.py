"""Consultations of citizens: a circle's questions, answers from several channels, their values
(one row per chosen choice or text, with a covering index for the results) and CSV imports.

Revision ID: 51b785e2a399
Revises: a7c3e5f9b214
Create Date: 2026-12-03 07:25:34.176607
"""

import sqlalchemy as sa
from alembic import op

from sqlalchemy.dialects import postgresql

import curriculum.db

revision = '51b785e2a399'
down_revision = 'a7c3e5f9b214'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lms_consultations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('titles', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('intros', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('communes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=True),
    sa.Column('closes_on', sa.Date(), nullable=True),
    sa.Column('milestone_lesson_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', curriculum.db.UTCDateTime(), nullable=False),
    sa.Column('opened_at', curriculum.db.UTCDateTime(), nullable=True),
    sa.Column('closed_at', curriculum.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['lms_users.id'], name=op.f('fk_lms_consultations_created_by_id_lms_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['milestone_lesson_id'], ['lms_lessons.id'], name=op.f('fk_lms_consultations_milestone_lesson_id_lms_lessons'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['lms_circle_projects.id'], name=op.f('fk_lms_consultations_project_id_lms_circle_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_consultations')),
    sa.UniqueConstraint('code', name=op.f('uq_lms_consultations_code'))
    )
    with op.batch_alter_table('lms_consultations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_consultations_project_id'), ['project_id'], unique=False)

    op.create_table('lms_consultation_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', curriculum.db.UTCDateTime(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('rows', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('applied_at', curriculum.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['consultation_id'], ['lms_consultations.id'], name=op.f('fk_lms_consultation_imports_consultation_id_lms_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['lms_users.id'], name=op.f('fk_lms_consultation_imports_created_by_id_lms_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_consultation_imports'))
    )
    with op.batch_alter_table('lms_consultation_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_consultation_imports_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('lms_consultation_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('prompts', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('choices', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['lms_consultations.id'], name=op.f('fk_lms_consultation_questions_consultation_id_lms_consultations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_consultation_questions'))
    )
    with op.batch_alter_table('lms_consultation_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_consultation_questions_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('lms_consultation_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('commune', sa.String(length=100), nullable=False),
    sa.Column('answered_on', sa.Date(), nullable=False),
    sa.Column('device_hash', sa.String(length=64), nullable=True),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('import_id', sa.Integer(), nullable=True),
    sa.Column('created_at', curriculum.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['lms_consultations.id'], name=op.f('fk_lms_consultation_answers_consultation_id_lms_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entered_by_id'], ['lms_users.id'], name=op.f('fk_lms_consultation_answers_entered_by_id_lms_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['import_id'], ['lms_consultation_imports.id'], name=op.f('fk_lms_consultation_answers_import_id_lms_consultation_imports'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_consultation_answers')),
    sa.UniqueConstraint('consultation_id', 'device_hash', name=op.f('uq_lms_consultation_answers_consultation_id_device_hash'))
    )
    with op.batch_alter_table('lms_consultation_answers', schema=None) as batch_op:
        batch_op.create_index('ix_lms_consultation_answers_breakdown', ['consultation_id', 'channel', 'commune'], unique=False)

    op.create_table('lms_consultation_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('choice', sa.String(length=20), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('commune', sa.String(length=100), nullable=False),
    sa.Column('hidden_at', curriculum.db.UTCDateTime(), nullable=True),
    sa.Column('hidden_by_id', sa.Integer(), nullable=True),
    sa.Column('hidden_reason', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['lms_consultation_answers.id'], name=op.f('fk_lms_consultation_values_answer_id_lms_consultation_answers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['consultation_id'], ['lms_consultations.id'], name=op.f('fk_lms_consultation_values_consultation_id_lms_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['hidden_by_id'], ['lms_users.id'], name=op.f('fk_lms_consultation_values_hidden_by_id_lms_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['question_id'], ['lms_consultation_questions.id'], name=op.f('fk_lms_consultation_values_question_id_lms_consultation_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_consultation_values'))
    )
    with op.batch_alter_table('lms_consultation_values', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_consultation_values_answer_id'), ['answer_id'], unique=False)
        batch_op.create_index('ix_lms_consultation_values_tally', ['consultation_id', 'question_id', 'choice', 'channel', 'commune', 'answer_id'], unique=False)
        batch_op.create_index('ix_lms_consultation_values_texts', ['question_id', 'id'], unique=False)



def downgrade():
    with op.batch_alter_table('lms_consultation_values', schema=None) as batch_op:
        batch_op.drop_index('ix_lms_consultation_values_texts')
        batch_op.drop_index('ix_lms_consultation_values_tally')
        batch_op.drop_index(batch_op.f('ix_lms_consultation_values_answer_id'))

    op.drop_table('lms_consultation_values')
    with op.batch_alter_table('lms_consultation_answers', schema=None) as batch_op:
        batch_op.drop_index('ix_lms_consultation_answers_breakdown')

    op.drop_table('lms_consultation_answers')
    with op.batch_alter_table('lms_consultation_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_consultation_questions_consultation_id'))

    op.drop_table('lms_consultation_questions')
    with op.batch_alter_table('lms_consultation_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_consultation_imports_consultation_id'))

    op.drop_table('lms_consultation_imports')
    with op.batch_alter_table('lms_consultations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_consultations_project_id'))

    op.drop_table('lms_consultations')
