"""An event made again has the same statement id, and a repeat never breaks the request that
causes it: a module is completed once (an optional lesson done after it completes nothing), an
attendance sheet saved again sends nothing, a correction absent → present again sends nothing
twice; and the outbox itself skips an id it already holds (no LRS needed: nothing is sent)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from curriculum.db import db
from curriculum.models import Lesson
from lms.cohorts.models import Cohort
from lms.learning import operations
from lms.records import events, outbox, statements
from lms.records.models import XapiActor, XapiStatement
from lms.sessions.models import CohortSession

MODULES = [
    ("basics", [{"slug": "intro", "kind": "reading"},
                {"slug": "meeting", "kind": "session"},
                {"slug": "extra", "kind": "reading", "required": False}]),
    ("next-steps", [{"slug": "wrap-up", "kind": "reading"}]),
]  # fmt: skip


@pytest.fixture
def app_config(app_config):
    return {**app_config, "LMS_XAPI_ENDPOINT": "http://127.0.0.1:9/xAPI"}


@pytest.fixture(autouse=True)
def no_sender(monkeypatch):
    monkeypatch.setattr(outbox, "wake_sender", lambda app: None)


def lesson(slug: str) -> Lesson:
    return db.session.scalar(select(Lesson).where(Lesson.slug == slug))


def objects() -> list[tuple[str, str]]:
    """(verb, the object's id past the course's) of each row of the outbox, in order."""
    rows = db.session.scalars(select(XapiStatement).order_by(XapiStatement.id))
    return [(r.verb, r.statement["object"]["id"].split("/civics", 1)[-1]) for r in rows]


@pytest.fixture
def cohort(make_user, make_course):
    course = make_course(sequential=False, modules=MODULES)
    trainer = make_user(email="youssef@example.org", roles=("trainer",))
    cohort = Cohort(course_id=course.id, name="Tiznit", join_code="REPEAT26", trainers=[trainer])
    db.session.add(cohort)
    db.session.commit()
    return cohort


def test_an_optional_lesson_done_after_the_module_completes_nothing_more(
    client, login, make_user, cohort
):
    learner = make_user(email="salma@example.org")
    enrolment = operations.enrol(learner, cohort.course, cohort)
    operations.mark_done(enrolment, lesson("intro"))
    db.session.commit()
    assert ("completed", "/basics") not in objects()  # the session is still to attend
    session = CohortSession(cohort_id=cohort.id, lesson_id=lesson("meeting").id,
                            starts_at=datetime(2026, 12, 5, 9, tzinfo=UTC))  # fmt: skip
    db.session.add(session)
    db.session.commit()
    login(cohort.trainers[0])
    url = f"/cohorts/{cohort.id}/sessions/{session.id}/attendance"
    assert client.post(url, data={f"a-{enrolment.id}": "present"}).status_code == 302
    assert objects().count(("completed", "/basics")) == 1
    # the optional lesson at the end of the module: its commit works, no second module statement
    db.session.expire_all()
    operations.mark_done(enrolment, lesson("extra"))
    db.session.commit()
    assert ("completed", "/basics/extra") in objects()
    assert objects().count(("completed", "/basics")) == 1
    extra = operations.progress_for(enrolment, lesson("extra"))
    assert [s["object"]["id"] for s in events.lesson_completed(extra)] == [
        "http://lms.test/courses/civics/basics/extra"]  # fmt: skip


def test_the_sheet_saved_again_and_a_correction_send_each_statement_once(
    client, login, make_user, cohort
):
    learner = make_user(email="salma@example.org")
    enrolment = operations.enrol(learner, cohort.course, cohort)
    session = CohortSession(cohort_id=cohort.id, lesson_id=lesson("meeting").id,
                            starts_at=datetime(2026, 12, 5, 9, tzinfo=UTC))  # fmt: skip
    db.session.add(session)
    db.session.commit()
    login(cohort.trainers[0])
    url = f"/cohorts/{cohort.id}/sessions/{session.id}/attendance"
    for mark in ("present", "present", "absent", "present", "present"):
        assert client.post(url, data={f"a-{enrolment.id}": mark}).status_code == 302
    db.session.expire_all()
    made = objects()
    assert len(made) == len(set(made))
    assert made.count(("attended", f"/basics/meeting/sessions/{session.id}")) == 1
    assert made.count(("completed", "/basics/meeting")) == 1


def test_the_outbox_skips_an_id_it_already_holds(make_user, make_course):
    enrolment = operations.enrol(make_user(), make_course())
    db.session.commit()
    (row,) = db.session.scalars(select(XapiStatement))
    statement = dict(row.statement)
    # queued again (another request, a replay), twice in one transaction: the commit succeeds
    outbox.enqueue([statement, statement], enrolment.user_id)
    operations.open_lesson(enrolment, lesson("intro"))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(XapiStatement)) == 2
    assert [r.verb for r in db.session.scalars(select(XapiStatement).order_by(XapiStatement.id))] == [
        "registered", "experienced"]  # fmt: skip


def test_two_first_events_of_a_new_learner_share_one_name(monkeypatch, make_user):
    """The other request made the name between this one's read and its insert."""
    user = make_user()
    db.session.add(XapiActor(user_id=user.id, name="made-by-the-other-request"))
    db.session.commit()
    reads = []

    def stored_name(user_id):
        reads.append(user_id)
        return None if len(reads) == 1 else real(user_id)

    real = statements.stored_name
    monkeypatch.setattr(statements, "stored_name", stored_name)
    assert statements.actor_name(user) == "made-by-the-other-request"
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(XapiActor)) == 1


def test_a_language_map_has_only_the_languages_written():
    assert statements.language_map({"fr": "Bonjour", "en": ""}, "hello") == {"fr": "Bonjour"}
    assert statements.language_map({"ar": "مرحبا", "en": "Hi"}, "hello") == {
        "en": "Hi", "ar": "مرحبا"}  # fmt: skip
    assert statements.language_map({}, "hello") == {"und": "hello"}


def test_a_certificate_issued_by_hand_to_someone_not_enrolled_registers_them(
    client, login, make_user, make_course
):
    course = make_course(sequential=False)
    login(make_user(roles=("admin",)))
    form = {"email": "hassan@example.org", "name": "Hassan Ouali", "course": str(course.id),
            "force": "y", "reason": "Followed the masterclass in person"}  # fmt: skip
    assert client.post("/admin/certificates/issue", data=form).status_code == 302
    db.session.expire_all()
    assert [verb for verb, _object in objects()] == ["registered", "earned"]
