"""Accounts: register, log in/out, remember me, profile, change password, reset by e-mailed token."""

from __future__ import annotations

import logging
import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select

from curriculum.db import db
from lms import create_app
from lms.audit.models import AuditEvent
from lms.errors import InvalidInput
from lms.mail.models import OutboxMessage
from lms.users import models, operations
from lms.users.models import User
from tests.conftest import PASSWORD

NEW_PASSWORD = "a brand new secret"


@pytest.fixture
def app_config(app_config, request):
    return {**app_config, **getattr(request, "param", {})}


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


def flashes(client) -> list[str]:
    with client.session_transaction() as session:
        return [message for _category, message in session.get("_flashes", [])]


def test_an_address_that_has_an_account_gets_the_same_answer_and_its_owner_an_e_mail(
    app, client, make_user
):
    owner = make_user(email="salma@example.org", name="Salma Owner", locale="fr")
    before = (owner.password_hash, owner.name)
    newcomer = app.test_client()
    newcomer.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"  # as the ``client`` fixture

    fresh = register(newcomer, email="youssef@example.org", name="Someone", locale="en")
    taken = register(client, email="SALMA@example.ORG", name="Someone", locale="en")

    assert taken.status_code == fresh.status_code == 302
    assert taken.headers["Location"] == fresh.headers["Location"]
    assert flashes(client) == flashes(newcomer) != []
    assert "already exists" not in " ".join(flashes(client))
    assert client.get("/account").status_code == 302  # nobody got into the owner's account
    assert newcomer.get("/account").status_code == 200  # the new address has its account
    db.session.expire_all()
    assert count_users() == 2 and (owner.password_hash, owner.name) == before

    [mail] = db.session.scalars(select(OutboxMessage)).all()
    assert mail.recipient == "salma@example.org"
    assert mail.subject == "Vous avez déjà un compte"  # in the owner's language
    assert "Salma Owner" in mail.body and "http://lms.test/password/forgot" in mail.body


def test_the_owner_is_not_flooded_by_registrations_of_her_address(app, client, make_user):
    app.config["LMS_RESET_LIMIT"] = "2 per hour"
    make_user(email="salma@example.org")
    for _ in range(4):
        assert register(client, email="salma@example.org").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 2


def test_registering_a_taken_address_costs_a_password_hash_too(client, make_user, monkeypatch):
    make_user(email="salma@example.org")
    hashed = []
    monkeypatch.setattr(models, "check_password_hash", lambda known, typed: hashed.append(known))
    register(client, email="salma@example.org")
    assert len(hashed) == 1


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


def test_an_account_without_a_password_costs_a_password_check_too(app, make_user, monkeypatch):
    """Timing must not tell which accounts have no password yet (invited by a roster, created
    when a certificate was issued by hand): their check hashes as long as a real one."""
    invited = operations.create_user("invited@example.org", "Invited", None)
    db.session.commit()
    hashed: list[str] = []
    check = models.check_password_hash
    monkeypatch.setattr(
        models,
        "check_password_hash",
        lambda known, typed: hashed.append(known) or check(known, typed),
    )

    assert not invited.check_password("a guess at it")
    with pytest.raises(operations.BadCredentials):
        operations.authenticate(invited.email, "another guess")

    real_cost = make_user().password_hash.split("$")[0]  # method and cost factors
    assert [known.split("$")[0] for known in hashed] == [real_cost, real_cost]
    assert len(set(hashed)) == 1  # one dummy hash, computed once


def test_logging_out_ends_the_session_on_the_server(app, make_user):
    """A copy of the session cookie or of the remember-me cookie (taken before the logout, on a
    shared phone) no longer opens anything."""
    user = make_user()
    browser = app.test_client()
    browser.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    session = browser.get_cookie("session", domain="lms.test").value
    remember = browser.get_cookie("remember_token", domain="lms.test").value

    assert browser.post("/logout").status_code == 302

    with_session, with_remember = app.test_client(), app.test_client()
    with_session.set_cookie("session", session, domain="lms.test")
    with_remember.set_cookie("remember_token", remember, domain="lms.test")
    assert with_session.get("/my").status_code == 302
    assert with_remember.get("/my").status_code == 302
    assert (
        browser.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    )
    assert browser.get("/my").status_code == 200  # logging in again works


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_log_out_everywhere_from_the_account_page(app, make_user):
    user = make_user()
    phone, laptop = app.test_client(), app.test_client()
    for device in (phone, laptop):
        device.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        login_page = device.get("/login").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
        device.post(
            "/login",
            data={"email": user.email, "password": PASSWORD, "remember": "y", "csrf_token": csrf},
        )
    page = laptop.get("/account").get_data(as_text=True)
    form = re.search(
        r'<form method="post" action="/account/logout-everywhere"[^>]*>(.*?)</form>', page, re.S
    )
    assert form and "Log out everywhere" in form.group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.group(1)).group(1)
    assert laptop.post("/account/logout-everywhere").status_code == 400  # no CSRF token

    response = laptop.post("/account/logout-everywhere", data={"csrf_token": token})

    assert response.status_code == 302 and response.headers["Location"] == "/"
    for device in (phone, laptop):
        device.delete_cookie("session", domain="lms.test")  # the remember-me cookie stays
        assert device.get("/account").status_code == 302
    assert db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc())) == (
        "user.logged_out_everywhere"
    )


def test_remember_me_lasts_30_days_and_is_configurable(app, make_user):
    user = make_user()
    browser = app.test_client()
    browser.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    cookie = browser.get_cookie("remember_token", domain="lms.test")
    days = (cookie.expires - datetime.now(UTC)).total_seconds() / 86400
    assert 29.9 < days <= 30

    shorter = create_app(
        {
            **{k: app.config[k] for k in ("SECRET_KEY", "SQLALCHEMY_DATABASE_URI")},
            "LMS_REMEMBER_DAYS": 7,
        },
        instance_path=app.instance_path,
    )
    assert shorter.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=7)


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
