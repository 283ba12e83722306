"""Read-side helpers for accounts."""

from __future__ import annotations

from sqlalchemy import or_, select

from curriculum.db import db
from lms.errors import NotFound

from .models import User, UserRole


def search_users(query: str = "", role: str = "", page: int = 1, per_page: int = 25):
    """Users whose name or e-mail contains ``query`` (any case), holding ``role`` if given, by name."""
    statement = select(User).order_by(User.name, User.id)
    query = query.strip()
    if query:
        # autoescape: a "%" or "_" typed in the search box is a character, not a wildcard
        statement = statement.where(
            or_(
                User.email_key.contains(query.lower(), autoescape=True),
                User.name.icontains(query, autoescape=True),
            )
        )
    if role:
        statement = statement.where(
            User.id.in_(select(UserRole.user_id).where(UserRole.role == role))
        )
    return db.paginate(statement, page=page, per_page=per_page, error_out=False)


def user_by_id(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user
