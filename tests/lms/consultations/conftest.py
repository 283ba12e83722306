"""Fixtures of the consultation tests: a cohort with two circles (the learner's and another),
and an open consultation of the learner's circle with one question of each kind."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from curriculum.db import db
from lms.circles.consultations import operations
from lms.circles.consultations.models import Consultation
from lms.circles.models import Circle, CircleMember, Project
from tests.lms.cohorts.conftest import (  # noqa: F401 - fixtures shared with the cohort tests
    PASSWORD,
    add_learners,
    as_user,
    make_cohort,
    trainer,
)

QUESTIONS = [
    operations.QuestionDetails(
        "single",
        {"fr": "Avez-vous un emploi ?", "ar": "هل لديك عمل؟", "en": "Do you have a job?"},
        [{"fr": "Oui", "ar": "نعم", "en": "Yes"}, {"fr": "Non", "ar": "لا", "en": "No"}],
        required=True,
    ),
    operations.QuestionDetails(
        "multiple",
        {"fr": "Qu'est-ce qui manque ?", "ar": "ما الذي ينقص؟", "en": "What is missing?"},
        [
            {"fr": "Formation", "ar": "تكوين", "en": "Training"},
            {"fr": "Transport", "ar": "نقل", "en": "Transport"},
            {"fr": "Information", "ar": "معلومات", "en": "Information"},
        ],
    ),
    operations.QuestionDetails("scale", {"fr": "Utile ?", "ar": "مفيد؟", "en": "Useful?"}),
    operations.QuestionDetails("text", {"fr": "Une idée ?", "ar": "فكرة؟", "en": "An idea?"}),
]


@dataclass
class Place:
    trainer: object
    other_trainer: object
    member: object
    second_member: object
    other_member: object
    cohort: object
    circle: Circle
    other_circle: Circle
    consultation: Consultation


@pytest.fixture
def make_consultation() -> Callable:
    def factory(project, actor, status="open", questions=QUESTIONS, **details):
        details.setdefault("titles", {"fr": "Emploi des jeunes", "ar": "تشغيل الشباب"})
        details.setdefault("communes", ["Tissa", "Taounate"])
        consultation = operations.create_consultation(
            actor, project, operations.ConsultationDetails(**details)
        )
        for question in questions:
            operations.add_question(actor, consultation, question)
        if status != "draft":
            operations.open_consultation(actor, consultation)
        if status == "closed":
            operations.close_consultation(actor, consultation)
        db.session.commit()
        return consultation

    return factory


@pytest.fixture
def place(make_user, make_cohort, add_learners, make_consultation) -> Place:  # noqa: F811 - the fixtures imported above
    trainer = make_user(email="youssef@example.org", name="Youssef", roles=("trainer",))  # noqa: F811
    other_trainer = make_user(email="other@example.org", name="Other", roles=("trainer",))
    make_cohort([other_trainer])
    cohort = make_cohort([trainer])
    learners = [e.user for e in add_learners(cohort, 3)]
    circles = []
    for name, users in (("Cercle A", learners[:2]), ("Cercle B", learners[2:])):
        circle = Circle(cohort_id=cohort.id, name=name, code=name[-1] + "CODE1")
        circle.memberships = [CircleMember(cohort_id=cohort.id, user_id=u.id) for u in users]
        circle.project = Project(title=f"Projet {name}", province="Taounate", commune="Tissa")
        db.session.add(circle)
        circles.append(circle)
    db.session.commit()
    consultation = make_consultation(circles[0].project, learners[0])
    return Place(trainer, other_trainer, learners[0], learners[1], learners[2], cohort,
                 circles[0], circles[1], consultation)  # fmt: skip


def answer_data(consultation, **by_number) -> dict:
    """Form data: ``q1="c1", q2=["c1", "c2"], q3="4", q4="text"`` by question number."""
    questions = consultation.questions
    return {f"q{questions[int(key[1:]) - 1].id}": value for key, value in by_number.items()}
