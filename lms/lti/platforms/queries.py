"""Reads of the platforms' administration: the platforms with how many accounts they link, and
the Dynamic Registration links."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from curriculum.db import db
from lms.errors import NotFound

from ..models import LtiPlatform, LtiRegistrationLink, LtiUserLink, web_origins

RECENT_LINKS = 20


def platforms_with_counts() -> list[tuple[LtiPlatform, int]]:
    accounts = (
        select(func.count(LtiUserLink.id))
        .where(LtiUserLink.platform_id == LtiPlatform.id)
        .scalar_subquery()
    )
    rows = db.session.execute(select(LtiPlatform, accounts).order_by(LtiPlatform.name))
    return [(platform, count) for platform, count in rows]


def platform_by_id(platform_id: int) -> LtiPlatform:
    platform = db.session.get(LtiPlatform, platform_id)
    if platform is None:
        raise NotFound()
    return platform


def enabled_origins() -> list[tuple[int, str, list[str]]]:
    """Each enabled platform's id, issuer and web origins (for ``frame-ancestors``)."""
    rows = db.session.execute(
        select(
            LtiPlatform.id,
            LtiPlatform.issuer,
            LtiPlatform.auth_login_url,
            LtiPlatform.frame_origins,
        ).where(LtiPlatform.enabled.is_(True))
    )
    return [
        (platform_id, issuer, list(dict.fromkeys(web_origins(issuer, login, *(extra or [])))))
        for platform_id, issuer, login, extra in rows
    ]


def recent_registration_links() -> list[LtiRegistrationLink]:
    """The newest registration links (waiting, used, revoked or expired)."""
    return list(
        db.session.scalars(
            select(LtiRegistrationLink)
            .options(
                selectinload(LtiRegistrationLink.created_by),
                selectinload(LtiRegistrationLink.platform),
            )
            .order_by(LtiRegistrationLink.created_at.desc(), LtiRegistrationLink.id.desc())
            .limit(RECENT_LINKS)
        )
    )


def registration_link_by_id(link_id: int) -> LtiRegistrationLink:
    link = db.session.get(LtiRegistrationLink, link_id)
    if link is None:
        raise NotFound()
    return link
