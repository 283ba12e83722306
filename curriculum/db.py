"""The database object and declarative base shared by every table of the product.

It lives in ``curriculum`` because ``curriculum`` is the lowest layer (it knows nothing of people):
``lms`` and ``certificates`` build on it, and nothing here imports them, so there is no cycle.
Its sessions are of their own class (``LMSSession``), so that the LMS's listeners (mail and
jobs handed over after a commit) hear the LMS's sessions only, never a host app's. Tables are prefixed ``lms_`` and every
constraint is named, so that Alembic migrations are stable on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession
from sqlalchemy import JSON, DateTime, MetaData
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: JSON on every database, JSONB on PostgreSQL.
JSONType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class LMSSession(FlaskSQLAlchemySession):
    """The sessions of ``db``: what the LMS's ``after_commit`` listeners listen to."""


db = SQLAlchemy(model_class=Base, session_options={"class_": LMSSession})


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (stored naive-free everywhere)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as naive UTC and always read back timezone-aware (UTC).

    SQLite keeps no time zone; this makes both databases behave the same.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value
