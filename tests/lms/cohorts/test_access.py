"""Who may do what on the trainer's pages, and bad input that must record nothing.

Policy: staff pages need the trainer or administrator role (403 otherwise, a login redirect when
anonymous); a cohort one does not train answers 403 on every URL; an object that does not belong
to the cohort in the URL (a learner, a session, a roster import) answers 404.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from curriculum.db import db
from lms.cohorts.models import RosterImport
from lms.learning import operations
from lms.learning.models import LessonProgress, Submission
from lms.messages.models import Announcement
from lms.sessions.models import Attendance, CohortSession


@pytest.fixture
def setup(app, trainer, make_user, make_cohort, add_learners):
    """A cohort of ``trainer`` with a learner, a session, a roster import, a submission and an
    announcement; another trainer with a cohort of their own."""
    cohort = make_cohort([trainer])
    (enrolment,) = add_learners(cohort, 1)
    meeting = next(
        lesson
        for module in cohort.course.modules
        for lesson in module.lessons
        if lesson.kind == "session"
    )
    work = next(
        lesson
        for module in cohort.course.modules
        for lesson in module.lessons
        if lesson.kind == "assignment"
    )
    session = CohortSession(
        cohort_id=cohort.id, lesson_id=meeting.id, starts_at=datetime(2026, 3, 2, 9, tzinfo=UTC)
    )
    roster = RosterImport(
        cohort_id=cohort.id,
        created_by_id=trainer.id,
        rows=[{"row": 2, "name": "A", "email": "a@example.org", "language": None, "error": None}],
    )
    announcement = Announcement(
        cohort_id=cohort.id,
        author_id=trainer.id,
        title="Bienvenue",
        body="Salut",
        body_html="<p>Salut</p>",
    )
    db.session.add_all([session, roster, announcement])
    submission = operations.submit_assignment(enrolment, work, "Mon travail")
    other_trainer = make_user(email="other@example.org", roles=("trainer",))
    other_cohort = make_cohort([other_trainer])
    db.session.commit()
    return {
        "cohort": cohort, "enrolment": enrolment, "session": session, "roster": roster, "submission": submission,
        "announcement": announcement, "other_trainer": other_trainer, "other_cohort": other_cohort,
    }  # fmt: skip


def cohort_urls(s) -> list[tuple[str, str, dict]]:
    c, e = s["cohort"].id, s["enrolment"].id
    return [
        ("GET", f"/cohorts/{c}", {}),
        ("GET", f"/cohorts/{c}/edit", {}),
        ("POST", f"/cohorts/{c}/edit", {"name": "Pris", "trainers": [s["other_trainer"].id]}),
        ("GET", f"/cohorts/{c}/poster", {}),
        ("POST", f"/cohorts/{c}/code", {}),
        ("GET", f"/cohorts/{c}/progress.csv", {}),
        ("GET", f"/cohorts/{c}/learners/{e}", {}),
        ("POST", f"/cohorts/{c}/learners/{e}/move", {"target": s["other_cohort"].id}),
        ("GET", f"/cohorts/{c}/roster", {}),
        ("POST", f"/cohorts/{c}/roster", {"file": b"nom,email\nA,a@example.org\n"}),
        ("GET", f"/cohorts/{c}/roster/{s['roster'].id}", {}),
        ("POST", f"/cohorts/{c}/roster/{s['roster'].id}/confirm", {"digest": s["roster"].digest}),
        ("GET", f"/cohorts/{c}/sessions", {}),
        (
            "POST",
            f"/cohorts/{c}/sessions",
            {"lesson": s["session"].lesson_id, "day": "2026-04-01", "time": "10:00", "place": "X"},
        ),
        ("GET", f"/cohorts/{c}/sessions/{s['session'].id}/attendance", {}),
        ("POST", f"/cohorts/{c}/sessions/{s['session'].id}/attendance", {f"a-{e}": "present"}),
        ("GET", f"/cohorts/{c}/announcements", {}),
        ("POST", f"/cohorts/{c}/announcements", {"title": "Pris", "body": "Pris"}),
        ("GET", f"/reviews/{s['submission'].id}", {}),
        ("POST", f"/reviews/{s['submission'].id}", {"accept": "1"}),
    ]


def call(client, method: str, url: str, data: dict):
    if method == "GET":
        return client.get(url)
    # a fresh file object per request (the client closes the ones it sends)
    data = {
        key: (io.BytesIO(value), "roster.csv") if isinstance(value, bytes) else value
        for key, value in data.items()
    }
    return client.post(url, data=data, content_type="multipart/form-data")


def nothing_changed(s) -> bool:
    db.session.expire_all()
    return (
        s["cohort"].name.startswith("Cohorte")
        and s["enrolment"].cohort_id == s["cohort"].id
        and db.session.scalar(select(func.count()).select_from(Attendance)) == 0
        and db.session.scalar(select(func.count()).select_from(CohortSession)) == 1
        and db.session.scalar(select(func.count()).select_from(Announcement)) == 1
        and db.session.get(Submission, s["submission"].id).status == "submitted"
        and db.session.get(RosterImport, s["roster"].id).applied_at is None
    )


def test_another_trainer_is_refused_on_every_cohort_url_and_changes_nothing(app, setup, as_user):
    client = as_user(setup["other_trainer"])
    code = setup["cohort"].join_code
    for method, url, data in cohort_urls(setup):
        assert call(client, method, url, data).status_code == 403, (method, url)
    assert nothing_changed(setup)
    assert setup["cohort"].join_code == code
    listing = client.get("/cohorts").get_data(as_text=True)
    assert setup["cohort"].name not in listing and setup["other_cohort"].name in listing
    assert setup["cohort"].name not in client.get("/reviews").get_data(as_text=True)


def test_learners_are_refused_and_anonymous_visitors_are_sent_to_log_in(
    app, setup, as_user, client
):
    learner = as_user(setup["enrolment"].user)
    for method, url, data in cohort_urls(setup) + [
        ("GET", "/cohorts", {}),
        ("GET", "/cohorts/new", {}),
        ("GET", "/reviews", {}),
    ]:
        assert call(learner, method, url, data).status_code == 403, (method, url)
        response = call(client, method, url, data)
        assert response.status_code == 302 and "/login" in response.headers["Location"], (
            method,
            url,
        )
    assert nothing_changed(setup)


def test_an_administrator_manages_every_cohort(app, setup, make_user, as_user):
    admin = as_user(make_user(email="boss@example.org", roles=("admin",)))
    for method, url, data in cohort_urls(setup):
        if method == "GET":
            assert call(admin, method, url, data).status_code == 200, url


def test_objects_of_another_cohort_are_not_found_through_this_one(
    app, setup, trainer, as_user, add_learners
):
    client = as_user(trainer)
    (stranger,) = add_learners(setup["other_cohort"], 1)
    foreign_session = CohortSession(
        cohort_id=setup["other_cohort"].id,
        lesson_id=setup["session"].lesson_id,
        starts_at=datetime(2026, 3, 3, tzinfo=UTC),
    )
    db.session.add(foreign_session)
    db.session.commit()
    c = setup["cohort"].id
    assert client.get(f"/cohorts/{c}/learners/{stranger.id}").status_code == 404
    assert client.get(f"/cohorts/{c}/sessions/{foreign_session.id}/attendance").status_code == 404
    response = client.post(
        f"/cohorts/{c}/sessions/{foreign_session.id}/attendance",
        data={f"a-{setup['enrolment'].id}": "present"},
    )
    assert response.status_code == 404
    assert client.get(f"/cohorts/{c}/roster/999").status_code == 404
    assert client.get("/cohorts/999").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0


@pytest.mark.parametrize(
    "marks",
    [
        lambda s, stranger: {f"a-{s['enrolment'].id}": "present", f"a-{stranger.id}": "present"},
        lambda s, stranger: {f"a-{s['enrolment'].id}": "present", "a-999999": "absent"},
        lambda s, stranger: {f"a-{s['enrolment'].id}": "maybe"},
        lambda s, stranger: {f"a-{s['enrolment'].id}": "present", "note": "x"},
    ],
    ids=["learner-of-another-cohort", "unknown-learner", "bad-value", "stray-field"],
)
def test_an_attendance_list_with_anyone_outside_the_cohort_records_nothing(
    app, setup, trainer, as_user, add_learners, marks
):
    (stranger,) = add_learners(setup["other_cohort"], 1)
    client = as_user(trainer)
    response = client.post(
        f"/cohorts/{setup['cohort'].id}/sessions/{setup['session'].id}/attendance",
        data=marks(setup, stranger),
    )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0
    assert (
        db.session.scalar(
            select(func.count()).select_from(LessonProgress).where(LessonProgress.status == "done")
        )
        == 0
    )


def test_an_announcement_exists_only_for_its_cohort(app, setup, as_user, make_user, add_learners):
    url = f"/announcements/{setup['announcement'].id}"
    assert as_user(setup["enrolment"].user).get(url).status_code == 200
    (outsider,) = add_learners(setup["other_cohort"], 1)
    assert as_user(outsider.user).get(url).status_code == 404
    assert as_user(setup["other_trainer"]).get(url).status_code == 404
