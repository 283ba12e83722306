"""Which account a launch opens when the platform sends no e-mail, or one that already has an
account here: an account without e-mail (a placeholder, never shown nor mailed), or the person's
choice on a page of the tool (the existing account's password links it, with the login's limits;
or a new account), the launch waiting on the server meanwhile."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from curriculum.db import db, utcnow
from lms.cohorts.models import Cohort
from lms.learning.models import Enrolment
from lms.lti.models import LtiPendingLaunch, LtiUserLink
from lms.mail.models import OutboxMessage
from lms.mail.operations import send_mail
from lms.users.models import User
from tests.conftest import PASSWORD

from .test_launch import _path, post, start


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def launch(client, platform, **options):
    sub = options.pop("sub", "user-1")
    response = post(client, platform.launch(start(client, platform, sub), sub=sub, **options))
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def test_a_launch_without_email_makes_an_account_without_email_that_is_never_mailed(
    client, platform, registered, make_course
):
    make_course()
    response = launch(client, platform, email=None)
    assert _path(response.location) == "/courses/civics"
    link = db.session.scalar(select(LtiUserLink))
    user = link.user
    assert user.email.endswith(".invalid") and not user.has_email and user.shown_email == ""
    assert user.password_hash is None and user.name == "Amina Tazi"
    enrolment = db.session.scalar(select(Enrolment))
    assert enrolment.user_id == user.id and enrolment.cohort_id is not None
    # the account page says there is no address: it does not show the placeholder as if real
    page = client.get("/account").get_data(as_text=True)
    assert ".invalid" not in page and "did not give us an e-mail address" in page
    # a message for the account is kept in the outbox, marked, and never sent
    message = send_mail(user.email, "Hello", "Body")
    db.session.commit()
    assert message.status == "skipped" and message.body == ""
    # nobody can ask a password reset for it either
    client.post("/logout")
    client.post("/password/forgot", data={"email": user.email})
    assert count(OutboxMessage) == 1
    # the same person's next launch opens the same account
    again = type(client)(client.application)
    launch(again, platform, email=None)
    assert count(User) == 1 and count(LtiUserLink) == 1


def test_an_invalid_email_is_treated_as_none(client, platform, registered, make_course):
    make_course()
    launch(client, platform, email="not an address")
    assert not db.session.scalar(select(User)).has_email


@pytest.fixture
def owner(make_user):
    """A local account with the address the platform sends for its user."""
    return make_user(email="Amina@example.org", name="Amina (local)")


def test_an_existing_email_waits_for_the_password_and_links_that_account(
    client, platform, registered, make_course, owner
):
    make_course()
    response = launch(client, platform)
    assert _path(response.location) == "/lti/account"
    # nothing is taken over and nothing duplicated before the person chooses
    assert count(User) == 1 and count(LtiUserLink) == 0 and count(Enrolment) == 0
    assert count(LtiPendingLaunch) == 1
    page = client.get("/lti/account")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "An account with the e-mail Amina@example.org already exists here" in html
    assert "Test platform" in html and 'href="/password/forgot"' in html
    assert 'name="password"' in html and 'name="new_account"' in html

    wrong = client.post("/lti/account", data={"password": "not it", "link": "1"})
    assert wrong.status_code == 401
    assert "This is not the password of this account" in wrong.get_data(as_text=True)
    assert count(LtiUserLink) == 0 and count(LtiPendingLaunch) == 1
    empty = client.post("/lti/account", data={"password": "", "link": "1"})
    assert empty.status_code == 400 and "Type the password" in empty.get_data(as_text=True)

    right = client.post("/lti/account", data={"password": PASSWORD, "link": "1"})
    assert right.status_code == 302 and _path(right.location) == "/courses/civics"
    link = db.session.scalar(select(LtiUserLink))
    assert link.user_id == owner.id and link.subject == "user-1"
    enrolment = db.session.scalar(select(Enrolment))
    cohort = db.session.scalar(select(Cohort))
    assert enrolment.user_id == owner.id and enrolment.cohort_id == cohort.id
    assert count(User) == 1 and count(LtiPendingLaunch) == 0
    assert db.session.get(User, owner.id).name == "Amina (local)"  # not renamed by the choice
    assert client.get("/courses/civics").status_code == 200  # signed in
    # the choice served once
    assert client.get("/lti/account").status_code == 404
    # the next launch opens the linked account directly
    other = type(client)(client.application)
    response = launch(other, platform)
    assert _path(response.location) == "/courses/civics" and count(User) == 1


def test_continue_with_a_new_account_leaves_the_existing_one_alone(
    client, platform, registered, make_course, owner
):
    make_course()
    launch(client, platform)
    response = client.post("/lti/account", data={"new_account": "1"})
    assert response.status_code == 302 and _path(response.location) == "/courses/civics"
    link = db.session.scalar(select(LtiUserLink))
    assert link.user_id != owner.id and not link.user.has_email
    assert link.user.name == "Amina Tazi"
    assert db.session.scalar(select(Enrolment.user_id)) == link.user_id
    assert count(User) == 2 and count(LtiPendingLaunch) == 0


def test_whoever_used_the_browser_before_is_signed_out_while_the_person_chooses(
    client, platform, registered, make_course, owner, make_user, login
):
    make_course()
    login(make_user(email="previous@example.org"))
    launch(client, platform)
    assert client.get("/account").status_code == 302  # to the login page: nobody signed in
    assert client.get("/lti/account").status_code == 200


def test_wrong_passwords_count_against_the_login_limits(
    client, platform, registered, make_course, owner
):
    make_course()
    launch(client, platform)
    statuses = [
        client.post("/lti/account", data={"password": f"wrong {i}", "link": "1"}).status_code
        for i in range(5)
    ]
    assert statuses == [401] * 5
    refused = client.post("/lti/account", data={"password": PASSWORD, "link": "1"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 429 and "Too many attempts" in html
    assert 'href="/password/forgot"' in html
    assert count(LtiUserLink) == 0
    # the same counters as the login page's
    login = type(client)(client.application)
    assert login.post("/login", data={"email": owner.email, "password": "x"}).status_code == 429


def test_the_choice_expires(client, platform, registered, make_course, owner):
    make_course()
    launch(client, platform)
    pending = db.session.scalar(select(LtiPendingLaunch))
    pending.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.post("/lti/account", data={"password": PASSWORD, "link": "1"})
    assert response.status_code == 404 and "open the link again" in response.get_data(as_text=True)
    assert count(LtiUserLink) == 0
    # another browser has no choice to make
    assert type(client)(client.application).get("/lti/account").status_code == 404


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "Un compte avec l’adresse Amina@example.org existe déjà ici"),
        ("ar", "يوجد هنا حساب بالبريد Amina@example.org"),
    ],
)
def test_the_choice_speaks_the_persons_language(
    client, platform, registered, make_course, owner, language, expected
):
    make_course()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    launch(client, platform)
    html = client.get("/lti/account").get_data(as_text=True)
    assert f'lang="{language}"' in html and expected in html
    wrong = client.post("/lti/account", data={"password": "x", "link": "1"}).get_data(as_text=True)
    assert "This is not the password" not in wrong and "Link my account" not in wrong


class TestInAFrameWithCsrf:
    @pytest.fixture
    def app_config(self, app_config):
        return dict(app_config, WTF_CSRF_ENABLED=True, LMS_ENV="production")

    def test_the_choice_is_framable_by_the_platform_and_needs_its_csrf_token(
        self, client, platform, registered, make_course, owner
    ):
        make_course()
        launch(client, platform)
        page = client.get("/lti/account")
        policy = page.headers["Content-Security-Policy"]
        assert platform.url in re.search(r"frame-ancestors ([^;]+)", policy).group(1)
        assert "X-Frame-Options" not in page.headers
        # the session stays a third-party one (the frame keeps its cookie)
        forged = client.post("/lti/account", data={"password": PASSWORD, "link": "1"})
        assert forged.status_code == 400 and count(LtiUserLink) == 0
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                          page.get_data(as_text=True)).group(1)  # fmt: skip
        right = client.post("/lti/account",
                            data={"password": PASSWORD, "link": "1", "csrf_token": token})  # fmt: skip
        assert right.status_code == 302, right.get_data(as_text=True)
        cookie = [c for c in right.headers.getlist("Set-Cookie") if c.startswith("session=")]
        assert cookie and "Partitioned" in cookie[-1] and "SameSite=None" in cookie[-1]
        assert db.session.scalar(select(LtiUserLink.user_id)) == owner.id
