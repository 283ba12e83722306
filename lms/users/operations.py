"""Verbs on accounts. They change objects, flush and audit; the view commits."""

from __future__ import annotations

import hashlib
import secrets

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from curriculum.db import db, utcnow
from lms.audit.operations import record
from lms.errors import Conflict, InvalidInput, LMSError, NotAllowed
from lms.mail.models import is_placeholder_address
from lms.mail.operations import render_mail, send_mail
from lms.push.operations import forget_all as forget_push_subscriptions
from lms.security import login_counters, throttle
from lms.signals import account_activated
from lms.urls import absolute_url

from . import models
from .models import ROLES, User, UserRole, normalize_email

RESET_SALT = "lms-password-reset"


class EmailTaken(Conflict):
    pass


class BadCredentials(NotAllowed):
    status_code = 401


class TooManyAttempts(LMSError):
    status_code = 429


class InvalidToken(InvalidInput):
    pass


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email_key == normalize_email(email)))


def check_email(email: str) -> None:
    """The same check as the registration form's (no DNS look-up), for the CLI and scripts."""
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidInput(_("This e-mail address is not valid: %(email)s", email=email)) from error


def check_password_rules(password: str) -> None:
    minimum = current_app.config["LMS_PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise InvalidInput(_("Use at least %(n)d characters.", n=minimum))


def create_user(
    email: str,
    name: str,
    password: str | None = None,
    roles: tuple[str, ...] | list[str] = ("learner",),
    locale: str | None = None,
) -> User:
    """A new account; the e-mail must be free whatever its case.

    Every rule is checked before anything is added, so a refused account leaves nothing behind.
    """
    email = email.strip()
    check_email(email)
    return _new_account(email, name, password, roles, locale)


def create_account_without_email(
    placeholder: str, name: str, roles: tuple[str, ...] | list[str] = ("learner",),
    locale: str | None = None,
) -> User:  # fmt: skip
    """An account whose person gave no usable address (an LTI platform sent none, or one that
    belongs to another account): ``placeholder`` ends in ``.invalid`` (nobody can register it,
    nothing is ever mailed to it, the pages never show it) and no password is set."""
    if not is_placeholder_address(placeholder):
        raise InvalidInput(_("This e-mail address is not valid: %(email)s", email=placeholder))
    return _new_account(placeholder.strip(), name, None, roles, locale)


def _new_account(email: str, name: str, password: str | None, roles, locale: str | None) -> User:
    name = name.strip()
    if not name:
        raise InvalidInput(_("Type a name."))
    if find_by_email(email) is not None:
        raise EmailTaken(_("An account with this e-mail already exists."))
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise InvalidInput(_("Unknown role: %(role)s", role=", ".join(sorted(unknown))))
    user = User(email=email, email_key=normalize_email(email), name=name, locale=locale)
    if password is not None:
        check_password_rules(password)
        user.set_password(password)
    user.role_rows = [UserRole(role=role) for role in dict.fromkeys(roles)]
    # Two registrations at once with the same e-mail: the unique index refuses the second. The
    # savepoint (opened before the user is added, so that only this insert is inside it) keeps the
    # caller's transaction usable on PostgreSQL.
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError as error:
        raise EmailTaken(_("An account with this e-mail already exists.")) from error
    return user


def register(email: str, name: str, password: str, locale: str | None) -> User | None:
    """A new learner's account; None if the address already has one.

    The page must not tell which (so that nobody learns who has an account): the address's owner
    is e-mailed instead, and the request costs the password hash a new account would.
    """
    try:
        user = create_user(email, name, password, ("learner",), locale)
    except EmailTaken:
        models.spend_one_password_check(password)
        owner = find_by_email(email)
        if owner is not None:
            mail_existing_owner(owner)
        return None
    record(user, "user.registered", "user", user.id)
    return user


def registration_answer(name: str) -> str:
    """What the page says after a registration: the same whether the address was new or not."""
    return _(
        "Welcome, %(name)s! If this address is new here, your account is ready; if it already "
        "had one, we have sent it an e-mail.",
        name=name,
    )


def mail_existing_owner(owner: User) -> None:
    """Tell the owner of an address that someone tried to register it (at most
    LMS_RESET_LIMIT such messages: registering her address again and again floods nobody)."""
    if not throttle().allow(current_app.config["LMS_RESET_LIMIT"], "register:" + owner.email_key):
        return
    with force_locale(owner.locale or current_app.config["LMS_DEFAULT_LANGUAGE"]):
        subject = _("You already have an account")
        body = render_mail(
            "lms/emails/account_exists.txt",
            name=owner.name,
            site=current_app.config["LMS_SITE_NAME"],
            login=absolute_url("lms_users.login"),
            reset=absolute_url("lms_users.forgot_password"),
        )
    send_mail(owner.email, subject, body)


def authenticate(email: str, password: str, address: str | None = None) -> User:
    """The active user with this e-mail and password, or ``BadCredentials``; ``TooManyAttempts``
    once the attempts from ``address`` or on this account are over their limits.

    The attempt is counted before the password is checked (and given back if it was right), so
    requests sent together cannot all pass the limit while the first ones are being checked.
    """
    counters = login_counters(email, address)
    if not throttle().take(*counters):
        raise TooManyAttempts(_("Too many attempts. Please wait a few minutes and try again."))
    user = find_by_email(email)
    if user is None:
        # As slow as a wrong password, so that timing does not tell which accounts exist.
        models.spend_one_password_check(password)
    if user is None or not user.check_password(password) or not user.active:
        raise BadCredentials(_("Wrong e-mail or password, or the account is deactivated."))
    throttle().give_back(*counters)
    user.last_login_at = utcnow()
    return user


def log_out(user) -> None:
    """End the account's sessions on the server (a copied session or remember-me cookie no
    longer opens anything). The token is per account: its other devices are logged out too, and
    none of them gets her push notifications any more (a shared phone would show them to the
    next person); she turns them on again once logged in."""
    if user.is_authenticated:
        user.end_sessions()
        forget_push_subscriptions(user)


def log_out_everywhere(user: User) -> None:
    user.end_sessions()
    forget_push_subscriptions(user)
    record(user, "user.logged_out_everywhere", "user", user.id)


def update_profile(user: User, name: str, locale: str) -> None:
    user.name = name.strip()
    set_locale(user, locale)


def set_locale(user: User, locale: str) -> None:
    """The language the user reads the site (and their e-mails) in."""
    if locale not in current_app.config["LMS_LANGUAGES"]:
        raise InvalidInput(_("This language is not offered: %(language)s", language=locale))
    user.locale = locale


def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current):
        raise BadCredentials(_("The current password is wrong."))
    check_password_rules(new)
    user.set_password(new)
    record(user, "user.password_changed", "user", user.id)


# -- password reset -----------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=RESET_SALT)


def _password_fingerprint(user: User) -> str:
    # Part of the token: once the password changes, every older token stops working.
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def make_reset_token(user: User, invitation: bool = False) -> str:
    """A single-use link token to choose a password. An invitation (an account someone else
    created) stays valid for LMS_INVITATION_MAX_AGE; a reset for LMS_RESET_TOKEN_MAX_AGE."""
    payload = {"uid": user.id, "fp": _password_fingerprint(user)}
    if invitation:
        payload["inv"] = 1
    return _serializer().dumps(payload)


def request_password_reset(email: str) -> None:
    """Mail a reset link if the account exists (the page says the same either way)."""
    user = find_by_email(email)
    if user is None or not user.active or not user.has_email:
        return
    token = make_reset_token(user)
    link = absolute_url("lms_users.reset_password", token=token)
    with force_locale(user.locale or current_app.config["LMS_DEFAULT_LANGUAGE"]):
        subject = _("Reset your password")
        body = render_mail("lms/emails/password_reset.txt", name=user.name, link=link)
    send_mail(user.email, subject, body)
    record(user, "user.password_reset_requested", "user", user.id)


def user_for_reset_token(token: str) -> User:
    config = current_app.config
    try:
        data = _serializer().loads(
            token, max_age=max(config["LMS_RESET_TOKEN_MAX_AGE"], config["LMS_INVITATION_MAX_AGE"])
        )
        if not (isinstance(data, dict) and data.get("inv")):
            data = _serializer().loads(token, max_age=config["LMS_RESET_TOKEN_MAX_AGE"])
    except SignatureExpired as error:
        raise InvalidToken(_("This link has expired. Ask for a new one.")) from error
    except BadSignature as error:
        raise InvalidToken(_("This link is not valid. Ask for a new one.")) from error
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or not user.active or data.get("fp") != _password_fingerprint(user):
        raise InvalidToken(_("This link has already been used or is no longer valid."))
    return user


def reset_password(token: str, password: str, address: str | None = None) -> User:
    """A new password from an e-mailed link. It also lifts the account's login limits (the
    attempts counted were against the old password): a user locked out by someone else's
    guesses gets back in this way."""
    user = user_for_reset_token(token)
    check_password_rules(password)
    first = user.password_hash is None
    user.set_password(password)
    counters = login_counters(user.email, address)
    throttle().clear(counters[0], counters[2])  # the address's own count stays
    record(user, "user.password_reset", "user", user.id)
    if first:
        account_activated.send(current_app._get_current_object(), user=user)
    return user


# -- administration -----------------------------------------------------------------------------


def set_roles(actor: User, user: User, roles: list[str]) -> None:
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise InvalidInput(_("Unknown role: %(role)s", role=", ".join(sorted(unknown))))
    if actor.id == user.id and "admin" not in roles:
        raise NotAllowed(_("You cannot remove your own administrator role."))
    before = sorted(user.roles)
    user.role_rows = [row for row in user.role_rows if row.role in roles]
    for role in roles:
        if role not in user.roles:
            user.role_rows.append(UserRole(role=role))
    record(actor, "user.roles_changed", "user", user.id, before=before, after=sorted(roles))


def set_active(actor: User, user: User, active: bool) -> None:
    if actor.id == user.id and not active:
        raise NotAllowed(_("You cannot deactivate your own account."))
    user.active = active
    record(actor, "user.reactivated" if active else "user.deactivated", "user", user.id)


def generate_password() -> str:
    return secrets.token_urlsafe(12)
