"""Fixtures of the showcase tests: a circle whose project has something of everything (problem,
allies, indicators with values, a closed consultation with answers from several channels, and
a draft and an open one that the public never sees), grown on demand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from curriculum.db import db
from lms.circles.consultations import answers as consult_answers
from lms.circles.consultations import operations as consult
from lms.circles.indicators import operations as indicators
from lms.circles.journal import operations as journal
from lms.circles.models import CircleMember, ProjectAlly
from tests.lms.consultations.conftest import (  # noqa: F401 - a fixture shared with them
    QUESTIONS,
    make_consultation,
)

CHANNELS = ("paper", "phone", "whatsapp", "radio", "in_person")
PROJECT = {
    "title": "Café-emploi du samedi",
    "second_title": "مقهى التشغيل يوم السبت",
    "problem_who": "Les jeunes diplômés de Tissa",
    "problem_what": "Ils ne connaissent pas les offres d'emploi de la région.",
    "problem_where": "Commune de Tissa",
    "problem_how_many": "Environ 400 jeunes",
    "problem_why": "Sans information, ils partent ou restent sans travail.",
    "tried": "Un café-emploi chaque samedi au Dar Chabab, avec l'ANAPEC.",
    "province": "Taounate",
    "commune": "Tissa",
    "theme": "employment",
    "stage": "pilot",
}


def answer(consultation, n: int, actor) -> None:
    single, multiple, scale, text = consultation.questions
    for index in range(n):
        sent = {
            single.id: [("c1", "c2")[index % 2]],
            multiple.id: ["c1", "c3"] if index % 3 else ["c2"],
            scale.id: [str(1 + index % 5)],
            text.id: [f"Idée numéro {index}"],
        }
        read = consult_answers.check(consultation.questions, sent)
        consult.record_entered_answer(actor, consultation, read, CHANNELS[index % len(CHANNELS)],
                                      "Tissa", date(2026, 11, 1), date(2026, 12, 1))  # fmt: skip


@pytest.fixture
def grow() -> Callable:
    """``grow(circle, add_learners, n)``: n more consenting members, allies, indicators (each with
    n values), journal entries (each commented by the facilitator), and one more closed
    consultation with n answers."""

    def factory(circle, add_learners, n: int, consent: bool = True):
        project = circle.project
        for enrolment in add_learners(circle.cohort, n):
            circle.memberships.append(CircleMember(
                cohort_id=circle.cohort_id, user_id=enrolment.user_id,
                consents_to_publish=consent, show_first_name=consent,
            ))  # fmt: skip
        actor, facilitator = circle.members[0].user, circle.cohort.trainers[0]
        for index in range(n):
            entry = journal.create_entry(circle, circle.members[index % len(circle.members)].user,
                                         f"Samedi {index} : 25 jeunes au café-emploi.")  # fmt: skip
            journal.add_comment(entry, facilitator, "Bravo, notez qui revient.")
            project.allies.append(ProjectAlly(organisation=f"Allié {index}", kind="association",
                                              commitment="Une salle"))  # fmt: skip
            indicator = indicators.add_indicator(project, name=f"Jeunes reçus {index}",
                                                 unit="jeunes", baseline=0, target=100)  # fmt: skip
            for day in range(n):
                indicators.record_value(indicator, measured_on=date(2026, 10, 1) + timedelta(day),
                                        value=10 * day, source="Registre")  # fmt: skip
        new = consult.create_consultation(
            actor, project, consult.ConsultationDetails({"fr": "Avis", "ar": "رأي"})
        )
        for details in QUESTIONS:
            consult.add_question(actor, new, details)
        consult.open_consultation(actor, new)
        answer(new, n, actor)
        consult.close_consultation(actor, new)
        db.session.commit()

    return factory


@pytest.fixture
def showcase_circle(trainer, make_cohort, add_learners, make_circle, make_consultation) -> Callable:  # noqa: F811 - the fixture imported above
    """``showcase_circle(names=(...))`` → a circle of the trainer's cohort in Taounate whose
    project is filled in, with a closed consultation of 6 answers, a draft one and an open one.
    Nobody has answered about consent and the project is not published."""

    def factory(names=("Salma Idrissi", "Hamza Ouali"), **project):
        cohort = make_cohort([trainer], province="Taounate", commune="Tissa")
        users = [e.user for e in add_learners(cohort, len(names))]
        for user, name in zip(users, names, strict=True):
            user.name = name
        circle = make_circle(cohort, users, **{**PROJECT, **project})
        circle.project.allies.append(ProjectAlly(organisation="Commune de Tissa", kind="commune",
                                                 commitment="La salle du Dar Chabab"))  # fmt: skip
        indicator = indicators.add_indicator(circle.project, name="Jeunes reçus", unit="jeunes",
                                             baseline=0, target=120)  # fmt: skip
        for day, value in ((1, 14), (8, 31), (15, 52)):
            indicators.record_value(indicator, measured_on=date(2026, 10, day), value=value,
                                    source="Registre")  # fmt: skip
        actor = users[0]
        closed = make_consultation(circle.project, actor, status="open")
        answer(closed, 6, actor)
        consult.close_consultation(actor, closed)
        make_consultation(
            circle.project, actor, status="draft", titles={"fr": "Brouillon caché", "ar": "مسودة"}
        )
        make_consultation(
            circle.project, actor, status="open", titles={"fr": "Encore ouverte", "ar": "مفتوحة"}
        )
        db.session.commit()
        return circle

    return factory


def agree(circle, *, names: bool = True) -> None:
    """Every member agrees (directly in the data, not through the operations under test)."""
    for member in circle.members:
        member.consents_to_publish, member.show_first_name = True, names
    db.session.commit()
