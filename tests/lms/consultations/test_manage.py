"""A circle's members create and open a consultation, write its questions, print its poster;
facilitators of the cohort see it; anyone else is refused."""

from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import select

from curriculum.db import db
from curriculum.models import Lesson
from lms.audit.models import AuditEvent
from lms.circles.consultations import operations
from lms.circles.consultations.models import Consultation, ConsultationQuestion

from .conftest import QUESTIONS


def consultation_data(**changes) -> dict:
    return {"title_fr": "Transport des jeunes", "title_ar": "نقل الشباب", "title_en": "",
            "communes": "Tissa\nTaounate\n\n", **changes}  # fmt: skip


def question_data(**changes) -> dict:
    return {"kind": "single", "prompt_fr": "Prenez-vous le bus ?", "prompt_ar": "هل تركب الحافلة؟",
            "choices_fr": "Oui\nNon", "choices_ar": "نعم\nلا", **changes}  # fmt: skip


def test_a_member_creates_writes_and_opens_a_consultation(as_user, place):
    member = as_user(place.member)
    response = member.post(
        f"/circles/{place.circle.id}/consultations/new", data=consultation_data()
    )
    assert response.status_code == 302
    consultation = db.session.scalars(
        select(Consultation).where(Consultation.titles["fr"].as_string() == "Transport des jeunes")
    ).one()
    assert consultation.status == "draft" and consultation.communes == ["Tissa", "Taounate"]
    base = f"/consultations/{consultation.id}"
    # opening without a question is refused
    member.post(base + "/open")
    db.session.refresh(consultation)
    assert consultation.status == "draft"
    assert member.post(base + "/questions/new", data=question_data()).status_code == 302
    question = db.session.scalars(select(ConsultationQuestion)).all()[-1]
    assert question.choices == [
        {"key": "c1", "texts": {"fr": "Oui", "ar": "نعم"}},
        {"key": "c2", "texts": {"fr": "Non", "ar": "لا"}},
    ]
    assert member.post(base + "/open").status_code == 302
    db.session.refresh(consultation)
    assert consultation.status == "open"
    page = member.get(base).get_data(as_text=True)
    assert f"/c/{consultation.code}" in page
    # published: the questions no longer change
    response = member.post(base + f"/questions/{question.id}/edit", data=question_data())
    assert response.status_code == 409
    assert member.post(base + "/close").status_code == 302
    db.session.refresh(consultation)
    assert consultation.status == "closed"
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert "consultation.opened" in actions and "consultation.closed" in actions


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"prompt_ar": ""}, "This field is required."),
        ({"choices_fr": "Oui"}, "Write 2 to 8 choices, one a line."),
        ({"choices_ar": "نعم"}, "Write as many choices as in French, in the same order."),
        ({"choices_fr": "\n".join("abcdefghi")}, "Write 2 to 8 choices, one a line."),
        ({"prompt_fr": "x" * 301}, "Field cannot be longer than 300 characters."),
    ],
)
def test_a_bad_question_is_named(as_user, place, make_consultation, changes, message):
    consultation = make_consultation(place.circle.project, place.member, status="draft")
    before = len(consultation.questions)
    response = as_user(place.member).post(
        f"/consultations/{consultation.id}/questions/new", data=question_data(**changes)
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert len(db.session.get(Consultation, consultation.id).questions) == before


def test_at_most_ten_questions(as_user, place, make_consultation):
    consultation = make_consultation(place.circle.project, place.member, status="draft",
                                     questions=QUESTIONS * 2 + QUESTIONS[:2])  # fmt: skip
    response = as_user(place.member).post(
        f"/consultations/{consultation.id}/questions/new", data=question_data()
    )
    assert response.status_code == 400
    assert "at most 10 questions" in response.get_data(as_text=True)


def test_a_closing_date_before_the_opening_is_refused(as_user, place):
    response = as_user(place.member).post(
        f"/circles/{place.circle.id}/consultations/new",
        data=consultation_data(opens_on="2026-05-10", closes_on="2026-05-01", title_fr=""),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The closing date is before the opening date." in html
    assert "This field is required." in html and "نقل الشباب" in html  # nothing typed lost


def test_who_sees_and_manages(as_user, place):
    base = f"/consultations/{place.consultation.id}"
    assert as_user(place.second_member).get(base).status_code == 200
    assert as_user(place.trainer).get(base + "/results").status_code == 200
    assert as_user(place.other_member).get(base).status_code == 403
    assert as_user(place.other_trainer).get(base).status_code == 403
    assert (
        as_user(place.other_member).get(f"/circles/{place.circle.id}/consultations").status_code
        == 403
    )
    assert as_user(place.member).get("/consultations/999999").status_code == 404
    # the lists: a member sees the consultations of her circle, a facilitator those of his cohorts
    title = "Emploi des jeunes"
    assert title in as_user(place.member).get("/consultations").get_data(as_text=True)
    assert title in as_user(place.trainer).get("/consultations").get_data(as_text=True)
    assert title not in as_user(place.other_member).get("/consultations").get_data(as_text=True)
    assert title not in as_user(place.other_trainer).get("/consultations").get_data(as_text=True)


def test_the_poster_carries_the_public_link(as_user, place, tmp_path):
    member = as_user(place.member)
    consultation = place.consultation
    page = member.get(f"/consultations/{consultation.id}/poster").get_data(as_text=True)
    assert f"http://lms.test/c/{consultation.code}" in page and "<svg" in page
    pdf = member.get(f"/consultations/{consultation.id}/poster.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    (tmp_path / "poster.pdf").write_bytes(pdf.data)
    text = subprocess.run(["pdftotext", str(tmp_path / "poster.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    assert "Emploi des jeunes" in text and f"lms.test/c/{consultation.code}" in text


def test_the_results_are_attached_to_a_team_milestone(as_user, place):
    lesson = db.session.scalars(
        select(Lesson).where(
            Lesson.slug == "field-work", Lesson.course_id == place.cohort.course_id
        )
    ).one()
    lesson.settings = {**lesson.settings, "team": True}
    db.session.commit()
    base = f"/consultations/{place.consultation.id}"
    member = as_user(place.member)
    assert "field-work" in member.get(base).get_data(as_text=True)
    assert member.post(base + "/attach", data={"lesson": lesson.id}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Consultation, place.consultation.id).milestone_lesson_id == lesson.id
    assert operations  # the verbs are those the views use
