"""Fixtures of the circle tests: a trainer's cohort with learners, and circles formed in it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from curriculum.db import db
from lms.circles.models import Circle, CircleMember, Project
from tests.lms.cohorts.conftest import (  # noqa: F401 - fixtures shared with the cohort tests
    PASSWORD,
    add_learners,
    as_user,
    make_cohort,
    trainer,
)


@pytest.fixture
def make_circle() -> Callable:
    """``make_circle(cohort, users, name=..., **project)`` → a committed circle of ``users`` (the
    data written directly, not through the operations under test) with its project."""
    counter = {"n": 0}

    def factory(cohort, users, name=None, **project):
        counter["n"] += 1
        circle = Circle(
            cohort_id=cohort.id, name=name or f"Cercle {counter['n']}", code=f"C{counter['n']:05d}"
        )
        circle.memberships = [CircleMember(cohort_id=cohort.id, user_id=u.id) for u in users]
        project.setdefault("title", f"Projet {counter['n']}")
        circle.project = Project(**project)
        db.session.add(circle)
        db.session.commit()
        return circle

    return factory


TEAM_MODULES = [
    (
        "charter",
        [
            {"slug": "intro", "kind": "reading", "required": False},
            {
                "slug": "our-charter",
                "kind": "assignment",
                "settings": {
                    "team": True,
                    "deliverable": {"fr": "La charte", "en": "The charter"},
                    "submission": {
                        "text": True,
                        "file": True,
                        "file_types": ["pdf", "png", "jpeg"],
                        "max_file_mb": 1,
                    },
                },
            },
        ],
    ),
    ("diagnosis", [{"slug": "data", "kind": "reading"}]),
]


@pytest.fixture
def team_course(make_course):
    """A sequential course whose first module ends with a team assignment (our-charter)."""
    return make_course(slug="circles-course", sequential=True, modules=TEAM_MODULES)


@pytest.fixture
def team_lesson(team_course):
    return next(
        lesson
        for module in team_course.modules
        for lesson in module.lessons
        if lesson.slug == "our-charter"
    )
