"""Verbs of the platforms' administration: register, edit, disable or enable a platform, and
create a one-time Dynamic Registration link. They flush and record an audit event; the request
commits. A disabled platform keeps its accounts, cohorts and certificates: only its launches stop."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from curriculum.db import db, utcnow
from lms.audit.operations import record
from lms.errors import Conflict

from ..models import LtiPlatform, LtiRegistrationLink

#: how long a Dynamic Registration link waits for the platform
LINK_DAYS = 7

FIELDS = ("name", "issuer", "client_id", "deployment_ids", "auth_login_url", "auth_token_url",
          "key_set_url", "frame_origins")  # fmt: skip


def _check_unique(issuer: str, client_id: str, platform: LtiPlatform | None = None) -> None:
    query = select(LtiPlatform.id).where(
        LtiPlatform.issuer == issuer, LtiPlatform.client_id == client_id
    )
    if platform is not None:
        query = query.where(LtiPlatform.id != platform.id)
    if db.session.scalar(query) is not None:
        raise Conflict(
            _(
                "A platform with this issuer and client id is already registered: %(issuer)s",
                issuer=issuer,
            )  # fmt: skip
        )


def create_platform(actor, values: dict, registered_by: str = "manual") -> LtiPlatform:
    _check_unique(values["issuer"], values["client_id"])
    platform = LtiPlatform(**{key: values.get(key) for key in FIELDS}, enabled=True,
                           registered_by=registered_by)  # fmt: skip
    platform.frame_origins = platform.frame_origins or []
    db.session.add(platform)
    db.session.flush()
    record(actor, "lti.platform_registered", "lti_platform", platform.id,
           issuer=platform.issuer, client_id=platform.client_id, by=registered_by)  # fmt: skip
    return platform


def update_platform(actor, platform: LtiPlatform, values: dict) -> LtiPlatform:
    _check_unique(values["issuer"], values["client_id"], platform)
    changed = sorted(key for key in FIELDS if getattr(platform, key) != values[key])
    for key in FIELDS:
        setattr(platform, key, values[key])
    db.session.flush()
    record(actor, "lti.platform_updated", "lti_platform", platform.id, changed=changed)
    return platform


def set_enabled(actor, platform: LtiPlatform, enabled: bool) -> None:
    if platform.enabled == enabled:
        return
    platform.enabled = enabled
    db.session.flush()
    action = "lti.platform_enabled" if enabled else "lti.platform_disabled"
    record(actor, action, "lti_platform", platform.id, issuer=platform.issuer)


def create_registration_link(actor, label: str = "") -> tuple[LtiRegistrationLink, str]:
    """A one-time Dynamic Registration link; returns it with its token, which is shown once
    (only its hash is kept)."""
    token = secrets.token_urlsafe(32)
    link = LtiRegistrationLink(token_hash=LtiRegistrationLink.digest(token), label=label or "",
                               created_by_id=getattr(actor, "id", None),
                               expires_at=utcnow() + timedelta(days=LINK_DAYS))  # fmt: skip
    db.session.add(link)
    db.session.flush()
    record(actor, "lti.registration_link_created", "lti_registration_link", link.id,
           label=link.label, expires_at=link.expires_at.isoformat())  # fmt: skip
    return link, token


def revoke_registration_link(actor, link: LtiRegistrationLink) -> None:
    """A waiting link stops working (a used or expired one is left as it is)."""
    if link.state(utcnow()) != "waiting":
        raise Conflict(_("Only a link that is still waiting can be revoked."))
    link.revoked_at = utcnow()
    db.session.flush()
    record(actor, "lti.registration_link_revoked", "lti_registration_link", link.id)
