"""Verbs of telling people: a line in a user's in-app notifications, a trainer's announcement to
every learner of a cohort (in the app, by e-mail and as a push notification to the browsers that
turned them on, in each learner's language)."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import insert, select, update

from curriculum.db import db, utcnow
from curriculum.rendering import render_markdown
from lms.audit.operations import record
from lms.cohorts.models import Cohort
from lms.errors import InvalidInput
from lms.i18n import in_language_of
from lms.learning.models import Enrolment
from lms.mail.operations import render_mail, send_mail
from lms.push.outbox import queue_notifications
from lms.urls import absolute_url
from lms.users.models import User

from .models import Announcement, Notification


def notify(user: User, text: str, link: str) -> Notification:
    notification = Notification(user_id=user.id, text=text[:500], link=link[:500])
    db.session.add(notification)
    return notification


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
    path = url_for("lms_messages.announcement", announcement_id=announcement.id)
    link = absolute_url("lms_messages.announcement", announcement_id=announcement.id)

    def compose(learner: User) -> tuple[str, str, str, str]:
        text = _("New message from your trainer: %(title)s", title=title)
        mail = render_mail(
            "lms/emails/announcement.txt",
            name=learner.name,
            trainer=actor.name,
            cohort=cohort.name,
            title=title,
            body=body,
            link=link,
        )
        heading = _("Message from your trainer · %(cohort)s", cohort=cohort.name)
        return text, title, mail, heading

    rows = notify_learners(cohort, path, compose)
    record(
        actor,
        "cohort.announcement_posted",
        "announcement",
        announcement.id,
        cohort=cohort.id,
        recipients=rows,
    )
    return announcement


def notify_learners(cohort: Cohort, path: str, compose) -> int:
    """Tell every learner of the cohort, in the app, by e-mail and by push (the browsers that
    turned notifications on); ``compose(learner)`` gives the notification's text, the mail's
    subject and body, and the push notification's title (what it is about: a message from the
    trainer, a session of the cohort), written in the learner's language. Returns how many
    learners were told."""
    learners = list(
        db.session.scalars(
            select(User)
            .join(Enrolment, Enrolment.user_id == User.id)
            .where(Enrolment.cohort_id == cohort.id, Enrolment.status != "withdrawn")
        ).unique()
    )
    now = utcnow()
    rows, pushes = [], []
    for learner in learners:
        with in_language_of(learner) as language:
            text, subject, mail, heading = compose(learner)
        rows.append({"user_id": learner.id, "text": text[:500], "link": path, "created_at": now})
        pushes.append((learner.id, heading, text, language))
        send_mail(learner.email, subject, mail)
    if rows:
        db.session.execute(insert(Notification), rows)
        queue_notifications(pushes, path)
    return len(rows)


def mark_all_read(user: User) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
