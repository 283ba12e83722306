"""Verbs of publishing a project: a member says whether she agrees to the project being public
and whether her first name may appear; a facilitator publishes or unpublishes it. A project is
published only when every current member agrees; a member who takes her agreement back
unpublishes it. Every change is audited; nothing here commits (the request does).
"""

from __future__ import annotations

from flask_babel import gettext as _

from curriculum.db import utcnow
from lms.audit.operations import record
from lms.circles.models import Circle, CircleMember, Project
from lms.errors import Conflict, InvalidInput, NotAllowed
from lms.users.models import User


def record_consent(
    user: User, circle: Circle, publish: bool, show_first_name: bool
) -> CircleMember:
    """The member's own answer (only she gives it). Her first name is shown only if she also
    agrees to the project being published."""
    member = circle.membership_of(user)
    if member is None:
        raise NotAllowed(_("Only the circle's members say whether they agree."))
    member.consents_to_publish = bool(publish)
    member.show_first_name = bool(publish and show_first_name)
    member.consent_at = utcnow()
    record(user, "circle.consent", "circle", circle.id, user=user.id,
           publish=member.consents_to_publish, first_name=member.show_first_name)  # fmt: skip
    project = circle.project
    if project is not None and project.is_published and not member.consents_to_publish:
        _unpublish(user, project, "consent_withdrawn")
    return member


def missing_for_publishing(project: Project) -> list[str]:
    """What stops the project from being published, in words (empty: it can be)."""
    missing = []
    if not project.title.strip():
        missing.append(_("The project has no title yet."))
    if not project.second_title.strip():
        missing.append(_("The sheet needs the title in French and in Arabic: add the title in "
                         "the other language."))  # fmt: skip
    waiting = [m.first_name for m in project.circle.members if not m.consents_to_publish]
    if waiting:
        missing.append(_("Not every member agrees yet (waiting for: %(names)s).",
                         names=", ".join(waiting)))  # fmt: skip
    return missing


def publish(actor: User, project: Project) -> Project:
    if not project.can_publish(actor):
        raise NotAllowed(_("Only the circle's facilitators publish its project."))
    if project.is_published:
        raise Conflict(_("The project is already published."))
    missing = missing_for_publishing(project)
    if missing:
        raise InvalidInput(" ".join(missing))
    project.published_at, project.published_by_id = utcnow(), actor.id
    record(actor, "project.published", "project", project.id,
           members=[m.user_id for m in project.circle.members])  # fmt: skip
    return project


def _unpublish(actor: User, project: Project, reason: str) -> None:
    project.published_at, project.published_by_id = None, None
    record(actor, "project.unpublished", "project", project.id, reason=reason)


def unpublish(actor: User, project: Project) -> Project:
    if not project.can_publish(actor):
        raise NotAllowed(_("Only the circle's facilitators publish its project."))
    if not project.is_published:
        raise Conflict(_("The project is not published."))
    _unpublish(actor, project, "facilitator")
    return project
