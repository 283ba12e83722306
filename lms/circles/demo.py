"""The circles of ``lms demo``: a cohort of the public-innovation-circles course in Sidi Bou
Othmane (Rhamna) with six learners (the demo learner among them), two circles whose projects are
at different stages, allies, team milestones accepted or waiting for review, and due dates (one
milestone late). The first circle's project is published (every member agreed, the facilitator
published it): the showcase and its public page show it; in the second circle one member has
agreed so far.

Made once: when the cohort exists, nothing is added. The other circle areas (consultations,
indicators, journal) add their part to the circles made here (``DemoCircles``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from curriculum.db import db
from curriculum.models import Course
from lms.cohorts.models import Cohort, PrerequisiteWaiver
from lms.learning.operations import enrol, new_join_code
from lms.users.models import User
from lms.users.operations import create_user, find_by_email

from . import milestones, operations, queries
from .indicators.operations import add_indicator, record_value
from .journal.operations import add_comment, create_entry
from .models import Circle
from .showcase import operations as showcase

COURSE_SLUG = "public-innovation-circles"
COHORT_NAME = "Cercles de Sidi Bou Othmane"
PROVINCE = "Rhamna"
#: the demo learner (learner@example.org) joins these five in the cohort
LEARNERS = (
    ("hamza@example.org", "Hamza Ouali"),
    ("imane@example.org", "Imane Berrada"),
    ("yassine@example.org", "Yassine Tazi"),
    ("khadija@example.org", "Khadija Amrani"),
    ("omar@example.org", "Omar Lahlou"),
)
CIRCLE_NAMES = ("Les bâtisseurs de Sidi Bou Othmane", "Jeunes de Skhour Rhamna")
PROJECTS = (
    operations.ProjectDetails(
        title="Forum de l'emploi du samedi à la Dar Chabab",
        second_title="منتدى التشغيل يوم السبت في دار الشباب",
        problem_who="Les jeunes de Sidi Bou Othmane, filles et garçons, qui cherchent un premier "
        "emploi",
        problem_what="Ils apprennent trop tard les offres d'emploi et de formation de Benguerir",
        problem_where="Sidi Bou Othmane et ses douars",
        problem_how_many="Environ 400 jeunes de 18 à 30 ans",
        problem_why="Sans premier emploi, beaucoup partent à Marrakech ou restent sans travail",
        tried="Un samedi par mois, l'agence ANAPEC de Benguerir et des employeurs rencontrent les "
        "jeunes à la Dar Chabab ; les jeunes femmes des douars viennent en groupe, avec une "
        "animatrice.",
        province=PROVINCE,
        commune="Sidi Bou Othmane",
        theme="employment",
        stage="pilot",
    ),
    operations.ProjectDetails(
        title="Transport partagé vers le centre de formation de Benguerir",
        second_title="نقل مشترك نحو مركز التكوين ببنجرير",
        problem_who="Les jeunes femmes des douars de Skhour Rhamna inscrites en formation "
        "professionnelle",
        problem_what="Le transport vers Benguerir est rare et cher le matin",
        problem_where="Skhour Rhamna et Benguerir",
        problem_how_many="Une soixantaine de stagiaires",
        problem_why="Beaucoup abandonnent leur formation au bout de trois mois",
        province=PROVINCE,
        commune="Skhour Rhamna",
        theme="mobility",
        stage="diagnosis",
    ),
)
ALLIES = (
    (
        ("Commune de Sidi Bou Othmane", "commune", "Vice-président chargé de la jeunesse",
         "Prête la salle de la Dar Chabab un samedi par mois"),
        ("ANAPEC Benguerir", "public_agency", "Conseillère emploi",
         "Une conseillère vient à chaque forum avec les offres de la semaine"),
    ),
    (("Association des femmes de Skhour Rhamna", "association", "Présidente",
      "Met en relation avec les familles des stagiaires"),),
)  # fmt: skip


@dataclass
class DemoCircles:
    cohort: Cohort
    circles: list[Circle] = field(default_factory=list)
    created: bool = False


def _account(email: str, name: str, password: str) -> User:
    return find_by_email(email) or create_user(email, name, password, ("learner",), locale="fr")


def seed(trainer: User, learner: User, password: str) -> DemoCircles | None:
    """The demo cohort and its circles (None when the course is not imported)."""
    course = db.session.scalar(select(Course).where(Course.slug == COURSE_SLUG))
    if course is None:
        return None
    cohort = db.session.scalar(
        select(Cohort).where(Cohort.course_id == course.id, Cohort.name == COHORT_NAME)
    )
    if cohort is not None:
        return DemoCircles(cohort, queries.cohort_circles(cohort))
    cohort = Cohort(course_id=course.id, course=course, name=COHORT_NAME,
                    territory=f"Sidi Bou Othmane, {PROVINCE}", province=PROVINCE,
                    commune="Sidi Bou Othmane", join_code=new_join_code(),
                    trainers=[trainer], starts_on=date.today() - timedelta(days=45),
                    ends_on=date.today() + timedelta(days=90))  # fmt: skip
    db.session.add(cohort)
    db.session.flush()
    people = [learner] + [_account(email, name, password) for email, name in LEARNERS]
    for person in people:  # they met the masterclass in person: the trainer lets them in
        db.session.add(PrerequisiteWaiver(cohort_id=cohort.id, user_id=person.id,
                                          granted_by_id=trainer.id, reason="Démo"))  # fmt: skip
        db.session.flush()
        enrol(person, course, cohort)
    result = DemoCircles(cohort, created=True)
    for index, (name, details, allies) in enumerate(
        zip(CIRCLE_NAMES, PROJECTS, ALLIES, strict=True)
    ):
        members = people[index * 3 : index * 3 + 3]
        circle = operations.form_circle(trainer, cohort, name, [p.id for p in members])
        operations.update_project(trainer, circle.project, details)  # stages: a facilitator's
        for organisation, kind, role, commitment in allies:
            operations.add_ally(members[0], circle.project, organisation, kind, role, commitment)
        result.circles.append(circle)
    _milestones(trainer, cohort, result.circles)
    _pilot(trainer, result.circles[0])
    _publish(trainer, result.circles)
    db.session.flush()
    return result


def _pilot(trainer: User, circle: Circle) -> None:
    """The first circle's pilot: two indicators with values measured over three months, and
    journal entries (one in Arabic), one of them commented by the facilitator."""

    author = circle.members[0].user
    start = date.today() - timedelta(days=90)
    for name, unit, baseline, target, values in (
        ("Jeunes reçus au forum de l'emploi", "jeunes", 0, 120, (18, 41, 66, 90)),
        ("Jeunes ayant un second rendez-vous dans le mois", "jeunes", 0, 20, (0, 4, 9, 13)),
    ):
        indicator = add_indicator(circle.project, name=name, unit=unit, baseline=baseline,
                                  target=target, by=author)  # fmt: skip
        for month, value in enumerate(values):
            record_value(indicator, measured_on=start + timedelta(days=30 * month), value=value,
                         source="Feuille de présence", by=author)  # fmt: skip
    first = create_entry(circle, author, "Premier forum de l'emploi : 18 jeunes et deux employeurs.",
                         happened_at=datetime.now(UTC) - timedelta(days=60))  # fmt: skip
    add_comment(first, trainer, "Bravo ! Notez qui revient la prochaine fois.")
    create_entry(circle, circle.members[1].user,
                 "La conseillère de l'ANAPEC de Benguerir a inscrit 12 jeunes.",
                 happened_at=datetime.now(UTC) - timedelta(days=20))  # fmt: skip
    create_entry(circle, circle.members[2].user,
                 "علّقنا الملصق في السوق الأسبوعي، وجاءت سبع بنات من الدوار إلى المنتدى لأول مرة.",
                 happened_at=datetime.now(UTC) - timedelta(days=6))  # fmt: skip


def _publish(trainer: User, circles: list[Circle]) -> None:
    """The first circle: every member agrees (the third keeps her first name off the page) and
    the facilitator publishes. The second: one member has agreed so far."""
    first, second = circles
    for index, member in enumerate(first.members):
        showcase.record_consent(member.user, first, True, show_first_name=index != 2)
    showcase.publish(trainer, first.project)
    showcase.record_consent(second.members[0].user, second, True, show_first_name=True)


def _milestones(trainer: User, cohort: Cohort, circles: list[Circle]) -> None:
    """The first circle's charter and diagnosis accepted; the second's charter waiting, late."""
    lessons = queries.team_lessons(cohort.course_id)
    if len(lessons) < 2:
        return
    charter, diagnosis = lessons[0], lessons[1]
    milestones.set_due_date(trainer, cohort, charter, date.today() - timedelta(days=14))
    milestones.set_due_date(trainer, cohort, diagnosis, date.today() + timedelta(days=21))
    first, second = circles
    for lesson, text in ((charter, "Notre charte : nous nous réunissons le samedi à 10 h."),
                         (diagnosis, "Notre diagnostic : 40 jeunes interrogés au souk.")):  # fmt: skip
        work = milestones.hand_in(first.members[0].user, first, lesson, text)
        milestones.review(trainer, work, True, "Bravo.")
    work = milestones.hand_in(second.members[1].user, second, charter, "Notre charte, version 1.")
    milestones.review(trainer, work, False, "Ajoutez comment vous accueillez les nouveaux.")
    milestones.hand_in(second.members[0].user, second, charter, "Notre charte, version 2.")
