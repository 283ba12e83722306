"""Signing in here without a platform, for accounts an LTI platform made: a first password
chosen while signed in (no current password to type: the account never had one), and an
e-mail address added to an account made without one, confirmed by a link sent to it.

The address only becomes the account's once its owner opens the link: typing someone else's
address proves nothing. A link is bound to the account, to the address and to the address the
account had when it was asked for, so it works once."""

from __future__ import annotations

import hashlib

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from curriculum.db import db
from lms.audit.operations import record
from lms.errors import Conflict, InvalidInput
from lms.mail.operations import render_mail, send_mail
from lms.security import throttle
from lms.signals import account_activated
from lms.urls import absolute_url

from .models import User, normalize_email
from .operations import (
    InvalidToken,
    check_email,
    check_password_rules,
    find_by_email,
    mail_existing_owner,
)

EMAIL_SALT = "lms-add-email"
#: how long the confirmation link works (seconds)
EMAIL_LINK_MAX_AGE = 24 * 3600


def needs_first_password(user: User) -> bool:
    return user.password_hash is None


def choose_first_password(user: User, password: str) -> None:
    """The first password of an account that has none (made by a platform or a roster)."""
    if not needs_first_password(user):
        raise Conflict(_("This account already has a password: change it with the current one."))
    if not user.has_email:
        raise InvalidInput(_("Add an e-mail address first: it is what you sign in with here."))
    check_password_rules(password)
    user.set_password(password)
    record(user, "user.password_chosen", "user", user.id)
    account_activated.send(current_app._get_current_object(), user=user)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=EMAIL_SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.email_key.encode()).hexdigest()[:16]


def request_email(user: User, email: str) -> None:
    """Send a confirmation link to ``email`` for an account without an address. The page says
    the same whether the address is free or not; the owner of a taken one is told instead."""
    if user.has_email:
        raise Conflict(_("Your account already has an e-mail address."))
    email = email.strip()
    check_email(email)
    if not throttle().allow(current_app.config["LMS_RESET_LIMIT"], "add-email:" + str(user.id)):
        raise InvalidInput(_("Too many links asked for: try again in an hour."))
    owner = find_by_email(email)
    if owner is not None:
        mail_existing_owner(owner)
        return
    token = make_email_token(user, email)
    with force_locale(user.locale or current_app.config["LMS_DEFAULT_LANGUAGE"]):
        subject = _("Confirm your e-mail address")
        body = render_mail(
            "lms/emails/confirm_email.txt",
            name=user.name,
            link=absolute_url("lms_users.confirm_email", token=token),
        )
    send_mail(email, subject, body)
    record(user, "user.email_requested", "user", user.id)


def make_email_token(user: User, email: str) -> str:
    return _serializer().dumps({"uid": user.id, "email": email, "fp": _fingerprint(user)})


def email_of_token(token: str) -> tuple[User, str]:
    """The account and the address a link confirms, or ``InvalidToken`` saying why not. (The
    link works without signing in: an account a platform made may have no other way in.)"""
    try:
        data = _serializer().loads(token, max_age=EMAIL_LINK_MAX_AGE)
    except SignatureExpired as error:
        raise InvalidToken(_("This link has expired. Ask for a new one.")) from error
    except BadSignature as error:
        raise InvalidToken(_("This link is not valid. Ask for a new one.")) from error
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or not user.active or data.get("fp") != _fingerprint(user):
        raise InvalidToken(_("This link has already been used or is no longer valid."))
    return user, str(data.get("email") or "")


def confirm_email(token: str) -> User:
    """Give the account the address its link confirms (if nobody took it meanwhile)."""
    user, email = email_of_token(token)
    key = normalize_email(email)
    if db.session.scalar(select(User.id).where(User.email_key == key)) is not None:
        raise Conflict(_("Another account has this address now: sign in with that one."))
    user.email, user.email_key = email, key
    db.session.flush()
    record(user, "user.email_confirmed", "user", user.id)
    return user
