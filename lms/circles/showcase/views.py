"""The circle's publishing page: each member says whether she agrees to the project being
public and whether her first name may appear; a facilitator publishes or unpublishes it.

Access: the page is the circle's (members, facilitators, administrators; others 403); only a
member records her own consent (facilitators 403); only facilitators publish (members 403).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.boundary import attempt
from lms.circles import queries as circles
from lms.circles.views import LABELS
from lms.errors import NotAllowed
from lms.users.forms import ActionForm, require_action_form

from . import operations
from .forms import ConsentForm


def _to_publishing(circle_id: int):
    return redirect(url_for("lms_showcase.publishing", circle_id=circle_id))


def _page(circle, form: ConsentForm | None = None, status: int = 200):
    member = circle.membership_of(current_user)
    if form is None:
        form = ConsentForm(
            publish=bool(member and member.consents_to_publish),
            show_first_name=bool(member and member.show_first_name),
        )
    return render_template(
        "lms/showcase/publishing.html", circle=circle, project=circle.project, member=member,
        form=form, action_form=ActionForm(),
        missing=operations.missing_for_publishing(circle.project), **LABELS,
    ), status  # fmt: skip


@login_required
def publishing(circle_id: int):
    return _page(circles.visible_circle(circle_id, current_user))


@login_required
def consent(circle_id: int):
    circle = circles.visible_circle(circle_id, current_user)
    if not circle.is_member(current_user):
        raise NotAllowed()
    form = ConsentForm()
    if not form.validate_on_submit():
        return _page(circle, form, 400)
    was_published = circle.project.is_published
    operations.record_consent(current_user, circle, form.publish.data, form.show_first_name.data)
    if was_published and not circle.project.is_published:
        flash(_("Your answer is saved. The project is no longer public: every member must agree."),
              "info")  # fmt: skip
    else:
        flash(_("Your answer is saved."), "success")
    return _to_publishing(circle.id)


@login_required
def publish(circle_id: int):
    circle = circles.facilitated_circle(circle_id, current_user)
    require_action_form()
    with attempt(flash_error=True) as done:
        operations.publish(current_user, circle.project)
    if not done:
        return _page(circle, status=done.status)
    flash(_("The project is published: anyone can see its page and its sheet."), "success")
    return _to_publishing(circle.id)


@login_required
def unpublish(circle_id: int):
    circle = circles.facilitated_circle(circle_id, current_user)
    require_action_form()
    with attempt(flash_error=True) as done:
        operations.unpublish(current_user, circle.project)
    if not done:
        return _page(circle, status=done.status)
    flash(_("The project is no longer public."), "info")
    return _to_publishing(circle.id)
