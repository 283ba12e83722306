"""Initial schema: every table of DESIGN section 4.

Revision ID: 8b13152518f2
Revises: 
Create Date: 2026-11-25 17:36:20.467003
"""

import sqlalchemy as sa
from alembic import op

from sqlalchemy.dialects import postgresql

import curriculum.db

revision = '8b13152518f2'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    
    op.create_table('lms_courses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('default_language', sa.String(length=5), nullable=False),
    sa.Column('languages', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('complete_languages', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('titles', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('descriptions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('audience', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('estimated_hours', sa.Integer(), nullable=False),
    sa.Column('sequential', sa.Boolean(), nullable=False),
    sa.Column('self_enrolment', sa.Boolean(), nullable=False),
    sa.Column('serial_prefix', sa.String(length=8), nullable=False),
    sa.Column('certificate_rule', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('imported_at', curriculum.db.UTCDateTime(), nullable=False),
    sa.Column('archived_at', curriculum.db.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_courses')),
    sa.UniqueConstraint('slug', name=op.f('uq_lms_courses_slug'))
    )
    op.create_table('lms_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', curriculum.db.UTCDateTime(), nullable=False),
    sa.Column('sent_at', curriculum.db.UTCDateTime(), nullable=True),
    sa.Column('error', sa.String(length=1000), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_outbox'))
    )
    with op.batch_alter_table('lms_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_outbox_recipient'), ['recipient'], unique=False)

    op.create_table('lms_users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('email_key', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('locale', sa.String(length=5), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', curriculum.db.UTCDateTime(), nullable=False),
    sa.Column('last_login_at', curriculum.db.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_users')),
    sa.UniqueConstraint('email_key', name=op.f('uq_lms_users_email_key'))
    )
    op.create_table('lms_audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=80), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.String(length=80), nullable=False),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', curriculum.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['lms_users.id'], name=op.f('fk_lms_audit_events_actor_id_lms_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_audit_events'))
    )
    with op.batch_alter_table('lms_audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_audit_events_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_audit_events_created_at'), ['created_at'], unique=False)

    op.create_table('lms_cohorts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('territory', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('join_code', sa.String(length=16), nullable=False),
    sa.Column('created_at', curriculum.db.UTCDateTime(), nullable=False),
    sa.Column('archived_at', curriculum.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['lms_courses.id'], name=op.f('fk_lms_cohorts_course_id_lms_courses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_cohorts')),
    sa.UniqueConstraint('join_code', name=op.f('uq_lms_cohorts_join_code'))
    )
    with op.batch_alter_table('lms_cohorts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_cohorts_course_id'), ['course_id'], unique=False)

    op.create_table('lms_course_assets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=255), nullable=False),
    sa.Column('mimetype', sa.String(length=100), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['lms_courses.id'], name=op.f('fk_lms_course_assets_course_id_lms_courses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_course_assets')),
    sa.UniqueConstraint('course_id', 'path', name=op.f('uq_lms_course_assets_course_id_path'))
    )
    op.create_table('lms_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=50), nullable=False),
    sa.Column('params', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('errors', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('error', sa.String(length=2000), nullable=True),
    sa.Column('cancel_requested', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', curriculum.db.UTCDateTime(), nullable=False),
    sa.Column('started_at', curriculum.db.UTCDateTime(), nullable=True),
    sa.Column('finished_at', curriculum.db.UTCDateTime(), nullable=True),
    sa.Column('heartbeat_at', curriculum.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['lms_users.id'], name=op.f('fk_lms_jobs_created_by_id_lms_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_jobs'))
    )
    op.create_table('lms_modules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('titles', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('summaries', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('archived_at', curriculum.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['lms_courses.id'], name=op.f('fk_lms_modules_course_id_lms_courses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_modules')),
    sa.UniqueConstraint('course_id', 'slug', name=op.f('uq_lms_modules_course_id_slug'))
    )
    op.create_table('lms_user_roles',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['lms_users.id'], name=op.f('fk_lms_user_roles_user_id_lms_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'role', name=op.f('pk_lms_user_roles'))
    )
    op.create_table('lms_cohort_trainers',
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['lms_cohorts.id'], name=op.f('fk_lms_cohort_trainers_cohort_id_lms_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['lms_users.id'], name=op.f('fk_lms_cohort_trainers_user_id_lms_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('cohort_id', 'user_id', name=op.f('pk_lms_cohort_trainers'))
    )
    op.create_table('lms_enrolments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('enrolled_at', curriculum.db.UTCDateTime(), nullable=False),
    sa.Column('completed_at', curriculum.db.UTCDateTime(), nullable=True),
    sa.Column('last_activity_at', curriculum.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['cohort_id'], ['lms_cohorts.id'], name=op.f('fk_lms_enrolments_cohort_id_lms_cohorts')),
    sa.ForeignKeyConstraint(['course_id'], ['lms_courses.id'], name=op.f('fk_lms_enrolments_course_id_lms_courses')),
    sa.ForeignKeyConstraint(['user_id'], ['lms_users.id'], name=op.f('fk_lms_enrolments_user_id_lms_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_enrolments')),
    sa.UniqueConstraint('user_id', 'course_id', name=op.f('uq_lms_enrolments_user_id_course_id'))
    )
    with op.batch_alter_table('lms_enrolments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_enrolments_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_enrolments_course_id'), ['course_id'], unique=False)

    op.create_table('lms_lessons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('titles', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('bodies', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('settings', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('archived_at', curriculum.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['lms_courses.id'], name=op.f('fk_lms_lessons_course_id_lms_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['module_id'], ['lms_modules.id'], name=op.f('fk_lms_lessons_module_id_lms_modules'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_lessons')),
    sa.UniqueConstraint('module_id', 'slug', name=op.f('uq_lms_lessons_module_id_slug'))
    )
    with op.batch_alter_table('lms_lessons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_lessons_course_id'), ['course_id'], unique=False)

    op.create_table('lms_certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('serial', sa.String(length=32), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('live_enrolment_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('snapshot', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('signature', sa.String(length=200), nullable=False),
    sa.Column('key_id', sa.String(length=64), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=False),
    sa.Column('issued_at', curriculum.db.UTCDateTime(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('issue_reason', sa.Text(), nullable=True),
    sa.Column('expires_at', curriculum.db.UTCDateTime(), nullable=True),
    sa.Column('revoked_at', curriculum.db.UTCDateTime(), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('revoke_reason', sa.Text(), nullable=True),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['lms_courses.id'], name=op.f('fk_lms_certificates_course_id_lms_courses')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['lms_enrolments.id'], name=op.f('fk_lms_certificates_enrolment_id_lms_enrolments')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['lms_users.id'], name=op.f('fk_lms_certificates_issued_by_id_lms_users')),
    sa.ForeignKeyConstraint(['live_enrolment_id'], ['lms_enrolments.id'], name=op.f('fk_lms_certificates_live_enrolment_id_lms_enrolments')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['lms_users.id'], name=op.f('fk_lms_certificates_revoked_by_id_lms_users')),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['lms_certificates.id'], name=op.f('fk_lms_certificates_superseded_by_id_lms_certificates')),
    sa.ForeignKeyConstraint(['user_id'], ['lms_users.id'], name=op.f('fk_lms_certificates_user_id_lms_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_certificates')),
    sa.UniqueConstraint('live_enrolment_id', name=op.f('uq_lms_certificates_live_enrolment_id')),
    sa.UniqueConstraint('serial', name=op.f('uq_lms_certificates_serial'))
    )
    with op.batch_alter_table('lms_certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_certificates_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_certificates_enrolment_id'), ['enrolment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_certificates_user_id'), ['user_id'], unique=False)

    op.create_table('lms_lesson_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('first_activity_at', curriculum.db.UTCDateTime(), nullable=False),
    sa.Column('last_activity_at', curriculum.db.UTCDateTime(), nullable=False),
    sa.Column('completed_at', curriculum.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['enrolment_id'], ['lms_enrolments.id'], name=op.f('fk_lms_lesson_progress_enrolment_id_lms_enrolments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lesson_id'], ['lms_lessons.id'], name=op.f('fk_lms_lesson_progress_lesson_id_lms_lessons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_lesson_progress')),
    sa.UniqueConstraint('enrolment_id', 'lesson_id', name=op.f('uq_lms_lesson_progress_enrolment_id_lesson_id'))
    )
    with op.batch_alter_table('lms_lesson_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_lesson_progress_lesson_id'), ['lesson_id'], unique=False)

    op.create_table('lms_quiz_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('prompts', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('archived_at', curriculum.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['lesson_id'], ['lms_lessons.id'], name=op.f('fk_lms_quiz_questions_lesson_id_lms_lessons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_quiz_questions')),
    sa.UniqueConstraint('lesson_id', 'key', name=op.f('uq_lms_quiz_questions_lesson_id_key'))
    )
    op.create_table('lms_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', curriculum.db.UTCDateTime(), nullable=False),
    sa.Column('place', sa.String(length=255), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['lms_cohorts.id'], name=op.f('fk_lms_sessions_cohort_id_lms_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lesson_id'], ['lms_lessons.id'], name=op.f('fk_lms_sessions_lesson_id_lms_lessons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_sessions'))
    )
    with op.batch_alter_table('lms_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_sessions_cohort_id'), ['cohort_id'], unique=False)

    op.create_table('lms_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=True),
    sa.Column('file_type', sa.String(length=20), nullable=True),
    sa.Column('file_size', sa.Integer(), nullable=True),
    sa.Column('file_path', sa.String(length=255), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('feedback', sa.Text(), nullable=False),
    sa.Column('feedback_html', sa.Text(), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', curriculum.db.UTCDateTime(), nullable=True),
    sa.Column('submitted_at', curriculum.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['enrolment_id'], ['lms_enrolments.id'], name=op.f('fk_lms_submissions_enrolment_id_lms_enrolments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lesson_id'], ['lms_lessons.id'], name=op.f('fk_lms_submissions_lesson_id_lms_lessons')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['lms_users.id'], name=op.f('fk_lms_submissions_reviewed_by_id_lms_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_submissions')),
    sa.UniqueConstraint('enrolment_id', 'lesson_id', name=op.f('uq_lms_submissions_enrolment_id_lesson_id'))
    )
    with op.batch_alter_table('lms_submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_submissions_lesson_id'), ['lesson_id'], unique=False)

    op.create_table('lms_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', curriculum.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['enrolment_id'], ['lms_enrolments.id'], name=op.f('fk_lms_attendance_enrolment_id_lms_enrolments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['lms_users.id'], name=op.f('fk_lms_attendance_recorded_by_id_lms_users')),
    sa.ForeignKeyConstraint(['session_id'], ['lms_sessions.id'], name=op.f('fk_lms_attendance_session_id_lms_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_attendance')),
    sa.UniqueConstraint('session_id', 'enrolment_id', name=op.f('uq_lms_attendance_session_id_enrolment_id'))
    )
    with op.batch_alter_table('lms_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_attendance_enrolment_id'), ['enrolment_id'], unique=False)

    op.create_table('lms_certificate_files',
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['lms_certificates.id'], name=op.f('fk_lms_certificate_files_certificate_id_lms_certificates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('certificate_id', name=op.f('pk_lms_certificate_files'))
    )
    op.create_table('lms_quiz_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('progress_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('submitted_at', curriculum.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['progress_id'], ['lms_lesson_progress.id'], name=op.f('fk_lms_quiz_attempts_progress_id_lms_lesson_progress'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_quiz_attempts')),
    sa.UniqueConstraint('progress_id', 'number', name=op.f('uq_lms_quiz_attempts_progress_id_number'))
    )
    op.create_table('lms_quiz_choices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('texts', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('correct', sa.Boolean(), nullable=False),
    sa.Column('explanations', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('archived_at', curriculum.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['question_id'], ['lms_quiz_questions.id'], name=op.f('fk_lms_quiz_choices_question_id_lms_quiz_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_quiz_choices')),
    sa.UniqueConstraint('question_id', 'key', name=op.f('uq_lms_quiz_choices_question_id_key'))
    )
    


def downgrade():
    
    op.drop_table('lms_quiz_choices')
    op.drop_table('lms_quiz_attempts')
    op.drop_table('lms_certificate_files')
    with op.batch_alter_table('lms_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_attendance_enrolment_id'))

    op.drop_table('lms_attendance')
    with op.batch_alter_table('lms_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_submissions_lesson_id'))

    op.drop_table('lms_submissions')
    with op.batch_alter_table('lms_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_sessions_cohort_id'))

    op.drop_table('lms_sessions')
    op.drop_table('lms_quiz_questions')
    with op.batch_alter_table('lms_lesson_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_lesson_progress_lesson_id'))

    op.drop_table('lms_lesson_progress')
    with op.batch_alter_table('lms_certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_certificates_user_id'))
        batch_op.drop_index(batch_op.f('ix_lms_certificates_enrolment_id'))
        batch_op.drop_index(batch_op.f('ix_lms_certificates_course_id'))

    op.drop_table('lms_certificates')
    with op.batch_alter_table('lms_lessons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_lessons_course_id'))

    op.drop_table('lms_lessons')
    with op.batch_alter_table('lms_enrolments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_enrolments_course_id'))
        batch_op.drop_index(batch_op.f('ix_lms_enrolments_cohort_id'))

    op.drop_table('lms_enrolments')
    op.drop_table('lms_cohort_trainers')
    op.drop_table('lms_user_roles')
    op.drop_table('lms_modules')
    op.drop_table('lms_jobs')
    op.drop_table('lms_course_assets')
    with op.batch_alter_table('lms_cohorts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_cohorts_course_id'))

    op.drop_table('lms_cohorts')
    with op.batch_alter_table('lms_audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_audit_events_created_at'))
        batch_op.drop_index(batch_op.f('ix_lms_audit_events_actor_id'))

    op.drop_table('lms_audit_events')
    op.drop_table('lms_users')
    with op.batch_alter_table('lms_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_outbox_recipient'))

    op.drop_table('lms_outbox')
    op.drop_table('lms_courses')
    
