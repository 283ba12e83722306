"""Read-side helpers for accounts."""

from __future__ import annotations

from sqlalchemy import or_, select

from curriculum.db import db

from .models import User, UserRole


def search_users(query: str = "", role: str = "", page: int = 1, per_page: int = 25):
    statement = select(User).order_by(User.name, User.id)
    if query:
        like = f"%{query.strip().lower()}%"
        statement = statement.where(or_(User.email_key.like(like), User.name.ilike(like)))
    if role:
        statement = statement.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    return db.paginate(statement, page=page, per_page=per_page, error_out=False)
