"""Pages stay light for phones on weak connections: under 100 KB of HTML + CSS + JS each."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from curriculum.db import db
from curriculum.glossary import BUNDLED_GLOSSARY
from curriculum.importer import import_bundled_packs

LIMIT = 100 * 1024
TEST_GLOSSARY = Path(__file__).resolve().parents[1] / "curriculum" / "glossaries" / "glossary.yaml"


@pytest.fixture
def bundled(app):
    for _line in import_bundled_packs():
        pass
    db.session.commit()


def weight(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.get_data()
    total = len(html)
    for asset in re.findall(rb'(?:href|src)="(/lms-static/[^"]+\.(?:css|js))"', html):
        total += len(client.get(asset.decode()).get_data())
    return total


def test_main_pages_weigh_less_than_100_kb(app, client, make_user, login, bundled):
    # the packs' glossary when it is there, else the test one: the page is never empty
    if not BUNDLED_GLOSSARY.exists():
        app.config["LMS_GLOSSARY_PATH"] = str(TEST_GLOSSARY)
    login(make_user(roles=("learner",)))
    client.post("/courses/solving-public-problems/enrol")
    pages = [
        "/",
        "/courses",
        "/courses/solving-public-problems",
        "/my",
        "/certificates",
        "/courses/solving-public-problems/mindset/public-problem",
        "/courses/solving-public-problems/mindset/check-mindset",
        "/courses/solving-public-problems/mindset/territory-assets",
        "/glossary",
    ]
    for url in pages:
        assert weight(client, url) < LIMIT, url


PUBLIC_LIMIT = 30 * 1024


def test_the_public_consultation_page_weighs_less_than_30_kb(app, make_user, make_course):
    """A citizen opens it from a poster's QR code, often on a weak connection: under 30 KB."""
    from lms.circles.consultations import operations as consult
    from lms.circles.models import Circle, CircleMember, Project
    from lms.cohorts.models import Cohort

    learner = make_user()
    course = make_course()
    cohort = Cohort(course_id=course.id, name="C", join_code="WEIGHT01")
    db.session.add(cohort)
    db.session.flush()
    circle = Circle(cohort_id=cohort.id, name="Cercle", code="WEIGHT01")
    circle.memberships = [CircleMember(cohort_id=cohort.id, user_id=learner.id)]
    circle.project = Project(title="Projet")
    db.session.add(circle)
    db.session.flush()
    consultation = consult.create_consultation(
        learner, circle.project,
        consult.ConsultationDetails({"fr": "Avis " * 30, "ar": "رأي " * 30}, {"fr": "Intro " * 150},
                                    communes=[f"Commune {n}" for n in range(30)]),
    )  # fmt: skip
    choices = [{"fr": f"Choix {n} " * 10, "ar": f"اختيار {n} " * 10} for n in range(8)]
    for n in range(10):  # the largest consultation there can be
        kind = ("single", "multiple", "scale", "text")[n % 4]
        prompt = {"fr": f"Question {n} " * 20, "ar": f"سؤال {n} " * 20}
        consult.add_question(learner, consultation, consult.QuestionDetails(kind, prompt, choices))
    consult.open_consultation(learner, consultation)
    db.session.commit()
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ar"
    size = weight(client, f"/c/{consultation.code}")
    assert size < PUBLIC_LIMIT
