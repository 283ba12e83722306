"""OIDC login and launch from a real platform (lti1p3platform): accounts by issuer + subject,
context → cohort, roles → trainer or learner, landing on the resource; bad launches refused with
a page that says why and nothing created."""

from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from curriculum.db import db
from lms.cohorts.models import Cohort
from lms.learning.models import Enrolment
from lms.lti.models import LtiContext, LtiUserLink
from lms.users.models import User

from .platform import INSTRUCTOR, LEARNER, new_private_key


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def start(client, platform, sub="user-1", target="civics"):
    response = client.get(
        _path(platform.login_url(sub, f"http://lms.test/lti/launch?target={target}"))
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.location.startswith(platform.url + "/auth")
    return response.location


def post(client, form):
    return client.post("/lti/launch", data={"state": form["state"], "id_token": form["id_token"]})


def counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (User, LtiUserLink, Cohort, Enrolment, LtiContext)
    )


def test_jwks_lists_the_tool_key_and_rotation_keeps_the_previous(client, runner, app):
    first = client.get("/lti/jwks.json").get_json()["keys"]
    assert len(first) == 1 and first[0]["kty"] == "RSA" and "d" not in first[0]
    result = runner.invoke(args=["lti", "keygen"])
    assert result.exit_code == 0, result.output
    second = client.get("/lti/jwks.json").get_json()["keys"]
    assert [k["kid"] for k in second][:1] == [first[0]["kid"]] and len(second) == 2


def test_learner_launch_creates_account_cohort_and_enrolment(
    client, platform, registered, make_course
):
    make_course()
    form = platform.launch(start(client, platform), roles=(LEARNER,))
    response = post(client, form)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _path(response.location) == "/courses/civics"
    link = db.session.scalar(select(LtiUserLink))
    assert link.subject == "user-1" and link.user.email == "amina@example.org"
    assert link.user.password_hash is None and link.user.name == "Amina Tazi"
    assert not link.user.is_admin
    context = db.session.scalar(select(LtiContext))
    assert context.cohort.name == "Civic education 2026"
    enrolment = db.session.scalar(select(Enrolment))
    assert enrolment.user_id == link.user_id and enrolment.cohort_id == context.cohort_id
    assert client.get("/courses/civics").status_code == 200
    # a second launch (new browser) signs in to the same account and the same cohort
    again = type(client)(client.application)
    form = platform.launch(start(again, platform), roles=(LEARNER,))
    assert post(again, form).status_code == 302
    assert counts() == (1, 1, 1, 1, 1)


def test_instructor_becomes_trainer_of_the_cohort_and_lands_on_the_lesson(
    client, platform, registered, make_course
):
    make_course()
    form = platform.launch(start(client, platform, "teacher", "civics/basics/intro"),
                           sub="teacher", target="civics/basics/intro", roles=(INSTRUCTOR,), email="t@example.org")  # fmt: skip
    response = post(client, form)
    assert _path(response.location) == "/courses/civics/basics/intro"
    user = db.session.scalar(select(User).where(User.email == "t@example.org"))
    cohort = db.session.scalar(select(Cohort))
    assert cohort.is_trainer(user) and "trainer" in user.roles and not user.is_admin


def test_launch_query_count(client, platform, registered, make_course, count_queries):
    make_course()
    post(client, platform.launch(start(client, platform)))
    other = type(client)(client.application)
    form = platform.launch(start(other, platform))
    with count_queries() as queries:
        assert post(other, form).status_code == 302
    assert len(queries) <= 20, queries


@pytest.mark.parametrize(
    "case",
    ["wrong_key", "audience", "expired", "deployment", "no_sub", "no_roles_claim_type"],
)
def test_bad_launch_is_refused_and_creates_nothing(client, platform, registered, make_course, case):
    make_course()
    options = {
        "wrong_key": {"key": new_private_key()},
        "audience": {"aud": "someone-else"},
        "expired": {"expiration": -120},
        "deployment": {"deployment_id": "unknown-deployment"},
        "no_sub": {"drop": ("sub",)},
        "no_roles_claim_type": {
            "drop": ("https://purl.imsglobal.org/spec/lti/claim/message_type",)
        },
    }[case]
    form = platform.launch(start(client, platform), **options)
    response = post(client, form)
    assert response.status_code in (400, 403)
    assert "refused" in response.get_data(as_text=True) or "disabled" in response.get_data(
        as_text=True
    )
    assert counts() == (0, 0, 0, 0, 0)


def test_replayed_nonce_and_state_are_refused(client, platform, registered, make_course):
    make_course()
    form = platform.launch(start(client, platform))
    assert post(client, form).status_code == 302
    before = counts()
    assert post(client, form).status_code == 400
    assert counts() == before


def test_unknown_issuer_and_disabled_platform(client, platform, registered, make_course):
    make_course()
    response = client.get(
        "/lti/login?iss=http://nobody.test&login_hint=x&target_link_uri=http://lms.test/lti/launch"
    )
    assert response.status_code == 400 and "not registered" in response.get_data(as_text=True)
    redirect = start(client, platform)
    registered.enabled = False
    db.session.commit()
    response = post(client, platform.launch(redirect))
    assert response.status_code == 403 and "disabled" in response.get_data(as_text=True)
    assert counts() == (0, 0, 0, 0, 0)
