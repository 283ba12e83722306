"""NRPS 2.0 against a real platform: a trainer who launched from the platform imports its
course's learners into the cohort through the roster preview and confirmation; a member the
platform sends without an e-mail blocks the import (nothing half-done)."""

import json
import re

import pytest
from sqlalchemy import func, select
from werkzeug.wrappers import Request, Response

from curriculum.db import db
from lms.cohorts.models import Cohort, CohortInvitation
from lms.lti.models import LtiPlatform
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


def test_a_member_without_email_blocks_the_import_and_others_are_refused(
    client, nrps, make_course, make_user
):
    make_course()
    nrps.members = [*MEMBERS, {"user_id": "u3", "roles": [LEARNER], "name": "No Mail"}]
    cohort = instructor_launch(client, nrps)
    response = client.post(f"/lti/cohorts/{cohort.id}/roster")
    preview = client.get(response.location).get_data(as_text=True)
    assert "No Mail" in preview and 'name="digest"' not in preview  # nothing to confirm
    assert db.session.scalar(select(func.count()).select_from(CohortInvitation)) == 0
    # a trainer of the cohort who did not come from the platform cannot import from it
    other = type(client)(client.application)
    user = make_user(email="local@example.org", roles=("trainer",))
    cohort.trainers.append(user)
    db.session.commit()
    other.post("/login", data={"email": user.email, "password": PASSWORD})
    refused = other.post(f"/lti/cohorts/{cohort.id}/roster")
    assert refused.status_code == 404 and "plateforme" in refused.get_data(as_text=True)
