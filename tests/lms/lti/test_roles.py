"""What a launch's roles make a person here (the same mapping as the roster's): a context's
instructor or teaching assistant trains its cohort, anyone else learns, nobody becomes an
administrator; an instructor outside a context is a visitor; the trainer role a launch grants
opens that person's cohorts only; the cohort follows the platform's renames unless a trainer
renamed it here."""

import pytest
from sqlalchemy import select

from curriculum.db import db
from lms.cohorts.models import Cohort
from lms.learning.models import Enrolment
from lms.lti.roles import is_trainer_role
from lms.users.models import User

from .platform import INSTRUCTOR
from .test_launch import _path, post, start

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
TA = MEMBERSHIP + "/Instructor#TeachingAssistant"


def launch(client, platform, roles, target="civics", context=("ctx-1", "Civic education 2026"),
           sub="person-1", email="person@example.org"):  # fmt: skip
    form = platform.launch(start(client, platform, sub, target), sub=sub, roles=roles,
                           target=target, context=context, email=email)  # fmt: skip
    response = post(client, form)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


@pytest.mark.parametrize(
    ("role", "trains"),
    [
        (MEMBERSHIP + "#Instructor", True),
        ("Instructor", True),
        ("TeachingAssistant", True),
        (TA, True),
        (MEMBERSHIP + "#TeachingAssistant", True),
        ("urn:lti:role:ims/lis/TeachingAssistant", True),
        (MEMBERSHIP + "/Instructor#Lecturer", True),
        ("Learner", False),
        (MEMBERSHIP + "#Learner", False),
        (MEMBERSHIP + "#Mentor", False),
        (MEMBERSHIP + "#Administrator", False),
        # a member of the faculty who follows this course learns in it
        ("http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor", False),
        ("http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator", False),
        ("SomethingElse#Instructor", False),
    ],
)
def test_role_names(role, trains):
    assert is_trainer_role([role]) is trains


def test_a_teaching_assistant_trains_the_cohort_and_lands_on_the_module(
    client, platform, registered, make_course
):
    make_course()
    response = launch(client, platform, (TA,), target="civics/basics")
    assert _path(response.location) == "/courses/civics"
    assert response.location.endswith("/courses/civics#module-basics")  # the module's anchor
    user = db.session.scalar(select(User))
    cohort = db.session.scalar(select(Cohort))
    assert cohort.is_trainer(user) and user.has_role("trainer") and not user.is_admin
    assert not user.is_site_trainer  # the role opens their cohorts, not the site's
    assert db.session.scalar(select(Enrolment)) is None  # a trainer, not a learner
    assert client.get(f"/cohorts/{cohort.id}").status_code == 200
    assert 'id="module-basics"' in client.get("/courses/civics").get_data(as_text=True)


@pytest.mark.parametrize(
    "roles",
    [
        (MEMBERSHIP + "#Mentor",),
        ("Learner",),
        ("http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor",),
        ("http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator",),
    ],
)
def test_any_other_role_learns_and_nobody_becomes_an_administrator(
    client, platform, registered, make_course, roles
):
    make_course()
    launch(client, platform, roles)
    user = db.session.scalar(select(User))
    enrolment = db.session.scalar(select(Enrolment))
    assert enrolment.user_id == user.id and enrolment.cohort_id is not None
    assert user.roles == {"learner"} and not user.is_admin
    assert client.get("/admin/users").status_code == 403


def test_an_instructor_outside_a_course_is_a_visitor(client, platform, registered, make_course):
    make_course()
    response = launch(client, platform, (INSTRUCTOR,), context=None)
    assert _path(response.location) == "/courses/civics"
    user = db.session.scalar(select(User))
    assert user.roles == {"learner"}  # no trainer role: there is no cohort to train
    assert db.session.scalar(select(Enrolment)) is None
    assert db.session.scalar(select(Cohort)) is None
    page = client.get("/courses/civics").get_data(as_text=True)
    assert "outside a course of your platform" in page


def test_the_trainer_role_of_a_launch_opens_that_cohort_only(
    client, platform, registered, make_course, make_user
):
    course = make_course()
    trainer = make_user(roles=("trainer",))
    other = Cohort(course_id=course.id, course=course, name="Another cohort", join_code="OTHER123",
                   trainers=[trainer])  # fmt: skip
    db.session.add(other)
    db.session.commit()
    launch(client, platform, (INSTRUCTOR,))
    mine = db.session.scalar(select(Cohort).where(Cohort.id != other.id))
    assert client.get(f"/cohorts/{mine.id}").status_code == 200
    assert client.get(f"/cohorts/{mine.id}/roster").status_code == 200
    listing = client.get("/cohorts").get_data(as_text=True)
    assert "Civic education 2026" in listing and "Another cohort" not in listing
    assert "/cohorts/new" not in listing
    for url in (f"/cohorts/{other.id}", f"/cohorts/{other.id}/roster",
                f"/cohorts/{other.id}/edit", "/cohorts/new", "/admin/users"):  # fmt: skip
        assert client.get(url).status_code == 403, url
    # a trainer of the site still creates cohorts
    site = type(client)(client.application)
    site.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    site.post("/login", data={"email": trainer.email, "password": "correct horse battery"})
    assert site.get("/cohorts/new").status_code == 200
    # the administrators see where the role came from
    admin = make_user(roles=("admin",))
    site.post("/logout")
    site.post("/login", data={"email": admin.email, "password": "correct horse battery"})
    lti_trainer = db.session.scalar(select(User).where(User.email == "person@example.org"))
    page = site.get(f"/admin/users/{lti_trainer.id}").get_data(as_text=True)
    assert "Trainer through an LTI platform" in page


def test_the_cohort_follows_the_platforms_rename_unless_renamed_here(
    client, platform, registered, make_course
):
    make_course()
    launch(client, platform, (INSTRUCTOR,))
    cohort = db.session.scalar(select(Cohort))
    renamed = type(client)(client.application)
    launch(renamed, platform, (INSTRUCTOR,), context=("ctx-1", "Civic education 2027"))
    db.session.refresh(cohort)
    assert cohort.name == "Civic education 2027"
    cohort.name = "Civics, Tiznit group"  # a trainer's own name for it
    db.session.commit()
    again = type(client)(client.application)
    launch(again, platform, (INSTRUCTOR,), context=("ctx-1", "Civic education 2028"))
    db.session.refresh(cohort)
    assert cohort.name == "Civics, Tiznit group"
    assert db.session.scalar(select(Cohort.id).where(Cohort.id != cohort.id)) is None
