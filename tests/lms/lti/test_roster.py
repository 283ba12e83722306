"""NRPS 2.0 against a real platform: a trainer who launched from the platform imports its
course's learners into the cohort through the roster preview and confirmation. The accounts it
creates are linked to the members' platform user ids (their launch opens them); a member without
an e-mail gets an account without e-mail, enrolled at once; roles map as a launch maps them."""

import json
import re

import pytest
from sqlalchemy import func, select
from werkzeug.wrappers import Request, Response

from curriculum.db import db
from lms.cohorts.models import Cohort, CohortInvitation
from lms.learning.models import Enrolment
from lms.lti.models import LtiPlatform, LtiUserLink
from lms.mail.models import OutboxMessage
from lms.users.models import User
from tests.conftest import PASSWORD

from .grading_platform import GradingPlatform
from .platform import INSTRUCTOR, LEARNER
from .test_launch import post, start

NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
MEMBERS = [
    {
        "user_id": "teacher",
        "roles": [INSTRUCTOR],
        "name": "Salma Idrissi",
        "email": "t@example.org",
    },
    {"user_id": "u1", "roles": [LEARNER], "name": "Yassine Alami", "email": "yassine@example.org"},
    {"user_id": "u2", "roles": [LEARNER], "name": "Amina Tazi", "email": "amina@example.org"},
]


class RosterPlatform(GradingPlatform):
    """The grading test platform with a two-page NRPS memberships service."""

    members = MEMBERS

    def _wsgi(self, environ, start_response):
        request = Request(environ)
        if request.path == "/memberships":
            bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
            self._conf().validate_token(bearer)
            page = int(request.args.get("page", 1))
            body = {"id": self.url + "/memberships", "members": self.members[page - 1 :: 2]}
            headers = {"Link": f'<{self.url}/memberships?page=2>; rel="next"'} if page == 1 else {}
            return Response(json.dumps(body), mimetype="application/json", headers=headers)(
                environ, start_response
            )
        return super()._wsgi(environ, start_response)


@pytest.fixture
def nrps(app, client):
    platform = RosterPlatform("http://lms.test")
    platform.tool_keys = client.get("/lti/jwks.json").get_json()
    db.session.add(LtiPlatform(**platform.platform_fields()))
    db.session.commit()
    yield platform
    platform.close()


def instructor_launch(client, platform):
    form = platform.launch(start(client, platform, "teacher"), sub="teacher", roles=(INSTRUCTOR,),
                           email="t@example.org",
                           extra={NRPS: {"context_memberships_url": platform.url + "/memberships",
                                         "service_versions": ["2.0"]}})  # fmt: skip
    assert post(client, form).status_code == 302
    return db.session.scalar(select(Cohort))


def test_trainer_imports_the_platforms_learners_after_a_preview(
    client, nrps, make_course, make_user
):
    make_course()
    make_user(email="amina@example.org", name="Amina Tazi")  # an existing account: invited
    cohort = instructor_launch(client, nrps)
    upload_page = client.get(f"/cohorts/{cohort.id}/roster").get_data(as_text=True)
    assert f'action="/lti/cohorts/{cohort.id}/roster"' in upload_page
    response = client.post(f"/lti/cohorts/{cohort.id}/roster")
    assert response.status_code == 302, response.get_data(as_text=True)
    preview = client.get(response.location).get_data(as_text=True)
    assert "yassine@example.org" in preview and "amina@example.org" in preview
    assert "t@example.org" not in preview  # instructors are trainers, not roster rows
    assert db.session.scalar(select(func.count()).select_from(CohortInvitation)) == 0
    digest = re.search(r'name="digest"[^>]*value="([^"]+)"', preview).group(1)
    confirm = client.post(response.location.split("?")[0].rstrip("/") + "/confirm",
                          data={"digest": digest})  # fmt: skip
    assert confirm.status_code == 302, confirm.get_data(as_text=True)
    invited = db.session.scalars(
        select(User.email).join(CohortInvitation, CohortInvitation.user_id == User.id)
    ).all()
    assert sorted(e.lower() for e in invited) == ["amina@example.org", "yassine@example.org"]
    # the existing account was invited, not duplicated
    assert db.session.scalar(select(func.count()).where(User.email == "amina@example.org")) == 1


def confirm(client, cohort):
    response = client.post(f"/lti/cohorts/{cohort.id}/roster")
    assert response.status_code == 302, response.get_data(as_text=True)
    preview = client.get(response.location).get_data(as_text=True)
    digest = re.search(r'name="digest"[^>]*value="([^"]+)"', preview).group(1)
    confirmed = client.post(response.location.split("?")[0].rstrip("/") + "/confirm",
                            data={"digest": digest})  # fmt: skip
    assert confirmed.status_code == 302, confirmed.get_data(as_text=True)
    return preview


def link_of(subject: str) -> LtiUserLink | None:
    return db.session.scalar(select(LtiUserLink).where(LtiUserLink.subject == subject))


def test_a_member_without_email_gets_an_account_without_email_and_is_enrolled(
    client, nrps, make_course, make_user
):
    make_course()
    make_user(email="amina@example.org", name="Amina Tazi")  # an existing account: invited
    nrps.members = [*MEMBERS, {"user_id": "u3", "roles": [LEARNER], "name": "No Mail"},
                    {"user_id": "u4", "roles": [LEARNER], "name": "Bad Mail", "email": "nope"}]  # fmt: skip
    cohort = instructor_launch(client, nrps)
    preview = confirm(client, cohort)
    assert "No Mail" in preview and "Bad Mail" in preview and ".invalid" not in preview
    assert "no e-mail" in preview and "Will be enrolled now" in preview
    for subject in ("u3", "u4"):
        account = link_of(subject).user
        assert not account.has_email
        enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == account.id))
        assert enrolment.cohort_id == cohort.id
    # the new account with an e-mail is linked to its member, and invited as a CSV's would be
    yassine = link_of("u1").user
    assert yassine.email == "yassine@example.org"
    # the existing account is invited, not linked: the platform's word is no proof
    assert link_of("u2") is None
    browser = type(client)(client.application)
    form = nrps.launch(start(browser, nrps, "u2"), sub="u2", email="amina@example.org")
    assert post(browser, form).location.endswith("/lti/account")  # her password links it
    assert not db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.recipient.like("%.invalid"), OutboxMessage.status != "skipped"
        )
    ).all()
    # their launches open these accounts (no duplicate); the launch accepts the invitation
    for subject, name, email in (("u3", "No Mail", None),
                                 ("u1", "Yassine Alami", "yassine@example.org")):  # fmt: skip
        browser = type(client)(client.application)
        form = nrps.launch(start(browser, nrps, subject), sub=subject, name=name, email=email)
        assert post(browser, form).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(User)) == 5
    invitation = db.session.scalar(
        select(CohortInvitation).where(CohortInvitation.user_id == yassine.id)
    )
    assert invitation.accepted_at is not None
    # the trainer's pages show no placeholder
    page = client.get(f"/cohorts/{cohort.id}")
    assert page.status_code == 200, page.location
    dashboard = page.get_data(as_text=True)
    assert "No Mail" in dashboard and ".invalid" not in dashboard
    export = client.get(f"/cohorts/{cohort.id}/progress.csv").get_data(as_text=True)
    assert "No Mail" in export and ".invalid" not in export


def test_roles_map_as_a_launch_maps_them(client, nrps, make_course):
    make_course()
    ta = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"
    nrps.members = [*MEMBERS,
                    {"user_id": "ta", "roles": [ta], "name": "Omar TA", "email": "ta@example.org"},
                    {"user_id": "m1", "roles": ["Mentor"], "name": "Mina Mentor",
                     "email": "mentor@example.org"},
                    {"user_id": "s1", "roles": ["Learner"], "name": "Short Name",
                     "email": "short@example.org"}]  # fmt: skip
    cohort = instructor_launch(client, nrps)
    preview = confirm(client, cohort)
    # anything else than an instructor or a teaching assistant learns
    assert "mentor@example.org" in preview and "short@example.org" in preview
    # a teaching assistant is no learner row; an import makes nobody a trainer
    assert "ta@example.org" not in preview and link_of("ta") is None
    assert len(db.session.get(Cohort, cohort.id).trainers) == 1
    # their own launch does, as for an instructor
    browser = type(client)(client.application)
    form = nrps.launch(start(browser, nrps, "ta"), sub="ta", roles=(ta,), email="ta@example.org")
    assert post(browser, form).status_code == 302
    trainer = link_of("ta").user
    assert db.session.get(Cohort, cohort.id).is_trainer(trainer)
    assert db.session.scalar(select(Enrolment).where(Enrolment.user_id == trainer.id)) is None


def test_only_a_trainer_who_came_from_the_platform_imports_from_it(
    client, nrps, make_course, make_user
):
    make_course()
    cohort = instructor_launch(client, nrps)
    # a trainer of the cohort who did not come from the platform cannot import from it
    other = type(client)(client.application)
    user = make_user(email="local@example.org", roles=("trainer",))
    cohort.trainers.append(user)
    db.session.commit()
    other.post("/login", data={"email": user.email, "password": PASSWORD})
    refused = other.post(f"/lti/cohorts/{cohort.id}/roster")
    assert refused.status_code == 404 and "plateforme" in refused.get_data(as_text=True)
