"""Verbs of a trainer's cohorts: create and edit them, import a roster, move a learner.

They reuse the learner-journey verbs rather than writing progress themselves; only the roster
import writes its accounts, enrolments and invitations itself, in batches (as ``create_user``,
``enrol`` and ``send_mail`` would one by one), so that 5,000 rows fit in one request. They flush
and audit; the request commits once, so a refused step leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from curriculum.db import db, utcnow
from curriculum.models import Course
from lms.audit.operations import record
from lms.errors import Conflict, InvalidInput, NotAllowed, NotFound
from lms.learning.models import Enrolment
from lms.learning.operations import enrol, new_join_code
from lms.mail.operations import render_mail, send_mails
from lms.signals import roster_accounts_created
from lms.urls import absolute_url
from lms.users.models import User, UserRole, normalize_email
from lms.users.operations import make_reset_token

from . import invitations, queries
from .models import Cohort, RosterImport
from .roster import parse_roster
from .roster_preview import RosterLine, RosterPreview, classify

# -- cohorts ------------------------------------------------------------------------------------


@dataclass
class CohortDetails:
    """What a trainer types to create or edit a cohort."""

    name: str
    province: str
    commune: str
    starts_on: date | None
    ends_on: date | None
    capacity: int | None
    trainer_ids: list[int]


def territory_label(province: str, commune: str) -> str:
    return ", ".join(part for part in (commune.strip(), province.strip()) if part)


def _trainers(actor: User, details: CohortDetails) -> list[User]:
    ids = list(dict.fromkeys(details.trainer_ids))
    if not actor.is_admin and actor.id not in ids:
        raise InvalidInput(
            _("Keep yourself among the trainers: otherwise you could no longer manage this cohort.")
        )
    people = list(db.session.scalars(select(User).where(User.id.in_(ids))).unique()) if ids else []
    if not people:
        raise InvalidInput(_("Choose at least one trainer."))
    if len(people) != len(ids) or any(not (p.is_trainer or p.is_admin) for p in people):
        raise InvalidInput(_("Only trainers and administrators can train a cohort."))
    return people


def _apply_details(actor: User, cohort: Cohort, details: CohortDetails) -> None:
    if not details.name.strip():
        raise InvalidInput(_("Type a name."))
    if details.starts_on and details.ends_on and details.ends_on < details.starts_on:
        raise InvalidInput(_("The end date comes before the start date."))
    if details.capacity is not None:
        if details.capacity < 1:
            raise InvalidInput(_("The capacity is at least 1 (or leave it empty: no limit)."))
        size = queries.cohort_size(cohort) if cohort.id else 0
        if details.capacity < size:
            raise InvalidInput(
                _(
                    "%(n)d learners are already in this cohort: the capacity cannot be lower.",
                    n=size,
                )
            )
    cohort.trainers = _trainers(actor, details)
    cohort.name = details.name.strip()
    cohort.province = details.province.strip()
    cohort.commune = details.commune.strip()
    cohort.territory = territory_label(details.province, details.commune)
    cohort.starts_on, cohort.ends_on, cohort.capacity = (
        details.starts_on,
        details.ends_on,
        details.capacity,
    )


def _free_join_code() -> str:
    while True:  # 31**8 codes: a collision is rare, and the unique index catches a race anyway
        code = new_join_code()
        if db.session.scalar(select(Cohort.id).where(Cohort.join_code == code)) is None:
            return code


def create_cohort(actor: User, course: Course, details: CohortDetails) -> Cohort:
    if course.archived_at is not None or not course.published:
        raise InvalidInput(_("This course is not available."))
    cohort = Cohort(course_id=course.id, course=course, join_code=_free_join_code())
    _apply_details(actor, cohort, details)
    db.session.add(cohort)
    db.session.flush()
    record(actor, "cohort.created", "cohort", cohort.id, course=course.slug, name=cohort.name)
    return cohort


def update_cohort(actor: User, cohort: Cohort, details: CohortDetails) -> None:
    _apply_details(actor, cohort, details)
    record(actor, "cohort.updated", "cohort", cohort.id, name=cohort.name)


def renew_join_code(actor: User, cohort: Cohort) -> str:
    """A new code (the old one stops working, e.g. after it was shared too widely)."""
    cohort.join_code = _free_join_code()
    record(actor, "cohort.join_code_renewed", "cohort", cohort.id)
    return cohort.join_code


def move_learner(actor: User, enrolment: Enrolment, target: Cohort) -> None:
    """Into another cohort of the same course: only ``cohort_id`` changes, progress stays."""
    if target.course_id != enrolment.course_id:
        raise InvalidInput(_("A learner can only move to a cohort of the same course."))
    if not target.can_manage(actor):
        raise NotAllowed(_("You can only move a learner into a cohort you train."))
    if target.archived_at is not None:
        raise InvalidInput(_("This cohort is archived."))
    if enrolment.cohort_id == target.id:
        return
    queries.check_room(target, 1)
    before = enrolment.cohort_id
    enrolment.cohort_id = target.id
    record(
        actor, "enrolment.moved", "enrolment", enrolment.id, from_cohort=before, to_cohort=target.id
    )


# -- roster import ------------------------------------------------------------------------------


def upload_roster(actor: User, cohort: Cohort, filename: str, data: bytes) -> RosterImport:
    """Parse the file and keep its rows until the trainer confirms; nothing else is written."""
    parsed = parse_roster(data, list(current_app.config["LMS_LANGUAGES"]))
    return keep_roster(actor, cohort, filename, parsed.rows)


def keep_roster(actor: User, cohort: Cohort, filename: str, rows: list[dict]) -> RosterImport:
    """Keep checked rows (a file's, or ``roster.external_rows``) until the trainer confirms."""
    # A new upload (the fixed file) replaces this trainer's earlier unconfirmed ones.
    db.session.execute(
        delete(RosterImport).where(
            RosterImport.cohort_id == cohort.id,
            RosterImport.created_by_id == actor.id,
            RosterImport.applied_at.is_(None),
        )
    )
    roster = RosterImport(
        cohort_id=cohort.id,
        created_by_id=actor.id,
        filename=(filename or "")[:255],
        rows=rows,
    )
    db.session.add(roster)
    db.session.flush()
    return roster


def roster_errors_message(errors: int) -> str:
    """Why a roster with bad rows cannot be confirmed (the preview says the same)."""
    return ngettext(
        "%(num)d row has an error. Nothing is imported while a row has an error: fix the file and upload it again.",
        "%(num)d rows have an error. Nothing is imported while a row has an error: fix the file and upload it again.",
        errors,
    )  # fmt: skip


def confirm_roster(actor: User, roster: RosterImport) -> dict[str, int]:
    """Apply the import, all of it or nothing, re-checked against the accounts as they are now.

    A single row in error refuses the whole roster (the trainer fixes the file and uploads it
    again). The rows are written in batches, a few statements per thousand rows rather than
    several per row, so that 5,000 learners fit in one request; the caller commits once. Someone
    creating one of these accounts or enrolments meanwhile makes it fail as a whole (``Conflict``).
    """
    if roster.applied_at is not None:
        raise Conflict(_("This roster was already imported."))
    cohort = roster.cohort
    course = cohort.course
    preview: RosterPreview = classify(cohort, roster.rows, actor)
    if preview.errors:
        raise InvalidInput(roster_errors_message(preview.errors))
    if course.archived_at is not None or not course.published:
        raise NotFound(_("This course is not available."))
    queries.check_room(cohort, preview.joining)
    new = [line for line in preview.lines if line.fate in ("new", "enrol")]
    existing = [
        preview.users[line.email.lower()] for line in preview.lines if line.fate == "invite"
    ]
    try:
        created = _create_learners(new)
    except IntegrityError as error:
        raise Conflict(
            _(
                "Some of these accounts or enrolments were created meanwhile: check the rows "
                "below, then confirm again."
            )
        ) from error
    by_key = {user.email_key: user for user in created}
    mailed = [by_key[normalize_email(line.email)] for line in new if line.fate == "new"]
    # Existing accounts are asked, never pulled in (nor is the work they handed in elsewhere).
    invited = invitations.invite(actor, mailed + existing, cohort, told=existing)
    # Accounts without e-mail cannot be asked: new and empty, they join at once.
    enrolled = [by_key[normalize_email(line.email)] for line in new if line.fate == "enrol"]
    for user in enrolled:
        enrol(user, course, cohort)
    linked = [(by_key[normalize_email(line.email)], line.link) for line in new if line.link]
    if linked:
        roster_accounts_created.send(current_app._get_current_object(), roster=roster,
                                     accounts=linked)  # fmt: skip
    summary = {"invited": invited, "already": preview.count("already")}
    if enrolled:
        summary["enrolled"] = len(enrolled)
    send_mails(_password_mails(actor, mailed, cohort))
    roster.applied_at = utcnow()
    roster.summary = summary
    record(actor, "cohort.roster_imported", "cohort", cohort.id, file=roster.filename, **summary)
    return summary


def _create_learners(lines: list[RosterLine]) -> list[User]:
    """The new learners' accounts (no password: the invitation lets them choose one)."""
    if not lines:
        return []
    now = utcnow()
    rows = [
        {
            "email": line.email,
            "email_key": normalize_email(line.email),
            "name": line.name.strip(),
            "locale": line.language,
            "active": True,
            "created_at": now,
        }
        for line in lines
    ]
    # render_nulls: rows with and without a language go in the same batches
    statement = insert(User).returning(User).execution_options(render_nulls=True)
    users = db.session.scalars(statement, rows).unique().all()
    db.session.execute(
        insert(UserRole), [{"user_id": user.id, "role": "learner"} for user in users]
    )
    return users


def _password_mails(actor: User, users: list[User], cohort: Cohort) -> list[tuple[str, str, str]]:
    """(recipient, subject, body) of each new account's invitation, in the account's language,
    with a link to choose a password."""
    forgot = absolute_url("lms_users.forgot_password")
    days = max(1, current_app.config["LMS_INVITATION_MAX_AGE"] // 86400)
    default = current_app.config["LMS_DEFAULT_LANGUAGE"]
    by_language: dict[str, list[User]] = {}
    for user in users:
        by_language.setdefault(user.locale or default, []).append(user)
    messages = []
    for language, speakers in by_language.items():
        with force_locale(language):
            title = cohort.course.title(language)
            subject = _("You are invited to the masterclass %(title)s", title=title)
            for user in speakers:
                link = absolute_url(
                    "lms_users.reset_password", token=make_reset_token(user, invitation=True)
                )
                body = render_mail(
                    "lms/emails/invitation.txt",
                    name=user.name,
                    trainer=actor.name,
                    title=title,
                    cohort=cohort.name,
                    link=link,
                    days=days,
                    forgot=forgot,
                )
                messages.append((user.email, subject, body))
    return messages
