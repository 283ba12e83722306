"""Reviews, announcements and notifications.

- The review queue lists work waiting in the cohorts the user trains (every cohort for an
  administrator). Reviewing work of a learner outside those cohorts answers 403, like any
  cohort one does not train.
- A cohort's announcements page is the trainer's; an announcement's own page is readable by the
  cohort's learners and trainers, and does not exist (404) for anyone else.
- Notifications are the logged-in user's own.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from curriculum.db import db
from lms.access import role_required
from lms.errors import LMSError, NotAllowed, NotFound
from lms.users.forms import ActionForm

from . import operations, queries
from .forms import AnnouncementForm, ReviewForm
from .views import STAFF, managed_cohort

# -- reviews ------------------------------------------------------------------------------------


@role_required(*STAFF)
def reviews():
    return render_template(
        "lms/cohorts/reviews.html", submissions=queries.review_queue(current_user)
    )


def _reviewable(submission_id: int):
    submission = queries.submission_by_id(submission_id)
    cohort = submission.enrolment.cohort
    if not current_user.is_admin and (cohort is None or not cohort.is_trainer(current_user)):
        raise NotAllowed()
    return submission


@role_required(*STAFF)
def review(submission_id: int):
    submission = _reviewable(submission_id)
    form = ReviewForm()
    if form.validate_on_submit() and not (form.accept.data or form.revise.data):
        form.feedback.errors.append(_("Choose: accept the work, or ask for a revision."))
    elif form.validate_on_submit():
        try:
            operations.review(
                current_user, submission, bool(form.accept.data), form.feedback.data or ""
            )
        except LMSError as error:
            db.session.rollback()
            form.feedback.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Review saved; the learner is notified."), "success")
            return redirect(url_for("lms_cohorts.reviews"))
    status = 400 if form.errors else 200
    return render_template("lms/cohorts/review.html", submission=submission, form=form), status


# -- announcements ------------------------------------------------------------------------------


@role_required(*STAFF)
def announcements(cohort_id: int):
    cohort = managed_cohort(cohort_id)
    form = AnnouncementForm()
    if form.validate_on_submit():
        try:
            operations.post_announcement(current_user, cohort, form.title.data, form.body.data)
        except LMSError as error:
            db.session.rollback()
            form.body.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("The announcement is sent to the cohort's learners."), "success")
            return redirect(url_for("lms_cohorts.announcements", cohort_id=cohort.id))
    return render_template(
        "lms/cohorts/announcements.html",
        cohort=cohort,
        form=form,
        items=queries.announcements_of(cohort),
    ), 400 if form.errors else 200


@login_required
def announcement(announcement_id: int):
    item = queries.announcement_by_id(announcement_id)
    cohort = item.cohort
    if not (cohort.can_manage(current_user) or queries.is_member(current_user, cohort.id)):
        raise NotFound()
    return render_template("lms/cohorts/announcement.html", item=item, cohort=cohort)


# -- notifications ------------------------------------------------------------------------------


@login_required
def notifications():
    return render_template(
        "lms/cohorts/notifications.html",
        items=queries.notifications_of(current_user),
        form=ActionForm(),
    )


@login_required
def mark_read():
    if not ActionForm().validate_on_submit():
        abort(400)
    operations.mark_all_read(current_user)
    db.session.commit()
    return redirect(url_for("lms_cohorts.notifications"))
