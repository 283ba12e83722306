"""Alembic revisions of the LMS (version table ``alembic_version_lms``)."""
