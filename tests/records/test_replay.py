"""``lms xapi replay``: a module completed is dated by the lesson that completed it (the last of
its required lessons done), and queued after it; each learner's statements in time order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from curriculum.db import db
from curriculum.models import Lesson
from lms.learning import operations
from lms.records import outbox
from lms.records.models import XapiStatement
from lms.records.replay import replay

MODULES = [
    ("basics", [{"slug": "intro", "kind": "reading"}, {"slug": "second", "kind": "reading"},
                {"slug": "extra", "kind": "reading", "required": False}]),
    ("next-steps", [{"slug": "wrap-up", "kind": "reading"}]),
]  # fmt: skip
START = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture
def app_config(app_config):
    return {**app_config, "LMS_XAPI_ENDPOINT": None}  # nothing queued live: replay does it


@pytest.fixture(autouse=True)
def no_sender(monkeypatch):
    monkeypatch.setattr(outbox, "wake_sender", lambda app: None)


def test_a_module_is_replayed_at_the_time_of_the_lesson_that_completed_it(make_user, make_course):
    course = make_course(sequential=False, modules=MODULES)
    enrolment = operations.enrol(make_user(), course)
    lessons = {lesson.slug: lesson for lesson in db.session.scalars(select(Lesson))}
    # done in this order, an hour apart: the module is complete with "second"
    for hours, slug in enumerate(("intro", "second", "extra"), start=1):
        operations.mark_done(enrolment, lessons[slug])
        operations.progress_for(enrolment, lessons[slug]).completed_at = START + timedelta(
            hours=hours
        )
    enrolment.enrolled_at = START
    db.session.commit()

    assert replay(START - timedelta(days=1)) == (5, 0)
    db.session.commit()
    rows = list(db.session.scalars(select(XapiStatement).order_by(XapiStatement.id)))
    made = [(r.statement["object"]["id"].rsplit("/civics", 1)[1], r.statement["timestamp"])
            for r in rows]  # fmt: skip
    assert made == [
        ("", "2026-03-02T09:00:00.000Z"),  # registered
        ("/basics/intro", "2026-03-02T10:00:00.000Z"),
        ("/basics/second", "2026-03-02T11:00:00.000Z"),
        ("/basics", "2026-03-02T11:00:00.000Z"),  # with "second", not with "intro"
        ("/basics/extra", "2026-03-02T12:00:00.000Z"),
    ]
