"""Queuing costs the learner's request little: a request's statements go out in one INSERT at
its commit, the learner's actor name is read once, a savepoint rolled back drops only what was
queued inside it (no LRS needed: nothing is sent here)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from curriculum.db import db
from curriculum.models import Lesson
from lms.learning import operations
from lms.records import outbox
from lms.records.models import XapiStatement


@pytest.fixture
def app_config(app_config):
    return {**app_config, "LMS_XAPI_ENDPOINT": "http://127.0.0.1:9/xAPI"}


@pytest.fixture(autouse=True)
def no_sender(monkeypatch):
    monkeypatch.setattr(outbox, "wake_sender", lambda app: None)


def verbs() -> list[str]:
    return list(db.session.scalars(select(XapiStatement.verb).order_by(XapiStatement.id)))


def test_one_insert_per_transaction_and_the_actor_read_once(app, make_user, make_course,
                                                             count_queries):  # fmt: skip
    course = make_course()
    enrolment = operations.enrol(make_user(), course)
    db.session.commit()
    quiz = db.session.scalar(select(Lesson).where(Lesson.slug == "check"))
    with count_queries() as queries:
        operations.open_lesson(enrolment, quiz)
        operations.submit_quiz(enrolment, quiz, {"q1": ["a"], "q2": ["a", "b"], "q3": ["true"]}, 1)
        db.session.commit()
    inserts = [q for q in queries if q.lstrip().upper().startswith("INSERT INTO LMS_XAPI_OUTBOX")]
    assert len(inserts) == 1
    # the name made at the enrolment is read back once (7 statements), then kept
    assert len([q for q in queries if "lms_xapi_actors" in q]) == 1
    with count_queries() as queries:
        operations.open_lesson(enrolment, quiz)
        db.session.commit()
    assert not [q for q in queries if "lms_xapi_actors" in q]
    assert verbs() == ["registered", "launched", "answered", "answered", "answered", "passed",
                       "completed", "launched"]  # fmt: skip


def test_a_savepoint_rolled_back_drops_only_its_statements(app, make_user, make_course):
    course = make_course()
    enrolment = operations.enrol(make_user(), course)
    intro, wrap_up = (
        db.session.scalar(select(Lesson).where(Lesson.slug == slug))
        for slug in ("intro", "wrap-up")
    )
    operations.open_lesson(enrolment, intro)
    savepoint = db.session.begin_nested()
    operations.open_lesson(enrolment, wrap_up)
    savepoint.rollback()
    db.session.commit()
    assert verbs() == ["registered", "experienced"]
    operations.open_lesson(enrolment, wrap_up)
    db.session.rollback()
    assert verbs() == ["registered", "experienced"]
