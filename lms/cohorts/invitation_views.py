"""A learner's answer to a cohort invitation: the invitation's page, accept, decline. Only the
invited person sees it (404 for anyone else)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.boundary import attempt
from lms.users.forms import ActionForm, require_action_form

from . import invitations, queries


def _to_invitation(invitation_id: int):
    return redirect(url_for("lms_cohorts.invitation", invitation_id=invitation_id))


@login_required
def invitation(invitation_id: int):
    item = queries.invitation_for(invitation_id, current_user)
    return render_template("lms/cohorts/invitation.html", invitation=item, form=ActionForm())


@login_required
def accept(invitation_id: int):
    item = queries.invitation_for(invitation_id, current_user)
    require_action_form()
    with attempt(flash_error=True) as done:
        enrolment = invitations.accept(current_user, item)
    if not done:
        return _to_invitation(invitation_id)
    flash(_("You joined the cohort %(name)s.", name=item.cohort.name), "success")
    return redirect(url_for("lms_learning.course", course_slug=enrolment.course.slug))


@login_required
def decline(invitation_id: int):
    item = queries.invitation_for(invitation_id, current_user)
    require_action_form()
    with attempt(flash_error=True) as done:
        invitations.decline(current_user, item)
    if done:
        flash(_("You declined the invitation; your trainer sees that you did not join."), "info")
    return _to_invitation(invitation_id)
