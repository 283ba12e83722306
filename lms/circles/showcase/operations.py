"""Verbs of publishing a project: a member says whether she agrees to the project being public
and whether her first name may appear; a facilitator publishes or unpublishes it. A project is
published only when every current member agrees; a member who takes her agreement back
unpublishes it. A learner who joins a circle whose project is already public is asked (the page
stays public, without her first name, until she answers); if she says no, it is unpublished and
the facilitators are told. Every change is audited; nothing here commits (the request does).
"""

from __future__ import annotations

from flask_babel import gettext as _

from curriculum.db import utcnow
from lms.audit.operations import record
from lms.circles.models import Circle, CircleMember, Project
from lms.errors import Conflict, InvalidInput, NotAllowed
from lms.i18n import in_language_of
from lms.messages.operations import notify
from lms.urls import path_for
from lms.users.models import User


def _publishing_path(circle: Circle) -> str:
    return path_for("lms_showcase.publishing", circle_id=circle.id)


def ask_new_member(actor: User, circle: Circle, member: CircleMember) -> None:
    """She joined a circle whose project is public: ask for her agreement (her first name stays
    hidden until she gives it)."""
    project = circle.project
    if project is None or not project.is_published:
        return
    with in_language_of(member.user):
        text = _("Your circle's project “%(title)s” is public. Say whether you agree, and whether "
                 "your first name may appear.", title=project.title)  # fmt: skip
    notify(member.user, text, _publishing_path(circle))
    record(actor, "project.consent_asked", "project", project.id, user=member.user_id)


def _tell_facilitators(circle: Circle, member: CircleMember) -> None:
    for trainer in circle.cohort.trainers:
        with in_language_of(trainer):
            text = _("“%(title)s” is no longer public: %(name)s, a member of the circle "
                     "%(circle)s, does not agree to its publication.", title=circle.project.title,
                     name=member.user.name, circle=circle.name)  # fmt: skip
        notify(trainer, text, _publishing_path(circle))


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
        _tell_facilitators(circle, member)
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
