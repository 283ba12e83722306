"""User administration: search the accounts, set roles, deactivate or reactivate an account,
read the mail outbox. Administrators only."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.access import role_required
from lms.boundary import attempt, form_status
from lms.mail.queries import outbox_page, status_counts

from . import operations, queries
from .forms import ActionForm, UserRolesForm, require_action_form
from .models import User


def _to_user(user: User):
    return redirect(url_for("lms_users.admin_user", user_id=user.id))


@role_required("admin")
def admin_users():
    page = request.args.get("page", 1, type=int)
    q = request.args.get("q", "")
    role = request.args.get("role", "")
    pagination = queries.search_users(q, role, page, current_app.config["LMS_USERS_PER_PAGE"])
    return render_template("lms/users/admin_list.html", pagination=pagination, q=q, role=role)


@role_required("admin")
def admin_user(user_id: int):
    user = queries.user_by_id(user_id)
    form = UserRolesForm(roles=sorted(user.roles))
    if form.validate_on_submit():
        with attempt(flash_error=True) as done:
            operations.set_roles(current_user, user, form.roles.data)
        if done:
            flash(_("Roles saved."), "success")
            return _to_user(user)
    return render_template(
        "lms/users/admin_user.html", user=user, form=form, action_form=ActionForm()
    ), form_status(form)


@role_required("admin")
def admin_set_active(user_id: int, active: bool):
    user = queries.user_by_id(user_id)
    require_action_form()
    with attempt(flash_error=True) as done:
        operations.set_active(current_user, user, active)
    if done:
        flash(_("Account reactivated.") if active else _("Account deactivated."), "success")
    return _to_user(user)


@role_required("admin")
def admin_outbox():
    failed_only = request.args.get("status") == "failed"
    pagination = outbox_page(request.args.get("page", 1, type=int), failed_only)
    counts = status_counts()
    return render_template(
        "lms/users/outbox.html",
        pagination=pagination,
        counts=counts,
        failed=counts["failed"],
        failed_only=failed_only,
    )
