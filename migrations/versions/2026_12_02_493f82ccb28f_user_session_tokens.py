"""Users: a session token, in the session and the remember-me cookie; a new one (logout, "log out
everywhere", a new password) ends every session of the account on the server.

Revision ID: 493f82ccb28f
Revises: 4e7a2c9f1b06
Create Date: 2026-12-02 09:00:00.000000
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = '493f82ccb28f'
down_revision = '4e7a2c9f1b06'
branch_labels = None
depends_on = None


def upgrade():
    # NOT NULL arrives with a server default, each account then gets a token of its own (the
    # sessions of before, keyed by the password's fingerprint, end: everyone logs in once more),
    # and the default goes: new accounts get their token from the application.
    with op.batch_alter_table('lms_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=32), server_default='', nullable=False))
    connection = op.get_bind()
    ids = connection.execute(sa.text("SELECT id FROM lms_users")).scalars().all()
    if ids:
        connection.execute(
            sa.text("UPDATE lms_users SET session_token = :token WHERE id = :id"),
            [{"id": id_, "token": secrets.token_hex(16)} for id_ in ids],
        )
    with op.batch_alter_table('lms_users', schema=None) as batch_op:
        batch_op.alter_column('session_token', server_default=None)


def downgrade():
    with op.batch_alter_table('lms_users', schema=None) as batch_op:
        batch_op.drop_column('session_token')
