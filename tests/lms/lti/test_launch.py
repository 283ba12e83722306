"""OIDC login and launch from a real platform (lti1p3platform): accounts by issuer + subject,
context → cohort, roles → trainer or learner, landing on the resource; bad launches refused with
a page that says why and nothing created."""

import copy
from html import unescape
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from curriculum.db import db
from lms.cohorts.models import Cohort
from lms.learning.models import Enrolment
from lms.lti.models import LtiContext, LtiResourceLink, LtiUserLink
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
        for model in (User, LtiUserLink, Cohort, Enrolment, LtiContext, LtiResourceLink)
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
    assert counts() == (1, 1, 1, 1, 1, 1)


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


CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
#: case → (what the platform gets wrong, what the page says)
BAD_LAUNCHES = {
    "wrong_key": ({"key": new_private_key()}, "signature could not be checked"),
    "audience": ({"aud": "someone-else"}, "client ID) is not registered here"),
    "expired": ({"expiration": -120}, "message has expired"),
    "deployment": ({"deployment_id": "unknown-deployment"}, "deployment of the tool is not registered"),
    "no_deployment": ({"drop": (CLAIM + "deployment_id",)}, "which deployment of the tool it comes from"),
    "no_sub": ({"drop": ("sub",)}, "did not say who is launching"),
    "no_message_type": ({"drop": (CLAIM + "message_type",)}, "kind of LTI message is not supported"),
    # LTI 1.3 requires the roles claim (an empty list is fine: a learner): pylti1p3 refuses it
    "no_roles": ({"drop": (CLAIM + "roles",)}, "did not send the person's roles"),
    "no_version": ({"drop": (CLAIM + "version",)}, "not an LTI 1.3 launch"),
    "wrong_version": ({"extra": {CLAIM + "version": "1.1.0"}}, "not an LTI 1.3 launch"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD_LAUNCHES))
def test_bad_launch_is_refused_and_creates_nothing(client, platform, registered, make_course, case):
    make_course()
    options, reason = BAD_LAUNCHES[case]
    form = platform.launch(start(client, platform), **options)
    response = post(client, form)
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 400, html
    assert "This launch was refused" in html and reason in html
    assert counts() == (0, 0, 0, 0, 0, 0)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "La plateforme n’a pas envoyé les rôles de la personne"),
     ("ar", "لم ترسل المنصة أدوار هذا الشخص")],
)  # fmt: skip
def test_a_refused_launch_speaks_the_persons_language(
    client, platform, registered, make_course, language, expected
):
    make_course()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    form = platform.launch(start(client, platform), drop=(CLAIM + "roles",))
    html = unescape(post(client, form).get_data(as_text=True))
    assert expected in html
    assert "Missing Roles Claim" not in html and "This launch was refused" not in html


def test_an_empty_roles_claim_is_a_learner(client, platform, registered, make_course):
    make_course()
    assert post(client, platform.launch(start(client, platform), roles=())).status_code == 302
    assert db.session.scalar(select(Enrolment)) is not None


def test_a_replayed_launch_with_the_pre_launch_cookies_is_refused(
    client, platform, registered, make_course
):
    make_course()
    redirect = start(client, platform)
    before_launch = copy.deepcopy(client._cookies)  # what a copy of the browser's cookies holds
    form = platform.launch(redirect)
    assert post(client, form).status_code == 302
    created = counts()
    replay = type(client)(client.application)
    replay.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    replay._cookies = before_launch
    response = post(replay, form)
    assert response.status_code == 400
    assert "already used" in response.get_data(as_text=True)
    assert counts() == created
    assert replay.get("/courses/civics/basics/intro").status_code == 302  # not signed in


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
    assert counts() == (0, 0, 0, 0, 0, 0)
