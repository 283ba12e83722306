"""``lms demo`` makes a circles cohort in Rhamna: two circles, projects at different stages,
allies, team milestones accepted, waiting for review and late, a pilot with indicators and a
journal, and the first project published (so the showcase and its public page are not empty);
run again, nothing is added."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from curriculum.db import db
from lms.circles import queries
from lms.circles.consultations.models import Consultation
from lms.circles.demo import CIRCLE_NAMES, COHORT_NAME
from lms.circles.indicators.models import IndicatorValue
from lms.circles.journal.models import JournalComment, JournalEntry
from lms.circles.models import Circle, ProjectAlly
from lms.cohorts.models import Cohort
from tests.lms.test_cli import demo


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_demo_has_two_circles_at_different_stages(empty_app):
    output = demo(empty_app, LMS_DEMO_PASSWORD="demo-password-2026")
    assert f"Circles of the cohort {COHORT_NAME}: {CIRCLE_NAMES[0]}" in output
    with empty_app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.name == COHORT_NAME))
        assert cohort.province == "Rhamna"
        circles = queries.cohort_circles(cohort)
        assert len(circles) == 2
        assert {c.project.stage for c in circles} == {"pilot", "diagnosis"}
        assert all(len(c.members) == 3 for c in circles)
        assert count(ProjectAlly) == 3
        assert count(IndicatorValue) == 8
        assert count(JournalEntry) == 3 and count(JournalComment) == 1
        first = next(c for c in circles if c.project.stage == "pilot")
        assert "learner@example.org" in [m.user.email for m in first.members]
        assert [m.accepted for m in queries.milestones_of(first)][:2] == [True, True]
        late = queries.late_milestones(cohort, date.today())
        assert [(item.circle.name, item.status) for item in late] == [
            (CIRCLE_NAMES[1], "submitted")
        ]
        assert sorted(c.status for c in db.session.scalars(select(Consultation))) == [
            "closed",
            "open",
        ]
    demo(empty_app, LMS_DEMO_PASSWORD="demo-password-2026")
    with empty_app.app_context():
        assert count(Circle) == 2 and count(Consultation) == 2


def test_the_demo_shows_a_published_project(empty_app):
    demo(empty_app, LMS_DEMO_PASSWORD="demo-password-2026")
    client = empty_app.test_client()  # anonymous
    showcase = client.get("/showcase?province=Rhamna").get_data(as_text=True)
    assert "Forum de l&#39;emploi du samedi" in showcase
    assert "Transport partagé" not in showcase  # not every member of that circle agreed yet
    with empty_app.app_context():
        project = (
            db.session.scalars(select(Circle).where(Circle.name == CIRCLE_NAMES[0])).one().project
        )
        assert project.is_published
        url = f"/projects/{project.id}"
    page = client.get(url).get_data(as_text=True)
    for shown in (
        "منتدى التشغيل يوم السبت",  # the title in Arabic
        "ANAPEC Benguerir",  # an ally
        "Jeunes reçus au forum",  # an indicator, with its chart
        "<polyline",
        "Souvent trop tard",  # the closed diagnosis consultation's results
        "44 réponses · En personne 14, Papier 30",
    ):
        assert shown in page, shown
    assert "Imane" not in page  # she agreed to the page, not to her first name on it
    assert client.get(url + "/sheet.pdf").status_code == 200
