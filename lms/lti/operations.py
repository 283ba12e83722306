"""What a valid launch does: sign the person in to the account linked to issuer + subject (created
on the first launch, never with a password), map the platform's context to a cohort of the
chosen course and its roles to trainer or learner, and find the resource to land on."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from flask_babel import gettext as _
from sqlalchemy import select

from curriculum.db import db
from curriculum.models import Course, Lesson, Module
from lms.audit.operations import record
from lms.cohorts.models import Cohort
from lms.errors import InvalidInput, NotAllowed, NotFound
from lms.learning.operations import enrol, new_join_code
from lms.users.models import User, UserRole
from lms.users.operations import create_user, find_by_email

from .lineitems import LINEITEM_SCOPE
from .models import LtiContext, LtiPlatform, LtiResourceLink, LtiUserLink

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
TRAINER_ROLES = ("#Instructor", "#TeachingAssistant", "/Instructor", "/TeachingAssistant")


class BadLaunch(InvalidInput):
    """A launch the tool refuses (its message says why)."""


@dataclass
class Target:
    course: Course
    module: Module | None = None
    lesson: Lesson | None = None


def is_trainer_role(roles: list[str]) -> bool:
    return any(role.endswith(TRAINER_ROLES) for role in roles)


def resolve_target(claims: dict) -> Target:
    """``custom.target`` (``course[/module[/lesson]]``), or ``?target=`` of the target link URI."""
    path = (claims.get(CLAIM + "custom") or {}).get("target")
    if not path:
        query = parse_qs(urlsplit(claims.get(CLAIM + "target_link_uri", "")).query)
        path = (query.get("target") or [""])[0]
    parts = [p for p in str(path).strip("/").split("/") if p]
    if not parts or len(parts) > 3:
        raise NotFound(_("This link does not name a course of the catalogue."))
    course = db.session.scalar(select(Course).where(Course.slug == parts[0]))
    if course is None or course.archived_at is not None or not course.published:
        raise NotFound(_("This course is not available."))
    target = Target(course)
    if len(parts) > 1:
        target.module = db.session.scalar(
            select(Module).where(Module.course_id == course.id, Module.slug == parts[1])
        )
        if target.module is None:
            raise NotFound(_("This module is not in the course."))
    if len(parts) > 2:
        target.lesson = db.session.scalar(
            select(Lesson).where(Lesson.module_id == target.module.id, Lesson.slug == parts[2])
        )
        if target.lesson is None:
            raise NotFound(_("This lesson is not in the module."))
    return target


def _placeholder_email(platform: LtiPlatform, subject: str) -> str:
    digest = hashlib.sha256(f"{platform.issuer}\n{subject}".encode()).hexdigest()[:24]
    return f"lti-{digest}@lti.invalid"


def link_user(platform: LtiPlatform, claims: dict) -> User:
    """The account of issuer + subject; a new one (no password) on the first launch. An account
    with the same e-mail is not taken over: the platform's word on an address is not proof."""
    subject = str(claims.get("sub") or "")
    if not subject:
        raise BadLaunch(_("The platform did not say who is launching (no subject)."))
    link = db.session.scalar(
        select(LtiUserLink).where(
            LtiUserLink.issuer == platform.issuer, LtiUserLink.subject == subject
        )
    )
    name = (claims.get("name") or "").strip() or _(
        "Learner from %(platform)s", platform=platform.name
    )
    if link is not None:
        user = link.user
        if not user.active:
            raise NotAllowed(_("This account is disabled."))
        if claims.get("name") and user.name != name:
            user.name = name[:200]
        return user
    email = (claims.get("email") or "").strip()
    if not email or find_by_email(email) is not None:
        email = _placeholder_email(platform, subject)
    user = create_user(email, name[:200], None, ["learner"], None)
    db.session.add(LtiUserLink(platform_id=platform.id, issuer=platform.issuer, subject=subject,
                               user=user))  # fmt: skip
    db.session.flush()
    record(user, "lti.account_created", "user", user.id, issuer=platform.issuer)
    return user


def context_cohort(platform: LtiPlatform, claims: dict, course: Course) -> LtiContext | None:
    """The cohort of ``course`` the platform's context maps to (created on the first launch)."""
    context = claims.get(CLAIM + "context") or {}
    context_id = str(context.get("id") or "")
    if not context_id:
        return None
    row = db.session.scalar(
        select(LtiContext).where(
            LtiContext.platform_id == platform.id,
            LtiContext.context_id == context_id,
            LtiContext.course_id == course.id,
        )
    )
    title = (context.get("title") or context.get("label") or context_id)[:200]
    if row is None:
        code = new_join_code()
        while db.session.scalar(select(Cohort.id).where(Cohort.join_code == code)) is not None:
            code = new_join_code()
        cohort = Cohort(course_id=course.id, course=course, name=title, join_code=code)
        db.session.add(cohort)
        db.session.flush()
        row = LtiContext(platform_id=platform.id, context_id=context_id, course_id=course.id,
                         cohort_id=cohort.id, cohort=cohort, title=title)  # fmt: skip
        db.session.add(row)
    nrps = claims.get("https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice") or {}
    if nrps.get("context_memberships_url"):
        row.memberships_url = nrps["context_memberships_url"]
    return row


def apply_launch(platform: LtiPlatform, claims: dict) -> tuple[User, Target]:
    """Everything a resource-link launch writes, in the request's transaction."""
    if not platform.enabled:
        raise NotAllowed(_("This platform is disabled: ask its administrator."))
    target = resolve_target(claims)
    user = link_user(platform, claims)
    context = context_cohort(platform, claims, target.course)
    roles = claims.get(CLAIM + "roles") or []
    if context is not None and is_trainer_role(roles):
        cohort = context.cohort
        if not cohort.is_trainer(user):
            cohort.trainers.append(user)
        if "trainer" not in user.roles:
            user.role_rows.append(UserRole(role="trainer"))
    else:
        enrol(user, target.course, context.cohort if context else None)
    link = claims.get(CLAIM + "resource_link") or {}
    if link.get("id"):
        _remember_resource_link(platform, str(link["id"]), context, target, claims)
    return user, target


def _remember_resource_link(platform, link_id, context, target: Target, claims: dict) -> None:
    row = db.session.scalar(
        select(LtiResourceLink).where(
            LtiResourceLink.platform_id == platform.id,
            LtiResourceLink.resource_link_id == link_id,
        )
    )
    path = "/".join(p.slug for p in (target.course, target.module, target.lesson) if p is not None)
    if row is None:
        row = LtiResourceLink(platform_id=platform.id, resource_link_id=link_id, target=path)
        db.session.add(row)
    row.target = path
    row.context_id = context.id if context else None
    ags = claims.get("https://purl.imsglobal.org/spec/lti-ags/claim/endpoint") or {}
    if ags.get("lineitem"):
        row.lineitem_url = ags["lineitem"]
    if ags.get("lineitems") and LINEITEM_SCOPE in (ags.get("scope") or []):
        row.lineitems_url = ags["lineitems"]
