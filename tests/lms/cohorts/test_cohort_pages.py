"""Creating and editing cohorts, the join poster, announcements and notifications, reviews."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from curriculum.db import db
from lms.cohorts.models import Cohort
from lms.learning import operations
from lms.mail.models import OutboxMessage
from lms.messages.models import Announcement, Notification
from lms.sessions.models import CohortSession


def test_cohort_form_rules_are_explained_and_nothing_is_saved(
    app, trainer, as_user, make_course, make_user
):
    course = make_course(slug="civics")
    colleague = make_user(email="colleague@example.org", roles=("trainer",))
    learner = make_user(email="learner@example.org")
    client = as_user(trainer)
    base = {"course": course.id, "name": "Fès", "trainers": [trainer.id]}
    cases = [
        (
            {"starts_on": "2026-05-01", "ends_on": "2026-04-01"},
            "The end date comes before the start date.",
        ),
        ({"trainers": [colleague.id]}, "Keep yourself among the trainers"),
        ({"trainers": [trainer.id, learner.id]}, f"{learner.id}&#39; is not a valid choice"),
        ({"capacity": "0"}, "Number must be between 1 and 100000."),
    ]
    for change, message in cases:
        response = client.post("/cohorts/new", data={**base, **change})
        assert response.status_code == 400, change
        assert message in response.get_data(as_text=True), change
    assert db.session.scalar(select(func.count()).select_from(Cohort)) == 0
    response = client.post(
        "/cohorts/new",
        data={**base, "trainers": [trainer.id, colleague.id], "province": "Fès-Meknès"},
    )
    assert response.status_code == 302
    cohort = db.session.scalar(select(Cohort))
    assert {t.email for t in cohort.trainers} == {trainer.email, colleague.email}
    assert cohort.territory == "Fès-Meknès" and len(cohort.join_code) == 8


def test_editing_cannot_lower_the_capacity_under_the_learners_already_in(
    app, trainer, as_user, make_cohort, add_learners
):
    cohort = make_cohort([trainer], starts_on=date(2026, 1, 1))
    add_learners(cohort, 3)
    client = as_user(trainer)
    response = client.post(
        f"/cohorts/{cohort.id}/edit",
        data={"name": "Nouveau nom", "capacity": "2", "trainers": [trainer.id]},
    )
    assert response.status_code == 400
    assert "3 learners are already in this cohort" in response.get_data(as_text=True)
    response = client.post(
        f"/cohorts/{cohort.id}/edit",
        data={"name": "Nouveau nom", "capacity": "3", "commune": "Tissa", "trainers": [trainer.id]},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (cohort.name, cohort.capacity, cohort.territory) == ("Nouveau nom", 3, "Tissa")


def test_the_poster_has_a_qr_code_of_the_join_link_and_the_code_can_be_renewed(
    app, trainer, as_user, make_cohort
):
    cohort = make_cohort([trainer], code="K7M2QX9P")
    client = as_user(trainer)
    html = client.get(f"/cohorts/{cohort.id}/poster").get_data(as_text=True)
    assert "http://lms.test/join/K7M2QX9P" in html
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'class="qr"' in svg and "<path" in svg and "script" not in svg and "style=" not in svg
    assert client.post(f"/cohorts/{cohort.id}/code").status_code == 302
    db.session.expire_all()
    assert cohort.join_code != "K7M2QX9P"
    assert "http://lms.test/join/K7M2QX9P" not in client.get(
        f"/cohorts/{cohort.id}/poster"
    ).get_data(as_text=True)


def test_an_announcement_reaches_every_learner_in_the_app_and_by_mail(
    app, trainer, as_user, make_cohort, add_learners, make_user
):
    cohort = make_cohort([trainer])
    first, second = add_learners(cohort, 2, locale="en")
    outsider = make_user(email="outsider@example.org")
    client = as_user(trainer)
    body = "Rendez-vous **samedi** à 9 h.\n\n<script>alert(1)</script>"
    response = client.post(
        f"/cohorts/{cohort.id}/announcements", data={"title": "Séance de samedi", "body": body}
    )
    assert response.status_code == 302
    announcement = db.session.scalar(select(Announcement))
    assert (
        "<strong>samedi</strong>" in announcement.body_html
        and "<script>" not in announcement.body_html
    )
    recipients = set(db.session.scalars(select(OutboxMessage.recipient)))
    assert recipients == {first.user.email, second.user.email}
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == outsider.id)
        )
        == 0
    )

    learner = as_user(first.user)
    assert "Notifications (1)" in learner.get("/my").get_data(as_text=True)
    inbox = learner.get("/notifications").get_data(as_text=True)
    assert (
        "New message from your trainer: Séance de samedi" in inbox
        and f"/announcements/{announcement.id}" in inbox
    )
    page = learner.get(f"/announcements/{announcement.id}").get_data(as_text=True)
    assert "<strong>samedi</strong>" in page and "<script>alert(1)" not in page
    assert learner.post("/notifications/read").status_code == 302
    menu = learner.get("/my").get_data(as_text=True)
    assert "Notifications (1)" not in menu and ">Notifications</a>" in menu


def test_notifications_are_private(app, trainer, as_user, make_cohort, add_learners):
    cohort = make_cohort([trainer])
    first, second = add_learners(cohort, 2)
    db.session.add(Notification(user_id=first.user_id, text="Pour la première", link="/my"))
    db.session.commit()
    assert "Pour la première" not in as_user(second.user).get("/notifications").get_data(
        as_text=True
    )
    as_user(second.user).post("/notifications/read")
    assert db.session.scalar(select(Notification.read_at)) is None


def test_reviewed_work_cannot_be_reviewed_again(app, trainer, as_user, make_cohort, add_learners):
    cohort = make_cohort([trainer])
    (enrolment,) = add_learners(cohort, 1)
    work = next(
        lesson
        for module in cohort.course.modules
        for lesson in module.lessons
        if lesson.kind == "assignment"
    )
    submission = operations.submit_assignment(enrolment, work, "Mon travail")
    db.session.commit()
    client = as_user(trainer)
    assert client.post(f"/reviews/{submission.id}", data={"accept": "1"}).status_code == 302
    response = client.post(f"/reviews/{submission.id}", data={"revise": "1", "feedback": "Encore"})
    assert response.status_code == 400 and "This work is accepted." in response.get_data(
        as_text=True
    )
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 1


def test_a_session_needs_a_session_lesson_of_the_course(app, trainer, as_user, make_cohort):
    cohort = make_cohort([trainer])
    intro = next(
        lesson
        for module in cohort.course.modules
        for lesson in module.lessons
        if lesson.slug == "intro"
    )
    response = as_user(trainer).post(
        f"/cohorts/{cohort.id}/sessions",
        data={"lesson": intro.id, "day": "2026-04-01", "time": "10:00", "place": "Salle 2"},
    )
    assert response.status_code == 400 and "Not a valid choice" in response.get_data(as_text=True)
    assert (
        as_user(trainer)
        .get(f"/cohorts/{cohort.id}/sessions")
        .get_data(as_text=True)
        .count("<option")
        == 1
    )


def test_attendance_taken_on_the_phone_counts_toward_the_certificate_rule(
    app, trainer, as_user, make_cohort, add_learners
):
    from certificates.rules import evaluate

    cohort = make_cohort([trainer])
    present, absent = add_learners(cohort, 2)
    meeting = next(
        lesson
        for module in cohort.course.modules
        for lesson in module.lessons
        if lesson.kind == "session"
    )
    client = as_user(trainer)
    client.post(
        f"/cohorts/{cohort.id}/sessions",
        data={"lesson": meeting.id, "day": "2026-04-01", "time": "10:00", "place": "Salle 2"},
    )
    session_id = db.session.scalar(select(func.max(CohortSession.id)))
    assert evaluate(present).attendance == 0
    response = client.post(
        f"/cohorts/{cohort.id}/sessions/{session_id}/attendance",
        data={f"a-{present.id}": "present", f"a-{absent.id}": "absent"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert evaluate(present).attendance == 100
    assert evaluate(absent).attendance == 0
    # sessions count through attendance, not as "required lessons done"
    assert evaluate(present).lessons_done == evaluate(absent).lessons_done == 0
