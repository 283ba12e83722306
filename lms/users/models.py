"""People: accounts and their roles."""

from __future__ import annotations

import functools
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from curriculum.db import UTCDateTime, db, utcnow
from lms.mail.models import is_placeholder_address

ROLES = ("learner", "trainer", "admin")

#: Werkzeug's scrypt with its default cost (n=2**15, r=8, p=1). The test suite lowers the cost
#: factor (still scrypt) so that creating hundreds of accounts stays fast.
PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - a method name, not a password


def normalize_email(email: str) -> str:
    return email.strip().lower()


def new_session_token() -> str:
    return secrets.token_hex(16)


@functools.cache
def _dummy_hash(method: str) -> str:
    """A hash of a password nobody knows, computed once (per hashing method)."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def spend_one_password_check(password: str) -> None:
    """Take as long as checking a real password, for an account that has none (or no account):
    timing must not tell which accounts exist or have no password yet."""
    check_password_hash(_dummy_hash(PASSWORD_HASH_METHOD), password)


class User(UserMixin, db.Model):
    __tablename__ = "lms_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the address as typed; ``email_key`` (lower case) is what is unique
    email: Mapped[str] = mapped_column(String(254))
    email_key: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: in the session and the remember-me cookie (Flask-Login's id); a new one ends every
    #: session of the account: on logout, "log out everywhere" and a new password
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="joined"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login: a deactivated user cannot log in
        return self.active

    @property
    def roles(self) -> set[str]:
        return {row.role for row in self.role_rows}

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def has_email(self) -> bool:
        """False for an account made without a usable address (an LTI platform sent none, or one
        that belongs to another account here): its ``email`` is a placeholder, never mailed."""
        return not is_placeholder_address(self.email)

    @property
    def shown_email(self) -> str:
        """The address to show people: empty for a placeholder."""
        return self.email if self.has_email else ""

    @property
    def is_site_trainer(self) -> bool:
        """Holds the trainer role for the whole site, not only for the cohorts a platform's
        launch made them train (``UserRole.scope`` "lti")."""
        return any(row.role == "trainer" and row.scope is None for row in self.role_rows)

    @property
    def is_admin(self) -> bool:
        return self.has_role("admin")

    @property
    def is_trainer(self) -> bool:
        return self.has_role("trainer")

    def get_id(self) -> str:  # Flask-Login: what the session and the remember-me cookie hold
        return f"{self.id}.{self.session_token}"

    def end_sessions(self) -> None:
        """Log the account out everywhere: every session and remember-me cookie stops working."""
        self.session_token = new_session_token()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=PASSWORD_HASH_METHOD)
        self.end_sessions()  # a new password logs out every other device

    def check_password(self, password: str) -> bool:
        if not self.password_hash:
            spend_one_password_check(password)
            return False
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class UserRole(db.Model):
    __tablename__ = "lms_user_roles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("lms_users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)
    #: None: the role holds everywhere; "lti": granted by an LTI launch, it opens only the pages
    #: of the cohorts its platforms' courses map to (trainer), not the site-wide ones (a new cohort)
    scope: Mapped[str | None] = mapped_column(String(20))

    user: Mapped[User] = relationship(back_populates="role_rows")
