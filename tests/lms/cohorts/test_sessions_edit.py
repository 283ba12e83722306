"""Changing and cancelling an in-person session: the trainer moves it (the youth centre is not
free that day), the learners see the new date and place; a session with attendance is kept."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from curriculum.db import db
from lms.audit.models import AuditEvent
from lms.mail.models import OutboxMessage
from lms.messages.models import Notification
from lms.sessions.models import Attendance, CohortSession


@pytest.fixture
def app_config(app_config):
    # a site an hour ahead of UTC (all year): the trainer types local times, the database keeps UTC
    return {**app_config, "BABEL_DEFAULT_TIMEZONE": "Africa/Lagos"}


@pytest.fixture
def meeting(trainer, make_cohort, add_learners):
    """A cohort of ``trainer`` with one learner and a session on 16 November 2026, 09:00 local."""
    cohort = make_cohort([trainer])
    (enrolment,) = add_learners(cohort, 1)
    lesson = next(
        lesson for module in cohort.course.modules for lesson in module.lessons
        if lesson.kind == "session"
    )  # fmt: skip
    session = CohortSession(
        cohort_id=cohort.id,
        lesson_id=lesson.id,
        starts_at=datetime(2026, 11, 16, 8, 0, tzinfo=UTC),
        place="Foyer féminin de Tissa",
        notes="Apportez un stylo",
    )
    db.session.add(session)
    db.session.commit()
    base = f"/cohorts/{cohort.id}/sessions"
    return {
        "cohort": cohort, "session": session, "session_id": session.id, "enrolment": enrolment,
        "lesson_page": f"/courses/{cohort.course.slug}/{lesson.module.slug}/{lesson.slug}",
        "urls": {"list": base, "edit": f"{base}/{session.id}/edit", "cancel": f"{base}/{session.id}/cancel"},
    }  # fmt: skip


def urls(m) -> dict[str, str]:
    return m["urls"]


def stored(session_id: int) -> CohortSession | None:
    db.session.expire_all()
    return db.session.get(CohortSession, session_id)


NEW_PLACE = {
    "day": "2026-11-18",
    "time": "14:30",
    "place": "Maison des jeunes, salle 3",
    "notes": "",
}


def test_the_trainer_moves_a_session_and_the_learner_sees_the_new_date_and_place(
    app, meeting, trainer, as_user
):
    client = as_user(trainer)
    learner = as_user(meeting["enrolment"].user)
    listing = client.get(urls(meeting)["list"]).get_data(as_text=True)
    assert f'href="{urls(meeting)["edit"]}"' in listing

    # The form shows the session as it is, in local time.
    form = client.get(urls(meeting)["edit"]).get_data(as_text=True)
    assert 'value="2026-11-16"' in form and 'value="09:00"' in form
    assert 'value="Foyer féminin de Tissa"' in form and "Apportez un stylo" in form

    response = client.post(urls(meeting)["edit"], data=NEW_PLACE)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(urls(meeting)["list"])
    session = stored(meeting["session_id"])
    assert session.starts_at == datetime(2026, 11, 18, 13, 30, tzinfo=UTC)  # 14:30 local time
    assert (session.place, session.notes, session.lesson_id) == (
        "Maison des jeunes, salle 3",
        "",
        meeting["session"].lesson_id,
    )
    page = learner.get(meeting["lesson_page"]).get_data(as_text=True)
    assert "Maison des jeunes, salle 3" in page and "Foyer féminin de Tissa" not in page
    assert "November 18, 2026" in page and "November 16, 2026" not in page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "session.rescheduled"))
    assert event.actor_id == trainer.id
    assert event.data["before"]["place"] == "Foyer féminin de Tissa"
    # The learner is told, in the app and by e-mail, in her language (the site's: French), with
    # the new date and place.
    (note,) = db.session.scalars(select(Notification)).all()
    assert note.user_id == meeting["enrolment"].user_id and note.link == meeting["lesson_page"]
    assert note.text.startswith("Nouvelle date ou nouveau lieu")
    assert (
        "mercredi 18 novembre 2026, 14:30" in note.text
        and "Maison des jeunes, salle 3" in note.text
    )
    (mail,) = db.session.scalars(select(OutboxMessage)).all()
    assert mail.recipient == meeting["enrolment"].user.email
    assert "Maison des jeunes, salle 3" in mail.body and meeting["lesson_page"] in mail.body
    # Only the notes changed: nobody is disturbed.
    client.post(urls(meeting)["edit"], data={**NEW_PLACE, "notes": "Apportez votre carte"})
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 1


@pytest.mark.parametrize(
    "change",
    [{"place": ""}, {"day": "2026-13-45"}, {"time": ""}, {"notes": "x" * 2001}],
    ids=["no-place", "bad-date", "no-time", "notes-too-long"],
)
def test_a_change_with_a_bad_field_is_refused_and_keeps_the_session(
    app, meeting, trainer, as_user, change
):
    response = as_user(trainer).post(urls(meeting)["edit"], data={**NEW_PLACE, **change})
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(as_text=True)
    session = stored(meeting["session_id"])
    assert (session.place, session.starts_at) == (
        "Foyer féminin de Tissa",
        datetime(2026, 11, 16, 8, 0, tzinfo=UTC),
    )


def test_a_session_without_attendance_is_cancelled_and_leaves_the_lesson_page(
    app, meeting, trainer, as_user
):
    client = as_user(trainer)
    listing = client.get(urls(meeting)["list"]).get_data(as_text=True)
    assert f'action="{urls(meeting)["cancel"]}"' in listing
    response = client.post(urls(meeting)["cancel"])
    assert response.status_code == 302
    assert stored(meeting["session_id"]) is None
    assert "Foyer féminin de Tissa" not in client.get(urls(meeting)["list"]).get_data(as_text=True)
    page = as_user(meeting["enrolment"].user).get(meeting["lesson_page"]).get_data(as_text=True)
    assert "Foyer féminin de Tissa" not in page
    assert "Your trainer will set the date and place of this session." in page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "session.cancelled"))
    assert event.data["place"] == "Foyer féminin de Tissa"  # what was cancelled stays on record
    (note,) = db.session.scalars(select(Notification)).all()
    assert note.text.startswith("Annulée") and "lundi 16 novembre 2026, 09:00" in note.text
    (mail,) = db.session.scalars(select(OutboxMessage)).all()
    assert "est annulée" in mail.body and "Foyer féminin de Tissa" in mail.body


def test_a_session_with_attendance_cannot_be_cancelled_and_keeps_who_was_there(
    app, meeting, trainer, as_user
):
    client = as_user(trainer)
    enrolment_id = meeting["enrolment"].id
    sheet = f"/cohorts/{meeting['cohort'].id}/sessions/{meeting['session'].id}/attendance"
    assert client.post(sheet, data={f"a-{enrolment_id}": "present"}).status_code == 302

    listing = client.get(urls(meeting)["list"]).get_data(as_text=True)
    assert urls(meeting)["cancel"] not in listing  # no button that could only fail
    assert "can be changed but not cancelled" in listing

    response = client.post(urls(meeting)["cancel"])  # e.g. from a page opened before attendance
    assert response.status_code == 409
    assert "Attendance was already taken at this session" in response.get_data(as_text=True)
    assert stored(meeting["session_id"]) is not None
    assert db.session.scalar(select(Attendance.present)) is True
    # It can still be changed (a wrong place typed), and the attendance stays.
    assert client.post(urls(meeting)["edit"], data=NEW_PLACE).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 1


def test_only_the_cohorts_trainers_and_administrators_change_or_cancel_its_sessions(
    app, meeting, make_user, make_cohort, as_user
):
    other_trainer = make_user(email="other@example.org", roles=("trainer",))
    make_cohort([other_trainer])
    for user, status in [(other_trainer, 403), (meeting["enrolment"].user, 403)]:
        client = as_user(user)
        assert client.get(urls(meeting)["edit"]).status_code == status
        assert client.post(urls(meeting)["edit"], data=NEW_PLACE).status_code == status
        assert client.post(urls(meeting)["cancel"]).status_code == status
        assert stored(meeting["session_id"]).place == "Foyer féminin de Tissa"
    admin = as_user(make_user(email="boss@example.org", roles=("admin",)))
    assert admin.post(urls(meeting)["edit"], data=NEW_PLACE).status_code == 302
    assert admin.post(urls(meeting)["cancel"]).status_code == 302
    assert stored(meeting["session_id"]) is None


def test_a_session_of_another_cohort_is_not_found_through_this_one(
    app, meeting, trainer, make_cohort, as_user
):
    own_cohort = make_cohort([trainer])  # the trainer trains both cohorts
    client = as_user(trainer)
    base = f"/cohorts/{own_cohort.id}/sessions/{meeting['session'].id}"
    assert client.get(f"{base}/edit").status_code == 404
    assert client.post(f"{base}/edit", data=NEW_PLACE).status_code == 404
    assert client.post(f"{base}/cancel").status_code == 404
    assert stored(meeting["session_id"]).place == "Foyer féminin de Tissa"


def test_the_forms_carry_their_csrf_token_and_a_post_without_it_changes_nothing(
    app, meeting, trainer, as_user
):
    client = as_user(trainer)
    app.config["WTF_CSRF_ENABLED"] = True  # after logging in (read at each request)
    form = client.get(urls(meeting)["edit"]).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    assert client.post(urls(meeting)["edit"], data=NEW_PLACE).status_code == 400
    assert stored(meeting["session_id"]).place == "Foyer féminin de Tissa"
    response = client.post(urls(meeting)["edit"], data={**NEW_PLACE, "csrf_token": token})
    assert response.status_code == 302

    listing = client.get(urls(meeting)["list"]).get_data(as_text=True)
    cancel_form = listing[listing.index(f'action="{urls(meeting)["cancel"]}"') :]
    token = re.search(r'name="csrf_token" value="([^"]+)"', cancel_form).group(1)
    assert client.post(urls(meeting)["cancel"]).status_code == 400
    assert stored(meeting["session_id"]) is not None
    assert client.post(urls(meeting)["cancel"], data={"csrf_token": token}).status_code == 302
    assert stored(meeting["session_id"]) is None
