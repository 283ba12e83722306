"""``lms demo`` makes a circles cohort: two circles, projects at different stages, allies, team
milestones accepted, waiting for review and late; run again, nothing is added."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from curriculum.db import db
from lms.circles import queries
from lms.circles.demo import COHORT_NAME
from lms.circles.models import Circle, ProjectAlly
from lms.cohorts.models import Cohort
from tests.lms.test_cli import demo


def test_the_demo_has_two_circles_at_different_stages(empty_app):
    output = demo(empty_app, LMS_DEMO_PASSWORD="demo-password-2026")
    assert "Circles of the cohort Cercles de Tissa: Les bâtisseurs de Tissa" in output
    with empty_app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.name == COHORT_NAME))
        circles = queries.cohort_circles(cohort)
        assert len(circles) == 2
        assert {c.project.stage for c in circles} == {"pilot", "diagnosis"}
        assert all(len(c.members) == 3 for c in circles)
        assert db.session.scalar(select(func.count()).select_from(ProjectAlly)) == 3
        from lms.circles.indicators.models import IndicatorValue
        from lms.circles.journal.models import JournalComment, JournalEntry

        assert db.session.scalar(select(func.count()).select_from(IndicatorValue)) == 8
        assert db.session.scalar(select(func.count()).select_from(JournalEntry)) == 2
        assert db.session.scalar(select(func.count()).select_from(JournalComment)) == 1
        first = next(c for c in circles if c.project.stage == "pilot")
        assert "learner@example.org" in [m.user.email for m in first.members]
        assert [m.accepted for m in queries.milestones_of(first)][:2] == [True, True]
        late = queries.late_milestones(cohort, date.today())
        assert [(item.circle.name, item.status) for item in late] == [
            ("Jeunes d'Ain Aicha", "submitted")
        ]
    demo(empty_app, LMS_DEMO_PASSWORD="demo-password-2026")
    with empty_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Circle)) == 2
