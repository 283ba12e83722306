"""Announcements and notifications.

- A cohort's announcements page is the trainer's; an announcement's own page is readable by the
  cohort's learners and trainers, and does not exist (404) for anyone else.
- Notifications are the logged-in user's own.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.access import STAFF, role_required
from lms.boundary import attempt, form_status
from lms.cohorts.queries import managed_cohort
from lms.users.forms import ActionForm, require_action_form

from . import operations, queries
from .forms import AnnouncementForm


@role_required(*STAFF)
def announcements(cohort_id: int):
    cohort = managed_cohort(cohort_id, current_user)
    form = AnnouncementForm()
    if form.validate_on_submit():
        with attempt(form.body) as done:
            operations.post_announcement(current_user, cohort, form.title.data, form.body.data)
        if done:
            flash(_("The announcement is sent to the cohort's learners."), "success")
            return redirect(url_for("lms_messages.announcements", cohort_id=cohort.id))
    return render_template(
        "lms/messages/announcements.html", cohort=cohort, form=form,
        items=queries.announcements_of(cohort),
    ), form_status(form)  # fmt: skip


@login_required
def announcement(announcement_id: int):
    item = queries.readable_announcement(announcement_id, current_user)
    return render_template("lms/messages/announcement.html", item=item, cohort=item.cohort)


@login_required
def notifications():
    return render_template(
        "lms/messages/notifications.html",
        items=queries.notifications_of(current_user),
        form=ActionForm(),
    )


@login_required
def mark_read():
    require_action_form()
    operations.mark_all_read(current_user)
    return redirect(url_for("lms_messages.notifications"))
