"""LTI platforms registered with the tool, and what their launches link to: accounts (issuer +
subject), contexts (→ a cohort of the chosen course) and resource links; the one-time links of
LTI Dynamic Registration."""

from __future__ import annotations

import hashlib
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from curriculum.db import JSONType, UTCDateTime, db, utcnow
from lms.users.models import User


class LtiPlatform(db.Model):
    """One registration of a platform (issuer + client id), with its deployments."""

    __tablename__ = "lms_lti_platforms"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(500), index=True)
    client_id: Mapped[str] = mapped_column(String(200))
    deployment_ids: Mapped[list] = mapped_column(JSONType, default=list)
    auth_login_url: Mapped[str] = mapped_column(String(1000))
    auth_token_url: Mapped[str] = mapped_column(String(1000))
    key_set_url: Mapped[str] = mapped_column(String(1000))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: other web origins whose pages frame the tool (Canvas: the institution's own domain)
    frame_origins: Mapped[list | None] = mapped_column(JSONType, default=list)
    #: "manual" or "dynamic" (LTI Dynamic Registration)
    registered_by: Mapped[str] = mapped_column(
        String(20), default="manual", server_default="manual"
    )

    @property
    def origin(self) -> str:
        """The platform's web origin (for ``frame-ancestors``)."""
        parts = urlsplit(self.auth_login_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def origins(self) -> list[str]:
        """Every origin that may frame the tool for this platform (issuer, login, extra ones)."""
        return web_origins(self.issuer, self.auth_login_url, *(self.frame_origins or []))


def web_origins(*urls: str | None) -> list[str]:
    """The distinct http(s) origins of ``urls``, in order."""
    found: list[str] = []
    for url in urls:
        parts = urlsplit(url or "")
        origin = f"{parts.scheme}://{parts.netloc}"
        if parts.scheme in ("http", "https") and parts.netloc and origin not in found:
            found.append(origin)
    return found


class LtiUserLink(db.Model):
    """The account a platform's user (issuer + ``sub``) signs in to."""

    __tablename__ = "lms_lti_user_links"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lms_lti_platforms.id"), index=True)
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class LtiContext(db.Model):
    """A platform's course (context) and the cohort it maps to, per course of ours."""

    __tablename__ = "lms_lti_contexts"
    __table_args__ = (UniqueConstraint("platform_id", "context_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lms_lti_platforms.id"), index=True)
    context_id: Mapped[str] = mapped_column(String(255))
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_courses.id"))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("lms_cohorts.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200), default="")
    #: the NRPS memberships URL the platform last sent (roster import)
    memberships_url: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cohort = relationship("Cohort")


class LtiResourceLink(db.Model):
    """A placement of one of our courses, modules or lessons in a platform's context."""

    __tablename__ = "lms_lti_resource_links"
    __table_args__ = (UniqueConstraint("platform_id", "resource_link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lms_lti_platforms.id"), index=True)
    resource_link_id: Mapped[str] = mapped_column(String(255))
    context_id: Mapped[int | None] = mapped_column(ForeignKey("lms_lti_contexts.id"))
    target: Mapped[str] = mapped_column(String(300))
    #: the AGS line item URL of this placement, when the platform sent one
    lineitem_url: Mapped[str | None] = mapped_column(String(1000))
    #: the AGS line items URL of the context, when the platform lets the tool create line items
    #: (a placement without ``lineitem``: the sender finds or creates one there)
    lineitems_url: Mapped[str | None] = mapped_column(String(1000))
    #: the sender finding or creating that line item now, and until when its claim holds
    lineitem_claimed_by: Mapped[str | None] = mapped_column(String(100))
    lineitem_claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LtiRegistrationLink(db.Model):
    """A one-time LTI Dynamic Registration link an administrator gives a platform's
    administrator. Only the SHA-256 of its token is kept; it serves once, before it expires."""

    __tablename__ = "lms_lti_registration_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the platform the link registered (or updated)
    platform_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_lti_platforms.id", ondelete="SET NULL")
    )

    created_by: Mapped[User | None] = relationship()
    platform: Mapped[LtiPlatform | None] = relationship()

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def state(self, now: datetime) -> str:
        """``used``, ``revoked``, ``expired`` or ``waiting`` (still usable)."""
        if self.used_at is not None:
            return "used"
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= now else "waiting"


class LtiNonce(db.Model):
    """A launch's nonce, once used (per platform), until its token expires: a replayed
    ``id_token`` finds it here even with the browser's pre-launch cookies."""

    __tablename__ = "lms_lti_nonces"
    __table_args__ = (UniqueConstraint("platform_id", "nonce"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lms_lti_platforms.id", ondelete="CASCADE"))
    nonce: Mapped[str] = mapped_column(String(255))
    #: the token's own expiry (a later replay is refused for that already): the row may go then
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class LtiPendingLaunch(db.Model):
    """A valid launch waiting for its person's choice: the platform's e-mail belongs to an account
    here, which is linked only on its password; or a new account. Only the SHA-256 of the
    token (kept in the browser's session) is stored; it serves once, before it expires."""

    __tablename__ = "lms_lti_pending_launches"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    platform_id: Mapped[int] = mapped_column(
        ForeignKey("lms_lti_platforms.id", ondelete="CASCADE"), index=True
    )
    #: the account that has the platform's e-mail
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), index=True)
    #: the launch's claims, as checked (signature, nonce, deployment)
    claims: Mapped[dict] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    platform: Mapped[LtiPlatform] = relationship()
    user: Mapped[User] = relationship()
