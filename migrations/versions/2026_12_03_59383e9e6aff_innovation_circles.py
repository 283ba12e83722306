"""Innovation circles: circles of a cohort, their members, project, allies, team submissions and
their history, milestone due dates; a course's required courses and the waivers of them.

Revision ID: 59383e9e6aff
Revises: 7d2f4b8e1c35
Create Date: 2026-12-03 07:02:19.707902
"""

import sqlalchemy as sa
from alembic import op

from sqlalchemy.dialects import postgresql

import curriculum.db

revision = '59383e9e6aff'
down_revision = '7d2f4b8e1c35'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lms_circle_settings',
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('self_formation', sa.Boolean(), nullable=False),
    sa.Column('max_members', sa.Integer(), nullable=False),
    sa.Column('updated_at', curriculum.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['lms_cohorts.id'], name=op.f('fk_lms_circle_settings_cohort_id_lms_cohorts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('cohort_id', name=op.f('pk_lms_circle_settings'))
    )
    op.create_table('lms_circles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('self_formed', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', curriculum.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['lms_cohorts.id'], name=op.f('fk_lms_circles_cohort_id_lms_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['lms_users.id'], name=op.f('fk_lms_circles_created_by_id_lms_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_circles')),
    sa.UniqueConstraint('code', name=op.f('uq_lms_circles_code')),
    sa.UniqueConstraint('cohort_id', 'name', name=op.f('uq_lms_circles_cohort_id_name'))
    )
    with op.batch_alter_table('lms_circles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_circles_cohort_id'), ['cohort_id'], unique=False)

    op.create_table('lms_prerequisite_waivers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('created_at', curriculum.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['lms_cohorts.id'], name=op.f('fk_lms_prerequisite_waivers_cohort_id_lms_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['granted_by_id'], ['lms_users.id'], name=op.f('fk_lms_prerequisite_waivers_granted_by_id_lms_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['lms_users.id'], name=op.f('fk_lms_prerequisite_waivers_user_id_lms_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_prerequisite_waivers')),
    sa.UniqueConstraint('cohort_id', 'user_id', name=op.f('uq_lms_prerequisite_waivers_cohort_id_user_id'))
    )
    with op.batch_alter_table('lms_prerequisite_waivers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_prerequisite_waivers_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_prerequisite_waivers_user_id'), ['user_id'], unique=False)

    op.create_table('lms_circle_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('joined_at', curriculum.db.UTCDateTime(), nullable=False),
    sa.Column('left_at', curriculum.db.UTCDateTime(), nullable=True),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('consents_to_publish', sa.Boolean(), nullable=False),
    sa.Column('show_first_name', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['lms_users.id'], name=op.f('fk_lms_circle_members_added_by_id_lms_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['circle_id'], ['lms_circles.id'], name=op.f('fk_lms_circle_members_circle_id_lms_circles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['cohort_id'], ['lms_cohorts.id'], name=op.f('fk_lms_circle_members_cohort_id_lms_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['lms_users.id'], name=op.f('fk_lms_circle_members_user_id_lms_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_circle_members'))
    )
    with op.batch_alter_table('lms_circle_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_circle_members_circle_id'), ['circle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_circle_members_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_lms_circle_members_current', ['cohort_id', 'user_id'], unique=True, sqlite_where=sa.text('left_at IS NULL'), postgresql_where=sa.text('left_at IS NULL'))

    op.create_table('lms_circle_milestone_dues',
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['lms_cohorts.id'], name=op.f('fk_lms_circle_milestone_dues_cohort_id_lms_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lesson_id'], ['lms_lessons.id'], name=op.f('fk_lms_circle_milestone_dues_lesson_id_lms_lessons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('cohort_id', 'lesson_id', name=op.f('pk_lms_circle_milestone_dues'))
    )
    op.create_table('lms_circle_projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('problem_who', sa.Text(), nullable=False),
    sa.Column('problem_what', sa.Text(), nullable=False),
    sa.Column('problem_where', sa.Text(), nullable=False),
    sa.Column('problem_how_many', sa.Text(), nullable=False),
    sa.Column('problem_why', sa.Text(), nullable=False),
    sa.Column('tried', sa.Text(), nullable=False),
    sa.Column('province', sa.String(length=100), nullable=False),
    sa.Column('commune', sa.String(length=100), nullable=False),
    sa.Column('theme', sa.String(length=40), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('stop_reason', sa.Text(), nullable=False),
    sa.Column('published_at', curriculum.db.UTCDateTime(), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', curriculum.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', curriculum.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['circle_id'], ['lms_circles.id'], name=op.f('fk_lms_circle_projects_circle_id_lms_circles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_id'], ['lms_users.id'], name=op.f('fk_lms_circle_projects_published_by_id_lms_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_circle_projects')),
    sa.UniqueConstraint('circle_id', name=op.f('uq_lms_circle_projects_circle_id'))
    )
    with op.batch_alter_table('lms_circle_projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_circle_projects_published_at'), ['published_at'], unique=False)

    op.create_table('lms_circle_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=True),
    sa.Column('file_type', sa.String(length=20), nullable=True),
    sa.Column('file_size', sa.Integer(), nullable=True),
    sa.Column('file_path', sa.String(length=255), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', curriculum.db.UTCDateTime(), nullable=False),
    sa.Column('feedback', sa.Text(), nullable=False),
    sa.Column('feedback_html', sa.Text(), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', curriculum.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['circle_id'], ['lms_circles.id'], name=op.f('fk_lms_circle_submissions_circle_id_lms_circles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lesson_id'], ['lms_lessons.id'], name=op.f('fk_lms_circle_submissions_lesson_id_lms_lessons')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['lms_users.id'], name=op.f('fk_lms_circle_submissions_reviewed_by_id_lms_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['lms_users.id'], name=op.f('fk_lms_circle_submissions_submitted_by_id_lms_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_circle_submissions')),
    sa.UniqueConstraint('circle_id', 'lesson_id', name=op.f('uq_lms_circle_submissions_circle_id_lesson_id'))
    )
    with op.batch_alter_table('lms_circle_submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_circle_submissions_circle_id'), ['circle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_circle_submissions_lesson_id'), ['lesson_id'], unique=False)

    op.create_table('lms_circle_project_allies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('contact_role', sa.String(length=200), nullable=False),
    sa.Column('commitment', sa.Text(), nullable=False),
    sa.Column('letter_name', sa.String(length=255), nullable=True),
    sa.Column('letter_type', sa.String(length=20), nullable=True),
    sa.Column('letter_size', sa.Integer(), nullable=True),
    sa.Column('letter_path', sa.String(length=255), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', curriculum.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['lms_users.id'], name=op.f('fk_lms_circle_project_allies_created_by_id_lms_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['lms_circle_projects.id'], name=op.f('fk_lms_circle_project_allies_project_id_lms_circle_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_circle_project_allies'))
    )
    with op.batch_alter_table('lms_circle_project_allies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_circle_project_allies_project_id'), ['project_id'], unique=False)

    op.create_table('lms_circle_submission_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=True),
    sa.Column('file_type', sa.String(length=20), nullable=True),
    sa.Column('file_size', sa.Integer(), nullable=True),
    sa.Column('file_path', sa.String(length=255), nullable=True),
    sa.Column('feedback', sa.Text(), nullable=False),
    sa.Column('created_at', curriculum.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['lms_users.id'], name=op.f('fk_lms_circle_submission_versions_author_id_lms_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submission_id'], ['lms_circle_submissions.id'], name=op.f('fk_lms_circle_submission_versions_submission_id_lms_circle_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_circle_submission_versions'))
    )
    with op.batch_alter_table('lms_circle_submission_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_circle_submission_versions_submission_id'), ['submission_id'], unique=False)

    with op.batch_alter_table('lms_courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requires', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), server_default='[]', nullable=False))



def downgrade():
    with op.batch_alter_table('lms_courses', schema=None) as batch_op:
        batch_op.drop_column('requires')

    with op.batch_alter_table('lms_circle_submission_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_circle_submission_versions_submission_id'))

    op.drop_table('lms_circle_submission_versions')
    with op.batch_alter_table('lms_circle_project_allies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_circle_project_allies_project_id'))

    op.drop_table('lms_circle_project_allies')
    with op.batch_alter_table('lms_circle_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_circle_submissions_lesson_id'))
        batch_op.drop_index(batch_op.f('ix_lms_circle_submissions_circle_id'))

    op.drop_table('lms_circle_submissions')
    with op.batch_alter_table('lms_circle_projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_circle_projects_published_at'))

    op.drop_table('lms_circle_projects')
    op.drop_table('lms_circle_milestone_dues')
    with op.batch_alter_table('lms_circle_members', schema=None) as batch_op:
        batch_op.drop_index('uq_lms_circle_members_current', sqlite_where=sa.text('left_at IS NULL'), postgresql_where=sa.text('left_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_lms_circle_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_lms_circle_members_circle_id'))

    op.drop_table('lms_circle_members')
    with op.batch_alter_table('lms_prerequisite_waivers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_prerequisite_waivers_user_id'))
        batch_op.drop_index(batch_op.f('ix_lms_prerequisite_waivers_cohort_id'))

    op.drop_table('lms_prerequisite_waivers')
    with op.batch_alter_table('lms_circles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_circles_cohort_id'))

    op.drop_table('lms_circles')
    op.drop_table('lms_circle_settings')
