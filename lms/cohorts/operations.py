"""Verbs of the trainer's work: create and edit cohorts, import a roster, move a learner, schedule
sessions and take attendance, review work, announce, notify.

They reuse the learner-journey verbs (``review_submission``, ``record_attendance``) rather than
writing progress or attendance themselves; only the roster import writes its accounts, enrolments
and invitations itself, in batches (as ``create_user``, ``enrol`` and ``send_mail`` would one by
one), so that 5,000 rows fit in one request. They flush and audit; the view commits once, so a
refused step leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app, url_for
from flask_babel import force_locale, format_datetime, ngettext
from flask_babel import gettext as _
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from curriculum.db import db, utcnow
from curriculum.models import Course, Lesson
from curriculum.rendering import render_markdown
from lms.audit.models import AuditEvent
from lms.audit.operations import record
from lms.errors import Conflict, InvalidInput, NotAllowed, NotFound
from lms.learning.models import Enrolment, Submission
from lms.learning.operations import new_join_code, record_attendance, review_submission
from lms.mail.operations import send_mail, send_mails
from lms.urls import absolute_url
from lms.users.models import User, UserRole, normalize_email
from lms.users.operations import make_reset_token

from . import queries
from .models import Announcement, Attendance, Cohort, CohortSession, Notification, RosterImport
from .roster import CHUNK, RosterLine, RosterPreview, classify, parse_roster

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


def _check_room(cohort: Cohort, adding: int) -> None:
    if cohort.capacity is None or adding <= 0:
        return
    free = cohort.capacity - queries.cohort_size(cohort)
    if adding > free:
        raise Conflict(
            _(
                "This cohort has room for %(free)d more learners (capacity %(capacity)d).",
                free=max(free, 0),
                capacity=cohort.capacity,
            )
        )


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
    _check_room(target, 1)
    before = enrolment.cohort_id
    enrolment.cohort_id = target.id
    record(
        actor, "enrolment.moved", "enrolment", enrolment.id, from_cohort=before, to_cohort=target.id
    )


# -- roster import ------------------------------------------------------------------------------


def upload_roster(actor: User, cohort: Cohort, filename: str, data: bytes) -> RosterImport:
    """Parse the file and keep its rows until the trainer confirms; nothing else is written."""
    parsed = parse_roster(data, list(current_app.config["LMS_LANGUAGES"]))
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
        rows=parsed.rows,
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
    _check_room(cohort, preview.adding)
    new = [line for line in preview.lines if line.fate == "new"]
    joining = [line for line in preview.lines if line.fate in ("enrol", "move")]
    summary = {
        "new": len(new),
        "enrolled": sum(1 for line in joining if line.fate == "enrol"),
        "moved": sum(1 for line in joining if line.fate == "move"),
        "already": preview.count("already"),
    }
    try:
        created = _create_learners(new)
        # An enrolment the account already has keeps its id and progress: only its cohort changes.
        moving = [preview.users[line.email.lower()].id for line in joining if line.enrolled]
        for start in range(0, len(moving), CHUNK):
            db.session.execute(
                update(Enrolment)
                .where(
                    Enrolment.course_id == course.id,
                    Enrolment.user_id.in_(moving[start : start + CHUNK]),
                )
                .values(cohort_id=cohort.id)
                .execution_options(synchronize_session=False)
            )
        arriving = created + [
            preview.users[line.email.lower()] for line in joining if not line.enrolled
        ]
        _create_enrolments(arriving, cohort)
    except IntegrityError as error:
        raise Conflict(
            _(
                "Some of these accounts or enrolments were created meanwhile: check the rows "
                "below, then confirm again."
            )
        ) from error
    send_mails(_invitations(actor, created, cohort))
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


def _create_enrolments(users: list[User], cohort: Cohort) -> None:
    """Enrol these accounts (none has an enrolment in the course yet) and audit each enrolment,
    as ``enrol`` does."""
    if not users:
        return
    now = utcnow()
    rows = [
        {"user_id": user.id, "course_id": cohort.course_id, "cohort_id": cohort.id,
         "status": "active", "enrolled_at": now}
        for user in users
    ]  # fmt: skip
    enrolled = db.session.execute(
        insert(Enrolment).returning(Enrolment.id, Enrolment.user_id),
        rows,
    ).all()
    events = [
        {"actor_id": user_id, "action": "enrolment.created", "object_type": "enrolment",
         "object_id": str(enrolment_id), "data": {"course": cohort.course.slug, "cohort": cohort.id},
         "created_at": now}
        for enrolment_id, user_id in enrolled
    ]  # fmt: skip
    db.session.execute(insert(AuditEvent), events)


def _invitations(actor: User, users: list[User], cohort: Cohort) -> list[tuple[str, str, str]]:
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
            # Translated once per language (without its values), filled in for each learner.
            body = _(
                "Hello %(name)s,\n\n%(trainer)s has registered you for the masterclass %(title)s "
                "(cohort %(cohort)s).\n\nTo choose your password and log in, open this link:\n%(link)s\n\n"
                "The link works for %(days)d days. After that, open %(forgot)s and type this e-mail "
                "address to receive a new one."
            )  # fmt: skip
        values = {"trainer": actor.name, "title": title, "cohort": cohort.name, "days": days, "forgot": forgot}  # fmt: skip
        for user in speakers:
            token = make_reset_token(user, invitation=True)
            link = absolute_url("lms_users.reset_password", token=token)
            messages.append(
                (user.email, subject, body % {**values, "name": user.name, "link": link})
            )
    return messages


@contextmanager
def in_language_of(user: User) -> Iterator[str]:
    """Texts for one person are written in their language (the site's default if unset)."""
    language = user.locale or current_app.config["LMS_DEFAULT_LANGUAGE"]
    with force_locale(language):
        yield language


# -- sessions and attendance --------------------------------------------------------------------


def schedule_session(
    actor: User, cohort: Cohort, lesson: Lesson, starts_at: datetime, place: str, notes: str = ""
) -> CohortSession:
    if (
        lesson.course_id != cohort.course_id
        or lesson.kind != "session"
        or lesson.archived_at is not None
    ):
        raise InvalidInput(_("Choose an in-person session lesson of this cohort's course."))
    session = CohortSession(
        cohort_id=cohort.id,
        lesson=lesson,
        starts_at=starts_at,
        place=place.strip(),
        notes=notes.strip(),
    )
    db.session.add(session)
    db.session.flush()
    record(actor, "session.scheduled", "session", session.id, cohort=cohort.id, lesson=lesson.id)
    return session


def reschedule_session(
    actor: User, session: CohortSession, starts_at: datetime, place: str, notes: str = ""
) -> None:
    """A new date, time, place or notes (the youth centre is not free that day...). The lesson
    stays: attendance already taken belongs to it. Learners see the change on the lesson page."""
    before = {"starts_at": session.starts_at.isoformat(), "place": session.place}
    moved = (session.starts_at, session.place) != (starts_at, place.strip())
    session.starts_at, session.place, session.notes = starts_at, place.strip(), notes.strip()
    if moved:
        _tell_about_session(session, cancelled=False)
    record(
        actor,
        "session.rescheduled",
        "session",
        session.id,
        cohort=session.cohort_id,
        before=before,
        after={"starts_at": starts_at.isoformat(), "place": session.place},
    )


def _tell_about_session(session: CohortSession, cancelled: bool) -> None:
    """The learners hear of a meeting that moved or is cancelled (in the app and by e-mail)."""
    lesson = session.lesson
    course = lesson.module.course
    args = {
        "course_slug": course.slug,
        "module_slug": lesson.module.slug,
        "lesson_slug": lesson.slug,
    }
    path = url_for("lms_learning.lesson", **args)
    link = absolute_url("lms_learning.lesson", **args)

    def compose(learner: User) -> tuple[str, str, str]:
        language = learner.locale or course.default_language
        facts = {
            "lesson": lesson.title(language, course.default_language),
            "cohort": session.cohort.name,
            "when": format_datetime(session.starts_at, "EEEE d MMMM y, HH:mm"),
            "place": session.place,
            "name": learner.name,
        }
        if cancelled:
            text = _("Cancelled: the in-person session %(lesson)s of %(when)s.", **facts)
            mail = _(
                "Hello %(name)s,\n\nThe in-person session %(lesson)s of the cohort %(cohort)s, planned "
                "on %(when)s at %(place)s, is cancelled. Your trainer will tell you the new date.",
                **facts,
            )
        else:
            text = _(
                "New date or place: the in-person session %(lesson)s, %(when)s, %(place)s.", **facts
            )
            mail = _(
                "Hello %(name)s,\n\nThe in-person session %(lesson)s of the cohort %(cohort)s is now on "
                "%(when)s at %(place)s.",
                **facts,
            )
        return text, text, mail + "\n\n" + _("See it on the site: %(link)s", link=link)

    _notify_learners(session.cohort, path, compose)


def cancel_session(actor: User, session: CohortSession) -> None:
    """Delete a session that has no attendance yet; one with attendance is refused (deleting it
    would delete who was there, and the certificate's attendance rule counts it)."""
    # Lock the session's row first: attendance being saved at this moment (which needs the row)
    # waits for the cancellation, or the cancellation sees it below and is refused.
    db.session.execute(
        select(CohortSession.id).where(CohortSession.id == session.id).with_for_update()
    )
    recorded = db.session.scalar(
        select(func.count()).select_from(Attendance).where(Attendance.session_id == session.id)
    )
    if recorded:
        raise Conflict(
            _(
                "Attendance was already taken at this session: it cannot be cancelled, "
                "so that who was there is not lost."
            )
        )
    _tell_about_session(session, cancelled=True)
    record(
        actor,
        "session.cancelled",
        "session",
        session.id,
        cohort=session.cohort_id,
        lesson=session.lesson_id,
        starts_at=session.starts_at.isoformat(),
        place=session.place,
    )
    db.session.delete(session)
    db.session.flush()


def take_attendance(actor: User, session: CohortSession, marks: dict[int, bool]) -> int:
    """Record present/absent for several learners at once; any learner outside the session's
    cohort refuses the whole list (nothing is recorded)."""
    enrolments = (
        list(db.session.scalars(select(Enrolment).where(Enrolment.id.in_(list(marks)))))
        if marks
        else []
    )
    members = {e.id: e for e in enrolments if e.cohort_id == session.cohort_id}
    outsiders = sorted(set(marks) - set(members))
    if outsiders:
        raise InvalidInput(
            _(
                "These learners are not in this session's cohort: %(ids)s.",
                ids=", ".join(map(str, outsiders)),
            )
        )
    for enrolment_id, present in marks.items():
        record_attendance(actor, session, members[enrolment_id], present)
    record(
        actor,
        "session.attendance_taken",
        "session",
        session.id,
        present=sum(marks.values()),
        total=len(marks),
    )
    return len(marks)


# -- reviews, notifications, announcements ------------------------------------------------------


def notify(user: User, text: str, link: str) -> Notification:
    notification = Notification(user_id=user.id, text=text[:500], link=link[:500])
    db.session.add(notification)
    return notification


def review(trainer: User, submission: Submission, accept: bool, feedback: str) -> Submission:
    """Accept the work or ask for a revision; the learner is told in the app and by e-mail."""
    if submission.status != "submitted":
        raise Conflict(_("This work was already reviewed."))
    review_submission(trainer, submission, accept, feedback)
    learner, lesson = submission.enrolment.user, submission.lesson
    course = lesson.module.course
    where = {
        "course_slug": course.slug,
        "module_slug": lesson.module.slug,
        "lesson_slug": lesson.slug,
    }
    path = url_for("lms_learning.lesson", **where)
    with in_language_of(learner) as language:
        title = lesson.title(course.content_language(language), course.default_language)
        if accept:
            text = _("Your work on “%(lesson)s” was accepted.", lesson=title)
        else:
            text = _("Your trainer asks for a revision of your work on “%(lesson)s”.", lesson=title)
        body = _("Hello %(name)s,\n\n%(text)s", name=learner.name, text=text)
        if submission.feedback:
            body += (
                "\n\n"
                + _("Feedback from %(trainer)s:", trainer=trainer.name)
                + "\n\n"
                + submission.feedback
            )
        body += "\n\n" + _(
            "Open the lesson: %(link)s",
            link=absolute_url("lms_learning.lesson", **where),
        )
    notify(learner, text, path)
    send_mail(learner.email, text, body)
    return submission


def post_announcement(actor: User, cohort: Cohort, title: str, body: str) -> Announcement:
    """Keep the announcement, put it in every learner's notifications and mail it to them. The
    title is one line (it is the e-mail's subject): line breaks pasted into it become spaces."""
    title, body = " ".join(title.split()), body.strip()
    if not title or not body:
        raise InvalidInput(_("Write a title and a message."))
    announcement = Announcement(
        cohort_id=cohort.id,
        author_id=actor.id,
        title=title,
        body=body,
        body_html=render_markdown(body),
    )
    db.session.add(announcement)
    db.session.flush()
    path = url_for("lms_cohorts.announcement", announcement_id=announcement.id)
    link = absolute_url("lms_cohorts.announcement", announcement_id=announcement.id)

    def compose(learner: User) -> tuple[str, str, str]:
        text = _("New message from your trainer: %(title)s", title=title)
        mail = _(
            "Hello %(name)s,\n\n%(trainer)s wrote to the cohort %(cohort)s:",
            name=learner.name,
            trainer=actor.name,
            cohort=cohort.name,
        )
        mail += f"\n\n{title}\n\n{body}\n\n" + _("Read it on the site: %(link)s", link=link)
        return text, title, mail

    rows = _notify_learners(cohort, path, compose)
    record(
        actor,
        "cohort.announcement_posted",
        "announcement",
        announcement.id,
        cohort=cohort.id,
        recipients=rows,
    )
    return announcement


def _notify_learners(cohort: Cohort, path: str, compose) -> int:
    """Tell every learner of the cohort, in the app and by e-mail; ``compose(learner)`` gives the
    notification's text, the mail's subject and its body, written in the learner's language.
    Returns how many learners were told."""
    learners = list(
        db.session.scalars(
            select(User)
            .join(Enrolment, Enrolment.user_id == User.id)
            .where(Enrolment.cohort_id == cohort.id, Enrolment.status != "withdrawn")
        ).unique()
    )
    now = utcnow()
    rows = []
    for learner in learners:
        with in_language_of(learner):
            text, subject, mail = compose(learner)
        rows.append({"user_id": learner.id, "text": text[:500], "link": path, "created_at": now})
        send_mail(learner.email, subject, mail)
    if rows:
        db.session.execute(insert(Notification), rows)
    return len(rows)


def mark_all_read(user: User) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
