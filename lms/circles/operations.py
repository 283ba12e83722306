"""Verbs of circles: forming them (a trainer, or learners themselves under a cap), changing who is
in them, and editing the project and its allies. Every membership change is audited; nothing here
commits (the request does).

The rules a trainer and a learner both meet are checked in one place (``_check_joinable``): a
member is a learner of the circle's cohort, in no other circle of it, and never added twice.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, fields

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from curriculum.db import db, utcnow
from lms.audit.operations import record
from lms.cohorts.models import Cohort, PrerequisiteWaiver
from lms.errors import Conflict, InvalidInput, NotAllowed, NotFound
from lms.learning.models import Enrolment
from lms.signals import project_stage_changed
from lms.uploads import display_name, read_upload, store_in_transaction
from lms.users.models import User

from .milestones import credit_accepted
from .models import (
    ALLY_KINDS,
    MAX_MEMBERS,
    MIN_MEMBERS,
    OUTCOMES,
    STAGES,
    THEMES,
    WORKING_STAGES,
    Circle,
    CircleMember,
    CircleSettings,
    Project,
    ProjectAlly,
)
from .showcase.operations import ask_new_member

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
NAME_MAX = 120
LETTER_MAX_MB = 10
LETTER_TYPES = {"pdf", "jpeg", "png"}


# -- settings of a cohort --------------------------------------------------------------------------


def settings_of(cohort: Cohort) -> CircleSettings:
    """The cohort's circle settings (defaults, not yet stored, if never changed)."""
    found = db.session.get(CircleSettings, cohort.id)
    return found or CircleSettings(cohort_id=cohort.id, self_formation=False, max_members=6)


def update_settings(actor: User, cohort: Cohort, self_formation: bool, max_members: int):
    if not MIN_MEMBERS <= max_members <= MAX_MEMBERS:
        raise InvalidInput(
            _("A circle has between %(min)d and %(max)d members.", min=MIN_MEMBERS, max=MAX_MEMBERS)
        )
    settings = settings_of(cohort)
    settings.self_formation, settings.max_members = self_formation, max_members
    db.session.add(settings)
    record(actor, "circles.settings", "cohort", cohort.id, self_formation=self_formation,
           max_members=max_members)  # fmt: skip
    return settings


# -- forming circles -----------------------------------------------------------------------------


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        if db.session.scalar(select(Circle.id).where(Circle.code == code)) is None:
            return code


def _clean_name(cohort: Cohort, name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput(_("Give the circle a name."))
    if len(name) > NAME_MAX:
        raise InvalidInput(_("The name is too long (at most %(n)d characters).", n=NAME_MAX))
    taken = select(Circle.id).where(Circle.cohort_id == cohort.id, Circle.name == name)
    if db.session.scalar(taken) is not None:
        raise Conflict(_("This cohort already has a circle called “%(name)s”.", name=name))
    return name


def cohort_learner(cohort: Cohort, user_id: int) -> User | None:
    """The user if she is a learner of the cohort (an active or completed enrolment in it)."""
    return db.session.scalar(
        select(User)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(
            User.id == user_id,
            Enrolment.cohort_id == cohort.id,
            Enrolment.status != "withdrawn",
        )
    )


def current_circle_of(cohort: Cohort, user_id: int) -> Circle | None:
    return db.session.scalar(
        select(Circle)
        .join(CircleMember)
        .where(
            CircleMember.cohort_id == cohort.id,
            CircleMember.user_id == user_id,
            CircleMember.left_at.is_(None),
        )
    )


def _check_joinable(cohort: Cohort, user_id: int, circle: Circle | None = None) -> User:
    user = cohort_learner(cohort, user_id)
    if user is None:
        raise InvalidInput(_("This person is not a learner of the cohort %(cohort)s.",
                             cohort=cohort.name))  # fmt: skip
    elsewhere = current_circle_of(cohort, user_id)
    if elsewhere is not None and elsewhere is circle:
        raise Conflict(_("%(name)s is already a member of this circle.", name=user.name))
    if elsewhere is not None:
        raise Conflict(_("%(name)s is already in the circle “%(circle)s”.", name=user.name,
                         circle=elsewhere.name))  # fmt: skip
    return user


def _add(circle: Circle, user: User, actor: User, action: str) -> CircleMember:
    member = CircleMember(cohort_id=circle.cohort_id, user_id=user.id, added_by_id=actor.id)
    member.user = user
    circle.memberships.append(member)
    db.session.flush()
    record(actor, action, "circle", circle.id, user=user.id)
    credit_accepted(actor, circle, user)  # what the circle had done counts for her too
    ask_new_member(actor, circle, member)  # a public project: her agreement is asked
    return member


def form_circle(actor: User, cohort: Cohort, name: str, user_ids: list[int]) -> Circle:
    """A trainer forms a circle of 2–12 learners of the cohort (each in no other circle)."""
    name = _clean_name(cohort, name)
    if len(set(user_ids)) != len(user_ids):
        raise InvalidInput(_("The same person is chosen twice."))
    if not MIN_MEMBERS <= len(user_ids) <= MAX_MEMBERS:
        raise InvalidInput(
            _("Choose between %(min)d and %(max)d members.", min=MIN_MEMBERS, max=MAX_MEMBERS)
        )
    users = [_check_joinable(cohort, user_id) for user_id in user_ids]
    circle = Circle(cohort=cohort, name=name, code=_new_code(), created_by_id=actor.id)
    circle.project = Project(title="", province=cohort.province, commune=cohort.commune)
    db.session.add(circle)
    db.session.flush()
    record(actor, "circle.formed", "circle", circle.id, cohort=cohort.id, name=name)
    for user in users:
        _add(circle, user, actor, "circle.member_added")
    return circle


def add_member(actor: User, circle: Circle, user_id: int) -> CircleMember:
    """A facilitator adds a learner of the cohort."""
    circle.lock()  # the count below holds against another addition at the same time
    user = _check_joinable(circle.cohort, user_id, circle)
    if len(circle.members) >= MAX_MEMBERS:
        raise Conflict(_("A circle has at most %(n)d members.", n=MAX_MEMBERS))
    return _add(circle, user, actor, "circle.member_added")


def remove_member(actor: User, circle: Circle, member: CircleMember) -> CircleMember:
    """The member leaves (or a facilitator takes her out): her row stays, with ``left_at``;
    her own progress and what she handed in are untouched."""
    if member.circle_id != circle.id or member.left_at is not None:
        raise NotFound()
    member.left_at = utcnow()
    action = "circle.member_left" if actor.id == member.user_id else "circle.member_removed"
    record(actor, action, "circle", circle.id, user=member.user_id)
    return member


# -- self-formation ------------------------------------------------------------------------------


def _self_formation(cohort: Cohort) -> CircleSettings:
    settings = settings_of(cohort)
    if not settings.self_formation:
        raise NotAllowed(_("In this cohort, your trainer forms the circles."))
    return settings


def create_own_circle(user: User, cohort: Cohort, name: str) -> Circle:
    """A learner creates a circle (self-formation) and is its first member."""
    _self_formation(cohort)
    _check_joinable(cohort, user.id)
    circle = Circle(cohort=cohort, name=_clean_name(cohort, name), code=_new_code(),
                    self_formed=True, created_by_id=user.id)  # fmt: skip
    circle.project = Project(title="", province=cohort.province, commune=cohort.commune)
    db.session.add(circle)
    db.session.flush()
    record(user, "circle.created", "circle", circle.id, cohort=cohort.id, name=circle.name)
    _add(circle, user, user, "circle.member_joined")
    return circle


def find_circle_by_code(code: str) -> Circle:
    normalized = "".join((code or "").split()).upper()
    circle = db.session.scalar(select(Circle).where(Circle.code == normalized))
    if circle is None:
        raise NotFound(_("No circle has this code. Check it with the circle's members."))
    return circle


def join_by_code(user: User, code: str) -> Circle:
    circle = find_circle_by_code(code)
    settings = _self_formation(circle.cohort)
    circle.lock()  # learners joining at the same instant are counted one after the other
    _check_joinable(circle.cohort, user.id, circle)
    if len(circle.members) >= settings.max_members:
        raise Conflict(_("This circle is full (%(n)d members).", n=settings.max_members))
    _add(circle, user, user, "circle.member_joined")
    return circle


# -- the project ---------------------------------------------------------------------------------


@dataclass
class ProjectDetails:
    title: str
    second_title: str = ""
    problem_who: str = ""
    problem_what: str = ""
    problem_where: str = ""
    problem_how_many: str = ""
    problem_why: str = ""
    tried: str = ""
    province: str = ""
    commune: str = ""
    theme: str = "employment"
    stage: str = "charter"
    outcome: str | None = None
    stop_reason: str = ""


TEXT_LIMITS = {"title": 200, "second_title": 200, "province": 100, "commune": 100}
LONG_TEXT_MAX = 5000


def update_project(actor: User, project: Project, details: ProjectDetails) -> Project:
    values = {f.name: getattr(details, f.name) for f in fields(details)}
    for key, value in values.items():
        if isinstance(value, str):
            values[key] = value.strip()
            limit = TEXT_LIMITS.get(key, LONG_TEXT_MAX)
            if len(values[key]) > limit:
                raise InvalidInput(_("This text is too long (at most %(n)d characters).", n=limit))
    if not values["title"]:
        raise InvalidInput(_("Give the project a title."))
    if values["theme"] not in THEMES or values["stage"] not in STAGES:
        raise InvalidInput(_("Choose a theme and a stage from the lists."))
    outcome = values["outcome"] or None
    if outcome is not None and (outcome not in OUTCOMES or values["stage"] != "presented"):
        raise InvalidInput(_("A project is continued or stopped once it is presented."))
    if outcome == "stopped" and not values["stop_reason"]:
        raise InvalidInput(_("Say why the project stopped."))
    values["outcome"] = outcome
    _check_stage(actor, project, values)
    changed = sorted(key for key, value in values.items() if getattr(project, key) != value)
    before = project.stage
    for key in changed:
        setattr(project, key, values[key])
    if changed:
        project.updated_at = utcnow()
        record(actor, "project.updated", "project", project.id, fields=changed)
    if "stage" in changed:
        db.session.flush()
        record(actor, "project.stage_changed", "project", project.id, before=before,
               after=project.stage)  # fmt: skip
        project_stage_changed.send(current_app._get_current_object(), project=project)
    return project


def _check_stage(actor: User, project: Project, values: dict) -> None:
    """Members move the project through the working stages one at a time; the presentation,
    what followed it, and going back from it are a facilitator's (``Project.stages_settable_by``)."""
    if values["stage"] != project.stage and values["stage"] not in project.stages_settable_by(
        actor
    ):
        if values["stage"] in WORKING_STAGES and project.stage in WORKING_STAGES:
            raise NotAllowed(_("Move the project on one stage at a time."))
        raise NotAllowed(
            _(
                "A facilitator of the cohort records the presentation and moves a project back "
                "from it."
            )  # fmt: skip
        )
    decided = (values["outcome"], values["stop_reason"])
    if decided != (project.outcome, project.stop_reason) and not project.can_set_outcome(actor):
        raise NotAllowed(_("A facilitator of the cohort records what became of the project."))


# -- allies --------------------------------------------------------------------------------------


def add_ally(actor: User, project: Project, organisation: str, kind: str, contact_role: str,
             commitment: str, upload=None) -> ProjectAlly:  # fmt: skip
    organisation = " ".join((organisation or "").split())
    if not organisation:
        raise InvalidInput(_("Name the organisation."))
    if len(organisation) > 200 or len(contact_role or "") > 200:
        raise InvalidInput(_("This text is too long (at most %(n)d characters).", n=200))
    if len(commitment or "") > LONG_TEXT_MAX:
        raise InvalidInput(_("This text is too long (at most %(n)d characters).", n=LONG_TEXT_MAX))
    if kind not in ALLY_KINDS:
        raise InvalidInput(_("Choose the kind of organisation from the list."))
    ally = ProjectAlly(organisation=organisation, kind=kind, created_by_id=actor.id,
                       contact_role=(contact_role or "").strip(),
                       commitment=(commitment or "").strip())  # fmt: skip
    if upload is not None and getattr(upload, "filename", ""):
        data, file_type = read_upload(upload, LETTER_MAX_MB, LETTER_TYPES)
        ally.letter_path = store_in_transaction(
            f"circles/{project.circle_id}", "letter", data, file_type
        )
        ally.letter_name = display_name(upload.filename, file_type)
        ally.letter_type, ally.letter_size = file_type, len(data)
    project.allies.append(ally)
    db.session.flush()
    record(actor, "project.ally_added", "project", project.id, ally=ally.id)
    return ally


def remove_ally(actor: User, ally: ProjectAlly) -> None:
    record(
        actor, "project.ally_removed", "project", ally.project_id, organisation=ally.organisation
    )
    db.session.delete(ally)


# -- required courses ----------------------------------------------------------------------------


def grant_waiver(actor: User, cohort: Cohort, email: str, reason: str):
    """A trainer of the cohort lets one learner join it without the required courses."""
    user = db.session.scalar(select(User).where(User.email_key == (email or "").strip().lower()))
    if user is None:
        raise InvalidInput(_("No account has this e-mail address."))
    reason = (reason or "").strip()
    if len(reason) > 500:
        raise InvalidInput(_("This text is too long (at most %(n)d characters).", n=500))
    existing = db.session.scalar(
        select(PrerequisiteWaiver).filter_by(cohort_id=cohort.id, user_id=user.id)
    )
    if existing is not None:
        raise Conflict(_("%(name)s may already join without the required course.", name=user.name))
    waiver = PrerequisiteWaiver(cohort_id=cohort.id, user_id=user.id, granted_by_id=actor.id,
                                reason=reason)  # fmt: skip
    db.session.add(waiver)
    db.session.flush()
    record(actor, "cohort.requirement_waived", "cohort", cohort.id, user=user.id, reason=reason)
    return waiver
