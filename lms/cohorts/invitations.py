"""Verbs of cohort invitations: a roster invites the existing accounts it names (in the app and
by e-mail, in each person's language), and each joins only by accepting. Until then the trainer
sees "invited" and nothing of the account: neither that it existed before, nor its work.

(New accounts a roster creates are enrolled at once: they have nothing to show yet, and their
e-mail is the invitation to choose a password.)
"""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import insert, select, update

from curriculum.db import db, utcnow
from lms.audit.operations import record
from lms.errors import Conflict, InvalidInput
from lms.i18n import in_language_of
from lms.learning.models import Enrolment
from lms.learning.operations import enrol
from lms.mail.operations import render_mail, send_mails
from lms.messages.models import Notification
from lms.urls import absolute_url
from lms.users.models import User

from .models import Cohort, CohortInvitation
from .queries import check_room


def invite(actor: User, users: list[User], cohort: Cohort, told: list[User]) -> int:
    """Invite these accounts (an earlier answer is forgotten: the trainer asks again); those
    already invited and not yet answering are not asked twice. Those of ``told`` hear of it in the
    app and by e-mail (a new account's own e-mail is its invitation to choose a password).
    Returns how many were invited."""
    if not users:
        return 0
    now = utcnow()
    ids = [user.id for user in users]
    known = dict(db.session.execute(
        select(CohortInvitation.user_id, CohortInvitation.accepted_at.is_(None)
               & CohortInvitation.declined_at.is_(None))
        .where(CohortInvitation.cohort_id == cohort.id, CohortInvitation.user_id.in_(ids))
    ).all())  # fmt: skip
    fresh = [user for user in users if user.id not in known]
    asked_again = [user.id for user in users if known.get(user.id) is False]
    if fresh:
        db.session.execute(insert(CohortInvitation), [
            {"cohort_id": cohort.id, "user_id": user.id, "invited_by_id": actor.id,
             "created_at": now} for user in fresh
        ])  # fmt: skip
    if asked_again:
        db.session.execute(
            update(CohortInvitation)
            .where(CohortInvitation.cohort_id == cohort.id, CohortInvitation.user_id.in_(asked_again))
            .values(accepted_at=None, declined_at=None, created_at=now, invited_by_id=actor.id)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
    invited = {user.id for user in users if user.id not in known or user.id in asked_again}
    _tell(actor, [user for user in told if user.id in invited], cohort)
    return len(invited)


def _tell(actor: User, users: list[User], cohort: Cohort) -> None:
    if not users:
        return
    links = dict(db.session.execute(
        select(CohortInvitation.user_id, CohortInvitation.id).where(
            CohortInvitation.cohort_id == cohort.id,
            CohortInvitation.user_id.in_([user.id for user in users]))
    ).all())  # fmt: skip
    now, notifications, mails = utcnow(), [], []
    for user in users:
        with in_language_of(user) as language:
            text = _("%(trainer)s invites you to the cohort %(cohort)s.",
                     trainer=actor.name, cohort=cohort.name)  # fmt: skip
            link = absolute_url("lms_cohorts.invitation", invitation_id=links[user.id])
            body = render_mail("lms/emails/cohort_invitation.txt", name=user.name,
                               trainer=actor.name, cohort=cohort.name,
                               title=cohort.course.title(language), link=link)  # fmt: skip
        path = url_for("lms_cohorts.invitation", invitation_id=links[user.id])
        notifications.append(
            {"user_id": user.id, "text": text[:500], "link": path, "created_at": now}
        )
        mails.append((user.email, text, body))
    db.session.execute(insert(Notification), notifications)
    send_mails(mails)


def accept(user: User, invitation: CohortInvitation) -> Enrolment:
    """Join the cohort: an enrolment the person already has in its course moves into it (with all
    its progress); otherwise they are enrolled in it."""
    if not invitation.pending:
        raise Conflict(_("You already answered this invitation."))
    cohort = invitation.cohort
    if cohort.archived_at is not None:
        raise InvalidInput(_("This cohort is archived."))
    enrolment = db.session.scalar(
        select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.course_id == cohort.course_id)
    )  # fmt: skip
    if enrolment is None or enrolment.cohort_id != cohort.id:
        check_room(cohort, 1)
    if enrolment is None:
        enrolment = enrol(user, cohort.course, cohort)
    elif enrolment.cohort_id != cohort.id:
        record(user, "enrolment.moved", "enrolment", enrolment.id,
               from_cohort=enrolment.cohort_id, to_cohort=cohort.id)  # fmt: skip
        enrolment.cohort_id = cohort.id
    invitation.accepted_at = utcnow()
    record(user, "cohort.invitation_accepted", "cohort", cohort.id, invitation=invitation.id)
    return enrolment


def decline(user: User, invitation: CohortInvitation) -> None:
    if not invitation.pending:
        raise Conflict(_("You already answered this invitation."))
    invitation.declined_at = utcnow()
    record(
        user, "cohort.invitation_declined", "cohort", invitation.cohort_id, invitation=invitation.id
    )


def accept_on_activation(sender, user: User, **_extra) -> None:
    """A new account's first password accepts the invitations it was created with (a full
    cohort leaves its invitation waiting: the learner can accept it later)."""
    pending = db.session.scalars(
        select(CohortInvitation).where(
            CohortInvitation.user_id == user.id,
            CohortInvitation.accepted_at.is_(None),
            CohortInvitation.declined_at.is_(None),
        )
    )
    for invitation in list(pending):
        try:
            with db.session.begin_nested():
                accept(user, invitation)
        except (Conflict, InvalidInput):
            continue
