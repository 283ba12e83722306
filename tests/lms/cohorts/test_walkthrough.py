"""A trainer runs a cohort from start to finish: create it, import a roster with bad rows (preview,
fix, confirm), learners join by code, review and accept work, take attendance, and watch the
dashboard change."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from curriculum.db import db, utcnow
from lms.cohorts.models import Cohort, RosterImport
from lms.learning.models import Enrolment, LessonProgress, Submission
from lms.mail.models import OutboxMessage
from lms.messages.models import Notification
from lms.sessions.models import Attendance, CohortSession
from lms.users.models import User

PASSWORD = "correct horse battery"


def csv_upload(client, cohort_id: int, text: str, encoding: str = "utf-8"):
    data = {"file": (io.BytesIO(text.encode(encoding)), "liste.csv")}
    return client.post(
        f"/cohorts/{cohort_id}/roster", data=data, content_type="multipart/form-data"
    )


def grid_row(html: str, name: str) -> str:
    """The dashboard row of one learner, tags stripped to text."""
    start = html.index(f">{name}</a>") + 1
    row = html[start : html.index("</tr>", start)]
    return " ".join(re.sub(r"<[^>]+>", " ", row).split())


def digest_of(preview_html: str) -> str:
    """The fingerprint of the rows a preview shows (confirming checks it)."""
    return re.search(r'name="digest" type="hidden" value="([0-9a-f]+)"', preview_html).group(1)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_trainer_runs_a_cohort_from_creation_to_attendance(
    app, make_user, make_course, trainer, as_user
):
    course = make_course(slug="civics", sequential=False, self_enrolment=False)
    amina = make_user(email="amina@example.org", name="Amina Existing")
    trainer_client = as_user(trainer)

    # 1. Create the cohort (it started 10 days ago, ends in 20 days).
    today = utcnow().date()
    response = trainer_client.post(
        "/cohorts/new",
        data={
            "course": course.id, "name": "Taounate printemps", "province": "Taounate", "commune": "Tissa",
            "starts_on": (today - timedelta(days=10)).isoformat(), "ends_on": (today + timedelta(days=20)).isoformat(),
            "capacity": "30", "trainers": [str(trainer.id)],
        },
    )  # fmt: skip
    assert response.status_code == 302
    cohort = db.session.scalar(select(Cohort))
    assert (cohort.name, cohort.territory, cohort.capacity) == (
        "Taounate printemps",
        "Tissa, Taounate",
        30,
    )
    assert [t.id for t in cohort.trainers] == [trainer.id]
    page = trainer_client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert cohort.join_code in page and f"http://lms.test/join/{cohort.join_code}" in page
    assert "No learner yet" in page

    # 2. A roster with bad rows (Excel, French locale: semicolons): the preview names each fate
    #    and nothing is written; confirming is neither offered nor accepted while rows have errors.
    bad = (
        "nom;courriel;langue\n"
        "Salma Benali;salma@example.org;fr\n"
        ";noname@example.org;fr\n"
        "Karim Idrissi;karim-at-example.org;ar\n"
        "Amina Existing;AMINA@example.org;\n"
        "Salma B.;salma@example.org;\n"
    )
    response = csv_upload(trainer_client, cohort.id, bad)
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    preview = trainer_client.get(preview_url).get_data(as_text=True)
    assert "Row 3: The name is missing." in preview
    assert "Row 4: The e-mail address « karim-at-example.org » is not valid." in preview
    assert "Row 6: Same e-mail address as row 2." in preview
    # A new and an existing account read alike: whether an address has an account is not shown.
    assert "Will be invited (by e-mail): <strong>2</strong>" in preview
    assert "Existing account" not in preview
    assert "Confirm the import" not in preview  # not offered while a row has an error
    users_before = count(User)
    imported = db.session.scalar(select(RosterImport))
    response = trainer_client.post(preview_url + "/confirm", data={"digest": imported.digest})
    assert response.status_code == 400
    assert "3 rows have an error" in response.get_data(as_text=True)
    assert count(User) == users_before and count(Enrolment) == 0 and count(OutboxMessage) == 0

    # 3. The fixed file: confirmed, all in one go; the new account is invited by e-mail.
    fixed = "nom;courriel;langue\nSalma Benali;salma@example.org;fr\nAmina Existing;AMINA@example.org;\n"
    response = csv_upload(trainer_client, cohort.id, fixed)
    fixed_url = response.headers["Location"]
    preview = trainer_client.get(fixed_url).get_data(as_text=True)
    assert "Error" not in preview and "Row 3" not in preview
    response = trainer_client.post(fixed_url + "/confirm", data={"digest": digest_of(preview)})
    assert response.status_code == 302
    salma = db.session.scalar(select(User).filter_by(email_key="salma@example.org"))
    assert salma.password_hash is None and salma.locale == "fr"

    def members() -> set[int]:
        statement = select(Enrolment.user_id).where(Enrolment.cohort_id == cohort.id)
        return set(db.session.scalars(statement))

    assert members() == set()  # both invited: each joins by answering
    invitation = db.session.scalar(select(OutboxMessage).filter_by(recipient="salma@example.org"))
    assert "Taounate printemps" in invitation.body
    link = re.search(r"http://lms\.test(/password/reset/\S+)", invitation.body).group(1)
    assert (
        app.test_client().post(link, data={"password": PASSWORD, "confirm": PASSWORD}).status_code
        == 302
    )
    assert members() == {salma.id}  # a new account's first password accepts its invitation
    amina_mail = db.session.scalar(select(OutboxMessage).filter_by(recipient=amina.email))
    accept = re.search(r"http://lms\.test(/invitations/\d+)", amina_mail.body).group(1)
    assert as_user(amina).post(accept + "/accept").status_code == 302
    assert members() == {salma.id, amina.id}
    salma_client = as_user(salma)

    # 4. A learner who was not on the list joins with the code.
    omar = make_user(email="omar@example.org", name="Omar Tazi")
    omar_client = as_user(omar)
    assert omar_client.post("/join", data={"code": cohort.join_code.lower()}).status_code == 302
    page = trainer_client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert "3 learners" in page
    # A third of the cohort's time is past: 1 of the 4 required lessons is expected by now.
    # Columns: overall, module 1 (3 lessons), module 2 (1), in-person sessions attended (1).
    assert grid_row(page, "Salma Benali").startswith(
        "Salma Benali Behind Not started 0% done 0/4 0/3 0/1 0/1 never"
    )

    # 5. Salma hands in her field work; the trainer asks for a revision, then accepts.
    lesson_url = "/courses/civics/basics/field-work"
    salma_client.post(lesson_url + "/submission", data={"text": "Le transport scolaire à Tissa"})
    queue = trainer_client.get("/reviews").get_data(as_text=True)
    submission = db.session.scalar(select(Submission))
    assert "Salma Benali" in queue and f"/reviews/{submission.id}" in queue
    response = trainer_client.post(
        f"/reviews/{submission.id}", data={"revise": "1", "feedback": ""}
    )
    assert response.status_code == 400 and "Say what to improve" in response.get_data(as_text=True)
    trainer_client.post(
        f"/reviews/{submission.id}", data={"revise": "1", "feedback": "Ajoute **les chiffres**."}
    )
    assert "Notifications (1)" in salma_client.get("/my").get_data(as_text=True)
    notice = db.session.scalar(select(Notification).filter_by(user_id=salma.id))
    with app.test_request_context(), force_locale("fr"):  # Salma's language, from the roster
        expected = gettext(
            "Your trainer asks for a revision of your work on “%(lesson)s”.",
            lesson="field-work (fr)",
        )
    assert notice.link == lesson_url and notice.text == expected
    mail = db.session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.recipient == "salma@example.org", OutboxMessage.id != invitation.id
        )
    )
    assert "Ajoute **les chiffres**." in mail.body
    assert "<strong>les chiffres</strong>" in salma_client.get(lesson_url).get_data(as_text=True)
    salma_client.post(lesson_url + "/submission", data={"text": "Avec les chiffres : 42 élèves"})
    assert (
        trainer_client.post(
            f"/reviews/{submission.id}", data={"accept": "1", "feedback": "Bravo"}
        ).status_code
        == 302
    )
    assert "No work is waiting for review." in trainer_client.get("/reviews").get_data(as_text=True)

    # 6. An in-person session, then attendance taken from a phone in one POST.
    meeting = next(
        lesson for m in course.modules for lesson in m.lessons if lesson.slug == "meeting"
    )
    response = trainer_client.post(
        f"/cohorts/{cohort.id}/sessions",
        data={
            "lesson": meeting.id,
            "day": today.isoformat(),
            "time": "09:30",
            "place": "Dar Chabab de Tissa",
        },
    )
    assert response.status_code == 302
    session = db.session.scalar(select(CohortSession))
    enrolment_of = dict(db.session.execute(select(Enrolment.user_id, Enrolment.id)).all())
    sheet = trainer_client.get(f"/cohorts/{cohort.id}/sessions/{session.id}/attendance").get_data(
        as_text=True
    )
    assert sheet.count('value="present"') == 3
    response = trainer_client.post(
        f"/cohorts/{cohort.id}/sessions/{session.id}/attendance",
        data={f"a-{enrolment_of[salma.id]}": "present", f"a-{enrolment_of[amina.id]}": "absent"},
    )
    assert response.status_code == 302
    marks = dict(db.session.execute(select(Attendance.enrolment_id, Attendance.present)).all())
    assert marks == {enrolment_of[salma.id]: True, enrolment_of[amina.id]: False}
    assert "Dar Chabab de Tissa" in salma_client.get("/courses/civics/basics/meeting").get_data(
        as_text=True
    )

    # 7. The dashboard shows it: Salma has 1 of 3 in module 1 (1 of 4 required lessons) and
    # attended the one session.
    page = trainer_client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert grid_row(page, "Salma Benali").startswith("Salma Benali 25% done 1/4 1/3 0/1 ✓ 1/1")
    assert "Behind" not in grid_row(page, "Salma Benali")
    assert grid_row(page, "Omar Tazi").startswith("Omar Tazi Behind Not started 0% done 0/4")
    done = db.session.scalar(
        select(func.count())
        .select_from(LessonProgress)
        .where(
            LessonProgress.enrolment_id == enrolment_of[salma.id], LessonProgress.status == "done"
        )
    )
    assert done == 2
