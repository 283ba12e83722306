"""Read side shared by the outbox pages (mail, xAPI statements, LTI scores, push notifications,
DESIGN.md §13): how many rows are in each state, the latest error, one page of the latest rows
and the names their ids point to. Each area gives its model, the expression of a row's state
(a column, or a ``case`` when a state is derived) and its states."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, func, select

from curriculum.db import db
from lms.users.models import User

PER_PAGE = 25


def state_counts(state: ColumnElement, states: Sequence[str]) -> dict[str, int]:
    """The number of rows in each state (every state present, 0 when none)."""
    rows = db.session.execute(select(state, func.count()).group_by(state))
    return {**dict.fromkeys(states, 0), **dict(rows.all())}


def latest(model, *where: ColumnElement):
    """The latest row (highest id) that matches ``where``, or ``None``."""
    return db.session.scalars(
        select(model).where(*where).order_by(model.id.desc()).limit(1)
    ).first()


def rows_page(model, state: ColumnElement, states: Sequence[str], page: int,
              status: str | None, per_page: int = PER_PAGE):  # fmt: skip
    """The latest rows first, only those in ``status`` if it is one of ``states``."""
    query = select(model).order_by(model.id.desc())
    if status in states:
        query = query.where(state == status)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def names_by_id(ids: Iterable[int | None], id_column, name_column) -> dict[int, str]:
    """``{id: name}`` for the ids given (one query, none when there is no id)."""
    wanted = {value for value in ids if value is not None}
    if not wanted:
        return {}
    return dict(
        db.session.execute(select(id_column, name_column).where(id_column.in_(wanted))).all()
    )


def user_names(rows: Iterable, attribute: str = "user_id") -> dict[int, str]:
    """The name of each user the rows point to, by user id."""
    return names_by_id((getattr(row, attribute) for row in rows), User.id, User.name)
