"""The review queue and reviewing one piece of work.

The queue lists work waiting in the cohorts the user trains (every cohort for an administrator).
Reviewing work of a learner outside those cohorts answers 403, like any cohort one does not train.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.access import STAFF, role_required
from lms.boundary import attempt, form_status
from lms.circles.queries import team_review_queue

from . import operations, queries
from .forms import ReviewForm


@role_required(*STAFF)
def reviews():
    return render_template(
        "lms/reviews/reviews.html",
        submissions=queries.review_queue(current_user),
        # a circle's work is one item, however many members the circle has
        team_submissions=team_review_queue(current_user),
    )


@role_required(*STAFF)
def review(submission_id: int):
    submission = queries.reviewable_submission(submission_id, current_user)
    form = ReviewForm()
    if form.validate_on_submit() and form.decided():
        with attempt(form.feedback) as done:
            operations.review(current_user, submission, bool(form.accept.data),
                              form.feedback.data or "")  # fmt: skip
        if done:
            flash(_("Review saved; the learner is notified."), "success")
            return redirect(url_for("lms_reviews.reviews"))
    return render_template(
        "lms/reviews/review.html", submission=submission, form=form
    ), form_status(form)
