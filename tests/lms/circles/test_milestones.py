"""Team milestones: handed in once by any member for the whole circle, with a history naming
who did what; reviewed once (the review queue shows one item); accepted, done for every member
and what follows in a sequential course opens."""

from __future__ import annotations

import io
from datetime import date, timedelta

from sqlalchemy import select

from curriculum.db import db
from lms.circles.milestone_models import TeamSubmission
from lms.learning import queries as learning_queries
from lms.learning.models import Enrolment, LessonProgress, Submission


def _pdf():
    return (io.BytesIO(b"%PDF-1.4\n% charter\n"), "charte.pdf")


def _done(user, lesson) -> bool:
    return (
        db.session.scalar(
            select(LessonProgress.status)
            .join(Enrolment)
            .where(Enrolment.user_id == user.id, LessonProgress.lesson_id == lesson.id)
        )
        == "done"
    )


def test_hand_in_review_accept_done_for_every_member(
    trainer, make_cohort, add_learners, as_user, make_circle, team_course, team_lesson
):
    cohort = make_cohort([trainer], course=team_course)
    a, b, c = (e.user for e in add_learners(cohort, 3))
    circle = make_circle(cohort, [a, b], name="Tissa")
    make_circle(cohort, [c], name="Autre")
    url = f"/circles/{circle.id}/milestones/{team_lesson.id}"
    first, second, outsider, staff = as_user(a), as_user(b), as_user(c), as_user(trainer)

    # a non-member may neither see nor hand in; nothing is written
    assert outsider.get(url).status_code == 403
    assert outsider.post(url, data={"text": "Notre charte"}).status_code == 403
    empty = first.post(url, data={"text": "   "})
    assert empty.status_code == 400 and "Write your answer or attach a file" in empty.get_data(
        as_text=True
    )
    too_long = first.post(url, data={"text": "x" * 20001})
    assert too_long.status_code == 400
    assert db.session.scalar(select(TeamSubmission)) is None

    handed = first.post(
        url, data={"text": "Notre charte", "file": _pdf()}, content_type="multipart/form-data"
    )
    assert handed.status_code == 302
    seen = second.get(url).get_data(as_text=True)
    assert "Handed in, waiting for review" in seen and a.name in seen and "charte.pdf" in seen
    assert (
        f"/circles/{circle.id}/milestones/{team_lesson.id}"
        in second.get(f"/lessons/{team_lesson.id}/circle").location
    )

    queue = staff.get("/reviews").get_data(as_text=True)
    assert queue.count(f'href="{url}"') == 1 and "Tissa" in queue

    review = url + "/review"
    no_reason = staff.post(review, data={"revise": "1", "feedback": "", "version": 1})
    assert no_reason.status_code == 400 and "Say what to improve" in no_reason.get_data(
        as_text=True
    )
    assert first.post(review, data={"accept": "1", "version": 1}).status_code == 403
    assert (
        staff.post(
            review, data={"revise": "1", "feedback": "Ajoutez les rôles.", "version": 1}
        ).status_code
        == 302
    )
    assert "Ajoutez les rôles." in second.get(url).get_data(as_text=True)

    assert second.post(url, data={"text": "Notre charte, avec les rôles"}).status_code == 302
    submission = db.session.scalar(select(TeamSubmission))
    assert submission.version == 2 and submission.file_name == "charte.pdf"  # the file stays
    assert [(v.kind, v.author_id) for v in submission.versions] == [
        ("submitted", a.id),
        ("needs_revision", trainer.id),
        ("submitted", b.id),
    ]
    history = staff.get(url).get_data(as_text=True)
    assert f"{a.name} handed in version 1" in history and f"{b.name} handed in version 2" in history

    assert not _done(a, team_lesson)
    assert staff.post(review, data={"accept": "1", "feedback": "", "version": 2}).status_code == 302
    assert _done(a, team_lesson) and _done(b, team_lesson) and not _done(c, team_lesson)
    outline = learning_queries.outline(team_course, b)
    assert not outline.modules[1].locked  # the next module opens for every member

    late = first.post(url, data={"text": "Encore"})
    assert late.status_code == 409 and "already accepted" in late.get_data(as_text=True)
    assert staff.post(review, data={"accept": "1", "version": 2}).status_code == 409
    assert "Tissa" not in staff.get("/reviews").get_data(as_text=True)


def test_a_team_lesson_is_not_handed_in_alone(
    trainer, make_cohort, add_learners, as_user, team_course, team_lesson
):
    cohort = make_cohort([trainer], course=team_course)
    (a,) = (e.user for e in add_learners(cohort, 1))
    lesson_url = f"/courses/{team_course.slug}/charter/our-charter"
    client = as_user(a)
    page = client.get(lesson_url).get_data(as_text=True)
    assert "Team work" in page and f"/lessons/{team_lesson.id}/circle" in page
    refused = client.post(lesson_url + "/submission", data={"text": "Moi seule"})
    assert refused.status_code == 409
    assert db.session.scalar(select(Submission)) is None
    # not in a circle: the way to the circle's work says to join one
    assert client.get(f"/lessons/{team_lesson.id}/circle").location.endswith("/circles")


def test_due_dates_and_late_milestones_on_the_cohort_dashboard(
    trainer, make_cohort, add_learners, as_user, make_circle, team_course, team_lesson
):
    cohort = make_cohort([trainer], course=team_course)
    a, b = (e.user for e in add_learners(cohort, 2))
    make_circle(cohort, [a, b], name="Tissa")
    staff = as_user(trainer)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    saved = staff.post(f"/cohorts/{cohort.id}/circles/due-dates",
                       data={"lesson": team_lesson.id, "due_on": yesterday})  # fmt: skip
    assert saved.status_code == 302
    dashboard = staff.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert "1 late milestone" in dashboard and "Tissa" in dashboard
    assert "1 late milestone" in staff.get(f"/cohorts/{cohort.id}/circles").get_data(as_text=True)
    assert as_user(a).post(f"/cohorts/{cohort.id}/circles/due-dates",
                           data={"lesson": team_lesson.id, "due_on": ""}).status_code == 403  # fmt: skip


def test_attached_consultation_shown_on_the_milestone(
    trainer, make_cohort, add_learners, as_user, make_circle, team_course, team_lesson
):
    from lms.circles.consultations import operations as consult

    cohort = make_cohort([trainer], course=team_course)
    first, second = (e.user for e in add_learners(cohort, 2))
    circle = make_circle(cohort, [first, second])
    consultation = consult.create_consultation(
        first, circle.project, consult.ConsultationDetails({"fr": "Avis des jeunes", "ar": "رأي"})
    )
    consult.attach_to_milestone(first, consultation, team_lesson)
    db.session.commit()
    page = as_user(second).get(f"/circles/{circle.id}/milestones/{team_lesson.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Avis des jeunes" in text and f"/consultations/{consultation.id}/results" in text


def test_a_facilitator_never_accepts_a_version_he_has_not_read(
    trainer, make_cohort, add_learners, as_user, make_circle, team_course, team_lesson
):
    cohort = make_cohort([trainer], course=team_course)
    a, b = (e.user for e in add_learners(cohort, 2))
    circle = make_circle(cohort, [a, b])
    url = f"/circles/{circle.id}/milestones/{team_lesson.id}"
    assert as_user(a).post(url, data={"text": "Version 1"}).status_code == 302
    staff = as_user(trainer)
    page = staff.get(url).get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in page
    assert as_user(b).post(url, data={"text": "Version 2, after he opened it"}).status_code == 302

    stale = staff.post(url + "/review", data={"accept": "1", "version": 1})
    text = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "handed in a new version (2)" in text
    assert 'name="version" type="hidden" value="2"' in text  # the form now names the new one
    assert db.session.scalar(select(TeamSubmission)).status == "submitted"
    assert not _done(a, team_lesson)
    assert staff.post(url + "/review", data={"accept": "1", "version": 2}).status_code == 302
    assert _done(a, team_lesson)


def test_the_history_shows_what_changed_between_versions(
    trainer, make_cohort, add_learners, as_user, make_circle, team_course, team_lesson
):
    cohort = make_cohort([trainer], course=team_course)
    a, b = (e.user for e in add_learners(cohort, 2))
    circle = make_circle(cohort, [a, b])
    url = f"/circles/{circle.id}/milestones/{team_lesson.id}"
    first = {"text": "Réunion le samedi\nRôles : <b>à définir</b>", "file": _pdf()}
    assert as_user(a).post(url, data=first, content_type="multipart/form-data").status_code == 302
    staff = as_user(trainer)
    staff.post(url + "/review", data={"revise": "1", "feedback": "Les rôles ?", "version": 1})
    second = {"text": "Réunion le samedi\nRôles : Salma anime, Hamza note",
              "file": (io.BytesIO(b"%PDF-1.4\n% v2\n"), "charte-v2.pdf")}  # fmt: skip
    assert as_user(b).post(url, data=second, content_type="multipart/form-data").status_code == 302
    page = staff.get(url).get_data(as_text=True)
    assert "What changed since version 1" in page
    assert "<del>- Rôles : &lt;b&gt;à définir&lt;/b&gt;</del>" in page  # escaped
    assert "<ins>+ Rôles : Salma anime, Hamza note</ins>" in page
    assert "  Réunion le samedi" in page
    assert "File added: charte-v2.pdf" in page and "File removed: charte.pdf" in page
