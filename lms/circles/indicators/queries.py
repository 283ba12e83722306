"""Reads of a project's indicators: all of them with their values (two queries whatever their
number), one of them (404 when it is not this project's)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from curriculum.db import db
from lms.circles.models import Project
from lms.errors import NotFound

from .models import Indicator


def of_project(project: Project | None) -> list[Indicator]:
    if project is None:
        return []
    return list(
        db.session.scalars(
            select(Indicator)
            .options(selectinload(Indicator.values))
            .where(Indicator.project_id == project.id)
            .order_by(Indicator.id)
        )
    )


def indicator_of(project: Project, indicator_id: int) -> Indicator:
    found = db.session.scalar(
        select(Indicator).where(Indicator.id == indicator_id, Indicator.project_id == project.id)
    )
    if found is None:
        raise NotFound()
    return found
