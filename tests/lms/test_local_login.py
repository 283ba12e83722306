"""An account a platform made can sign in here too, later: it chooses a first password while
signed in (no current one to type), and one made without an e-mail adds an address, confirmed by
a link sent to it (someone else's address is never taken: its owner is told instead)."""

import re

import pytest
from sqlalchemy import func, select

from curriculum.db import db
from lms.mail.models import OutboxMessage
from lms.users.local_login import make_email_token
from lms.users.models import User
from lms.users.operations import create_account_without_email
from tests.clients import IsolatedClient


@pytest.fixture
def as_user(app):
    """A browser signed in as ``user`` as a platform's launch signs her in (no password)."""
    app.test_client_class = IsolatedClient

    def factory(user):
        browser = app.test_client()
        browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        with browser.session_transaction() as session:
            session["_user_id"], session["_fresh"] = user.get_id(), True
        return browser

    return factory


def _link(message: OutboxMessage) -> str:
    return re.search(r"http://\S+", message.body).group(0).split("localhost", 1)[-1]


def _outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_an_account_without_password_chooses_one_without_a_current_one(as_user, make_user, client):
    user = make_user(email="amina@example.org", password=None)
    browser = as_user(user)
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = browser.get("/account/password").get_data(as_text=True)
    assert "Choose a password" in page and 'name="current"' not in page
    assert "Choose a password" in browser.get("/account").get_data(as_text=True)
    short = browser.post("/account/password", data={"password": "short", "confirm": "short"})
    assert short.status_code in (400, 422) and db.session.get(User, user.id).password_hash is None
    answer = browser.post(
        "/account/password", data={"password": "a long passphrase", "confirm": "a long passphrase"}
    )
    assert answer.status_code == 302
    # she can now sign in here with her e-mail, and a second "first" password is not offered
    assert "current" in browser.get("/account/password").get_data(as_text=True)
    client.post("/logout")
    login = client.post(
        "/login", data={"email": "amina@example.org", "password": "a long passphrase"}
    )
    assert login.status_code == 302


def test_an_account_without_email_adds_one_by_a_link(app, as_user, client):
    user = create_account_without_email("lti-abc@lti.invalid", "Amina Tazi")
    db.session.commit()
    browser = as_user(user)
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = browser.get("/account").get_data(as_text=True)
    assert "Add this e-mail address" in page and "Choose a password" not in page
    assert browser.post("/account/email", data={"email": "not an address"}).status_code == 400
    assert browser.post("/account/email", data={"email": "amina@example.org"}).status_code == 302
    (message,) = _outbox()
    assert message.recipient == "amina@example.org" and "Confirm" in message.subject
    assert not db.session.get(User, user.id).has_email  # not before the link is opened
    # the link works in any browser (the account may have no other way in than its platform)
    link = _link(message)
    other = type(client)(client.application)
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "amina@example.org" in other.get(link).get_data(as_text=True)
    assert db.session.get(User, user.id).email_key == "lti-abc@lti.invalid"  # a GET changes nothing
    answer = other.post(link)
    assert answer.status_code == 302 and "/password/reset/" in answer.location
    confirmed = db.session.get(User, user.id)
    assert confirmed.email == "amina@example.org" and confirmed.has_email
    # the link works once
    assert other.post(link).status_code == 400


def test_someone_elses_address_is_not_taken_its_owner_is_told(as_user, make_user):
    make_user(email="owner@example.org", name="Owner", locale="en")
    user = create_account_without_email("lti-def@lti.invalid", "Amina Tazi")
    db.session.commit()
    browser = as_user(user)
    # the page answers as for a free address (it does not tell who has an account)
    assert browser.post("/account/email", data={"email": "Owner@example.org"}).status_code == 302
    (message,) = _outbox()
    assert message.recipient == "owner@example.org" and "already have an account" in message.subject
    assert not db.session.get(User, user.id).has_email


def test_a_link_for_an_address_taken_meanwhile_is_refused(app, make_user, client):
    user = create_account_without_email("lti-ghi@lti.invalid", "Amina Tazi")
    db.session.commit()
    token = make_email_token(user, "late@example.org")
    make_user(email="late@example.org")
    answer = client.post(f"/account/email/{token}")
    assert answer.status_code == 409
    assert db.session.scalar(select(func.count()).where(User.email_key == "late@example.org")) == 1
