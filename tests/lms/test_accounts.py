"""Accounts: register, log in/out, remember me, profile, change password, reset by e-mailed token."""

from __future__ import annotations

import logging
import re
import time

import pytest
from flask_babel import force_locale
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select

from curriculum.db import db
from lms.audit.models import AuditEvent
from lms.errors import InvalidInput
from lms.mail.models import OutboxMessage
from lms.users import operations
from lms.users.models import User
from tests.conftest import PASSWORD

NEW_PASSWORD = "a brand new secret"


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def register(client, **fields):
    data = {
        "name": "Salma Apprenante",
        "email": "salma@example.org",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "locale": "ar",
        **fields,
    }
    return client.post("/register", data=data)


# -- registration -------------------------------------------------------------------------------


def test_registering_creates_a_learner_logged_in_with_a_scrypt_hash(client):
    response = register(client, email="  Salma@Example.org ")
    assert response.status_code == 302

    user = db.session.scalar(select(User))
    assert (user.name, user.email, user.email_key, user.locale) == (
        "Salma Apprenante",
        "Salma@Example.org",
        "salma@example.org",
        "ar",
    )
    assert user.roles == {"learner"}
    assert user.password_hash.startswith("scrypt:") and PASSWORD not in user.password_hash
    assert db.session.scalar(select(AuditEvent.action)) == "user.registered"
    assert client.get("/account").status_code == 200  # logged in straight away


def test_an_email_is_taken_whatever_its_case(client, make_user):
    make_user(email="salma@example.org")
    response = register(client, email="SALMA@example.ORG")
    assert response.status_code == 400
    assert "An account with this e-mail already exists." in response.get_data(as_text=True)
    assert count_users() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password": "nine char", "confirm": "nine char"}, "Use at least 10 characters."),
        ({"confirm": "something else"}, "The passwords do not match."),
        ({"email": "salma-at-example.org"}, "Invalid email address."),
        ({"name": ""}, "This field is required."),
        ({"locale": "xx"}, "Not a valid choice."),
    ],
)
def test_bad_registration_input_is_explained_and_creates_nothing(client, fields, message):
    response = register(client, **fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count_users() == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_ten_characters_are_enough(client):
    assert register(client, password="ten chars!", confirm="ten chars!").status_code == 302


def test_the_same_email_registered_twice_at_once_is_refused_by_the_database(
    app, make_user, monkeypatch
):
    """The second of two simultaneous registrations passes the look-up (the first is not committed
    yet when it looks) and must still be refused, leaving the caller's transaction usable."""
    make_user(email="salma@example.org")
    monkeypatch.setattr(operations, "find_by_email", lambda email: None)
    with pytest.raises(operations.EmailTaken):
        operations.create_user("Salma@example.org", "Salma bis", PASSWORD)
    other = operations.create_user("youssef@example.org", "Youssef", PASSWORD)
    db.session.commit()  # the transaction survived the refused insert (PostgreSQL too)
    assert sorted(db.session.scalars(select(User.email_key))) == [
        "salma@example.org",
        "youssef@example.org",
    ]
    assert other.id is not None


def test_scripts_get_the_same_rules_as_the_form(app):
    with force_locale("en"):  # outside a request, messages are in the default language (fr)
        with pytest.raises(InvalidInput, match="not valid"):
            operations.create_user("not-an-address", "Someone", PASSWORD)
        with pytest.raises(InvalidInput, match="10 characters"):
            operations.create_user("someone@example.org", "Someone", "short")
        with pytest.raises(InvalidInput, match="name"):
            operations.create_user("someone@example.org", "   ", PASSWORD)
        with pytest.raises(InvalidInput, match="Unknown role: owner"):
            operations.create_user("someone@example.org", "Someone", PASSWORD, ["owner"])
    db.session.commit()
    assert count_users() == 0


# -- logging in and out -------------------------------------------------------------------------


def test_log_in_and_out(client, make_user, login):
    user = make_user()
    response = login(user)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    db.session.refresh(user)
    assert user.last_login_at is not None
    assert client.get("/account").status_code == 200

    response = client.post("/logout", follow_redirects=True)
    assert "You are logged out." in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_a_wrong_password_is_refused_with_a_clear_message(client, make_user, login):
    user = make_user()
    response = login(user, password="not the password")
    assert response.status_code == 401
    assert "Wrong e-mail or password" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_remember_me_keeps_the_learner_logged_in_after_the_browser_closes(app, make_user):
    user = make_user()
    remembered, forgotten = app.test_client(), app.test_client()  # two browsers
    remembered.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    forgotten.post("/login", data={"email": user.email, "password": PASSWORD})
    assert remembered.get_cookie("remember_token", domain="lms.test") is not None
    assert forgotten.get_cookie("remember_token", domain="lms.test") is None

    # Closing the browser drops the session cookie; the remember-me cookie logs the learner back in.
    remembered.delete_cookie("session", domain="lms.test")
    forgotten.delete_cookie("session", domain="lms.test")
    assert remembered.get("/account").status_code == 200
    assert forgotten.get("/account").status_code == 302


# -- profile and password -----------------------------------------------------------------------


def test_the_profile_saves_name_and_language(client, make_user, login):
    user = make_user(locale="fr")
    login(user)
    page = client.get("/account").get_data(as_text=True)
    assert user.email in page and '<option selected value="fr">' in page
    response = client.post("/account", data={"name": "  Salma B. ", "locale": "en"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (user.name, user.locale) == ("Salma B.", "en")
    assert '<html lang="en" dir="ltr">' in client.get("/account").get_data(as_text=True)


def test_changing_the_password(client, make_user, login):
    user = make_user()
    login(user)
    wrong = client.post(
        "/account/password",
        data={"current": "not it at all", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert wrong.status_code == 400 and "The current password is wrong." in wrong.get_data(
        as_text=True
    )
    short = client.post(
        "/account/password", data={"current": PASSWORD, "password": "short", "confirm": "short"}
    )
    assert short.status_code == 400 and "Use at least 10 characters." in short.get_data(
        as_text=True
    )

    ok = client.post(
        "/account/password",
        data={"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert ok.status_code == 302
    db.session.expire_all()
    assert user.check_password(NEW_PASSWORD) and not user.check_password(PASSWORD)
    assert db.session.scalar(
        select(AuditEvent.action).where(AuditEvent.action == "user.password_changed")
    )


# -- password reset ------------------------------------------------------------------------------


def reset_link(client, email: str) -> str:
    response = client.post("/password/forgot", data={"email": email}, follow_redirects=True)
    assert "If an account exists for this address" in response.get_data(as_text=True)
    message = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    return re.search(r"http://lms\.test(/password/reset/\S+)", message.body).group(1)


def test_password_reset_by_emailed_link_works_once(client, make_user, login):
    user = make_user(email="salma@example.org")
    link = reset_link(client, "SALMA@example.org")
    mail = db.session.scalar(select(OutboxMessage))
    assert mail.recipient == "salma@example.org"

    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert login(user, password=NEW_PASSWORD).status_code == 302
    client.post("/logout")

    # The same link a second time: refused, and the password stays the one just chosen.
    again = client.post(
        link, data={"password": "yet another password", "confirm": "yet another password"}
    )
    assert again.status_code == 400
    assert "This link has already been used or is no longer valid." in again.get_data(as_text=True)
    db.session.expire_all()
    assert user.check_password(NEW_PASSWORD)


def token_signed_ago(user, seconds: int) -> str:
    """A reset token as the site would have made it ``seconds`` ago."""

    class EarlierSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - seconds

    serializer = URLSafeTimedSerializer(
        "test-secret", salt=operations.RESET_SALT, signer=EarlierSigner
    )
    return serializer.dumps({"uid": user.id, "fp": operations._password_fingerprint(user)})


def test_a_reset_link_expires_after_one_hour(client, make_user):
    user = make_user()
    assert client.get(f"/password/reset/{token_signed_ago(user, 3500)}").status_code == 200
    token = token_signed_ago(user, 3601)
    for response in (
        client.get(f"/password/reset/{token}"),
        client.post(
            f"/password/reset/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
        ),
    ):
        assert response.status_code == 400
        assert "This link has expired. Ask for a new one." in response.get_data(as_text=True)
    db.session.expire_all()
    assert user.check_password(PASSWORD)


def test_the_reset_link_points_to_the_public_address_whatever_the_host_header(client, make_user):
    """A forged Host header must not send the victim a link to the attacker's site."""
    make_user(email="salma@example.org")
    client.post(
        "/password/forgot", data={"email": "salma@example.org"}, headers={"Host": "evil.example"}
    )
    body = db.session.scalar(select(OutboxMessage.body))
    assert "http://lms.test/password/reset/" in body and "evil.example" not in body


def test_a_tampered_reset_link_is_refused(client, make_user):
    user = make_user()
    token = operations.make_reset_token(user)
    response = client.get(f"/password/reset/{token[:-2]}xx")
    assert response.status_code == 400
    assert "This link is not valid. Ask for a new one." in response.get_data(as_text=True)


def test_a_reset_never_tells_whether_an_account_exists(client, make_user):
    make_user(email="gone@example.org", active=False)
    for email in ("nobody@example.org", "gone@example.org"):
        response = client.post("/password/forgot", data={"email": email}, follow_redirects=True)
        assert "If an account exists for this address" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_passwords_never_reach_the_logs(app, client, caplog):
    caplog.set_level(logging.DEBUG)
    register(client)
    client.post("/logout")
    client.post("/login", data={"email": "salma@example.org", "password": "wrong " + PASSWORD})
    client.post("/login", data={"email": "salma@example.org", "password": PASSWORD})
    client.post(
        "/account/password",
        data={"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    client.post("/logout")
    link = reset_link(client, "salma@example.org")
    client.post(link, data={"password": "the third password", "confirm": "the third password"})

    assert "Mail to salma@example.org" in caplog.text  # the log is on, and does record activity
    for secret in (PASSWORD, NEW_PASSWORD, "the third password"):
        assert secret not in caplog.text
        assert not db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.data.cast(db.String).contains(secret))
        )
