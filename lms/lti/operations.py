"""What a valid launch does: sign the person in to the account linked to issuer + subject (see
``accounts``), map the platform's context to a cohort of the chosen course and its roles to
trainer or learner (``roles``), and find the resource to land on."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from flask_babel import gettext as _
from sqlalchemy import select

from curriculum.db import db, utcnow
from curriculum.models import Course, Lesson, Module
from lms.audit.operations import record
from lms.cohorts.models import Cohort, CohortInvitation
from lms.errors import NotAllowed, NotFound
from lms.learning.operations import enrol, new_join_code
from lms.users.models import User, UserRole

from . import accounts
from .lineitems import LINEITEM_SCOPE
from .models import LtiContext, LtiPlatform, LtiResourceLink
from .refusals import BadLaunch
from .roles import is_trainer_role

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
__all__ = ["BadLaunch", "CLAIM", "Launch", "Target", "apply_launch", "finish_launch"]


@dataclass
class Target:
    course: Course
    module: Module | None = None
    lesson: Lesson | None = None


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
    title = str(context.get("title") or context.get("label") or context_id)[:200]
    if row is not None and row.title != title:
        # the platform renamed its course: so does the cohort, unless a trainer renamed it here
        if row.cohort.name == row.title:
            row.cohort.name = title
        row.title = title
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


@dataclass
class Launch:
    """What a launch did: signed ``user`` in (``note``: what to tell them on landing), or
    ``pending``: the token of the launch waiting for its person's choice (``accounts``)."""

    target: Target
    user: User | None = None
    pending: str | None = None
    note: str | None = None


def apply_launch(platform: LtiPlatform, claims: dict) -> Launch:
    """Everything a resource-link launch writes, in the request's transaction."""
    if not platform.enabled:
        raise NotAllowed(_("This platform is disabled: ask its administrator."))
    target = resolve_target(claims)
    identity = accounts.identify(platform, claims)
    if identity.user is None:
        return Launch(target, pending=accounts.hold(platform, claims, identity.owner))
    return finish_launch(platform, claims, identity.user, target)


def finish_launch(
    platform: LtiPlatform, claims: dict, user: User, target: Target | None = None
) -> Launch:
    """The launch of ``user``: the context's cohort, its roles, the resource link."""
    target = target or resolve_target(claims)
    context = context_cohort(platform, claims, target.course)
    note = None
    if not is_trainer_role(claims.get(CLAIM + "roles")):
        _join(user, target.course, context.cohort if context else None)
    elif context is not None:
        _train(user, context.cohort, platform)
    else:
        # a platform's instructor outside any course of theirs: nothing to train, and not a
        # learner either (no enrolment, no progress to report): the course, as a visitor
        note = _("You opened this link outside a course of your platform: you see the course "
                 "as a visitor. Add the link to a course of your platform to train its learners "
                 "here.")  # fmt: skip
    link = claims.get(CLAIM + "resource_link") or {}
    if link.get("id"):
        _remember_resource_link(platform, str(link["id"]), context, target, claims)
    return Launch(target, user=user, note=note)


def _join(user: User, course: Course, cohort: Cohort | None) -> None:
    """Enrol the learner (into the context's cohort); an invitation to that cohort (from a
    roster import) is accepted with it."""
    enrol(user, course, cohort)
    if cohort is None:
        return
    invitation = db.session.scalar(
        select(CohortInvitation).where(
            CohortInvitation.cohort_id == cohort.id,
            CohortInvitation.user_id == user.id,
            CohortInvitation.accepted_at.is_(None),
            CohortInvitation.declined_at.is_(None),
        )
    )
    if invitation is not None:
        invitation.accepted_at = utcnow()
        record(user, "cohort.invitation_accepted", "cohort", cohort.id, invitation=invitation.id)


def _train(user: User, cohort: Cohort, platform: LtiPlatform) -> None:
    """A trainer of the context's cohort. The cohort pages need the trainer role: one granted
    here has the scope "lti" (it opens the pages of the cohorts the person trains, not the
    creation of new ones); a role the account already had is kept as it was."""
    if not cohort.is_trainer(user):
        cohort.trainers.append(user)
        record(user, "lti.cohort_trainer", "cohort", cohort.id, issuer=platform.issuer)
    if not user.has_role("trainer"):
        user.role_rows.append(UserRole(role="trainer", scope="lti"))


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
