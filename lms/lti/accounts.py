"""Which account a launch signs in to: the one linked to the platform's issuer + subject; on the
first launch a new one (no password), with the platform's e-mail when it is usable and free, else
a placeholder address that is never shown nor mailed.

When the platform's e-mail already belongs to an account here, that account is not taken over
(the platform's word on an address is no proof: its users may type any address there), and no
duplicate is made behind the person's back: the launch waits, on the server, for the person to
choose. Either the account's password links it to the platform (the login's limits apply), or a
new account is made. The waiting launch serves once, for ``PENDING_LIFETIME``, from the browser
whose session holds its token."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import delete, select

from curriculum.db import db, utcnow
from lms.audit.operations import record
from lms.errors import NotAllowed, NotFound
from lms.users.models import User
from lms.users.operations import (
    BadCredentials,
    EmailTaken,
    authenticate,
    create_account_without_email,
    create_user,
    find_by_email,
)

from .models import LtiPendingLaunch, LtiPlatform, LtiUserLink
from .refusals import BadLaunch

#: the session key of the browser's waiting launch (its token)
PENDING_KEY = "lti_pending_launch"
PENDING_LIFETIME = timedelta(minutes=30)


@dataclass
class Identity:
    """Who launches: ``user`` (linked or just created), or ``owner``: the account here that has
    the platform's e-mail (the person chooses)."""

    user: User | None = None
    owner: User | None = None


def subject_of(claims: dict) -> str:
    subject = str(claims.get("sub") or "")
    if not subject:
        raise BadLaunch(_("The platform did not say who is launching (no subject)."))
    return subject


def placeholder_email(platform: LtiPlatform, subject: str) -> str:
    """The placeholder address of issuer + subject (the same for a launch and for a roster)."""
    digest = hashlib.sha256(f"{platform.issuer}\n{subject}".encode()).hexdigest()[:24]
    return f"lti-{digest}@lti.invalid"


def fallback_name(platform: LtiPlatform) -> str:
    return _("Learner from %(platform)s", platform=platform.name)


def usable_email(address: str | None) -> str:
    """The address if it could be an account's (the registration's check), else ""."""
    address = (address or "").strip()
    if not address or len(address) > 254:
        return ""
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return ""
    return address


def linked_user(platform: LtiPlatform, subject: str) -> User | None:
    return db.session.scalar(
        select(User)
        .join(LtiUserLink, LtiUserLink.user_id == User.id)
        .where(LtiUserLink.issuer == platform.issuer, LtiUserLink.subject == subject)
    )


def identify(platform: LtiPlatform, claims: dict) -> Identity:
    """The launch's account, or the account whose e-mail the platform sent (see the top)."""
    subject = subject_of(claims)
    name = (claims.get("name") or "").strip()[:200]
    user = linked_user(platform, subject)
    if user is not None:
        if not user.active:
            raise NotAllowed(_("This account is disabled."))
        if name and user.name != name:
            user.name = name
        return Identity(user=user)
    email = usable_email(claims.get("email"))
    if email:
        owner = find_by_email(email)
        if owner is not None:
            return Identity(owner=owner)
    return Identity(user=create_linked_account(platform, subject, name, email))


def create_linked_account(platform: LtiPlatform, subject: str, name: str, email: str) -> User:
    """A new account (no password) linked to issuer + subject; a placeholder address when
    ``email`` is empty or taken meanwhile."""
    name = name or fallback_name(platform)
    user = None
    if email:
        try:
            user = create_user(email, name, None, ["learner"], None)
        except EmailTaken:
            user = None
    if user is None:
        user = create_account_without_email(placeholder_email(platform, subject), name)
    link(platform, subject, user)
    record(user, "lti.account_created", "user", user.id, issuer=platform.issuer,
           email=user.has_email)  # fmt: skip
    return user


def link(platform: LtiPlatform, subject: str, user: User) -> LtiUserLink:
    row = LtiUserLink(platform_id=platform.id, issuer=platform.issuer, subject=subject, user=user)
    db.session.add(row)
    db.session.flush()
    return row


# -- a launch waiting for its person's choice ---------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hold(platform: LtiPlatform, claims: dict, owner: User) -> str:
    """Keep the checked launch until its person chooses; the token goes in their session."""
    now = utcnow()
    db.session.execute(delete(LtiPendingLaunch).where(LtiPendingLaunch.expires_at < now))
    token = secrets.token_urlsafe(32)
    db.session.add(LtiPendingLaunch(token_hash=_digest(token), platform_id=platform.id,
                                    user_id=owner.id, claims=claims,
                                    expires_at=now + PENDING_LIFETIME))  # fmt: skip
    db.session.flush()
    return token


def pending_launch(token: str | None) -> LtiPendingLaunch:
    """The browser's waiting launch, or 404 (none, used, expired, or its platform disabled)."""
    row = None
    if token:
        row = db.session.scalar(
            select(LtiPendingLaunch).where(LtiPendingLaunch.token_hash == _digest(token))
        )
    if row is None or row.expires_at <= utcnow() or not row.platform.enabled:
        raise NotFound(_("This choice has expired or was already made: open the link again "
                         "from your platform."))  # fmt: skip
    return row


def choose(pending: LtiPendingLaunch, password: str | None, address: str | None) -> User:
    """Link the existing account (``password`` given: it must be its password) or make a new one
    (``password`` None). The waiting launch is used up either way."""
    platform, subject = pending.platform, subject_of(pending.claims)
    user = linked_user(platform, subject)  # another tab chose meanwhile
    if user is None and password is not None:
        try:
            user = authenticate(pending.user.email, password, address)
        except BadCredentials as error:
            raise BadCredentials(_("This is not the password of this account (or the account "
                                   "is deactivated).")) from error  # fmt: skip
        link(platform, subject, user)
        record(user, "lti.account_linked", "user", user.id, issuer=platform.issuer)
    elif user is None:
        name = (pending.claims.get("name") or "").strip()[:200]
        user = create_linked_account(platform, subject, name, "")
    if not user.active:
        raise NotAllowed(_("This account is disabled."))
    db.session.delete(pending)
    return user
