"""Fixtures of the cohort tests: a trainer's cohort of the default course, learners in it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from curriculum.db import db
from lms.cohorts.models import Cohort
from lms.learning.operations import enrol
from tests.clients import IsolatedClient

PASSWORD = "correct horse battery"


@pytest.fixture
def as_user(app) -> Callable:
    """``as_user(user)`` → a test client logged in as ``user``; several can be used in one test
    (each request runs in its own application context: see tests/clients.py). The browser asks
    for English, so pages of users without a preferred language read as the assertions do."""
    app.test_client_class = IsolatedClient

    def factory(user, password: str = PASSWORD):
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return factory


@pytest.fixture
def trainer(make_user):
    return make_user(email="youssef@example.org", name="Youssef Amrani", roles=("trainer",))


@pytest.fixture
def make_cohort(make_course) -> Callable:
    """``make_cohort(trainers=[...], course=None, code=..., **columns)`` → a committed cohort."""
    counter = {"n": 0}

    def factory(trainers, course=None, code=None, **columns):
        counter["n"] += 1
        course = course or make_course(slug=f"civics{counter['n']}", sequential=False)
        columns.setdefault("name", f"Cohorte {counter['n']}")
        cohort = Cohort(
            course_id=course.id,
            join_code=code or f"CODE{counter['n']:04d}",
            trainers=list(trainers),
            **columns,
        )
        db.session.add(cohort)
        db.session.commit()
        return cohort

    return factory


@pytest.fixture
def add_learners(make_user) -> Callable:
    """``add_learners(cohort, n)`` → n committed enrolments of new learners in the cohort."""

    def factory(cohort, n: int, **user_kwargs):
        enrolments = []
        for _ in range(n):
            user = make_user(**user_kwargs)
            enrolments.append(enrol(user, cohort.course, cohort))
        db.session.commit()
        return enrolments

    return factory
