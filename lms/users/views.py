"""Account pages: register, log in/out, profile, password change and reset; user administration."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from curriculum.db import db
from lms.access import next_url, role_required
from lms.errors import LMSError
from lms.i18n import select_locale
from lms.mail.models import OutboxMessage

from . import operations, queries
from .forms import (
    ActionForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    UserRolesForm,
)
from .models import User, normalize_email


def _home() -> str:
    return url_for("lms_core.index")


def register():
    if current_user.is_authenticated:
        return redirect(_home())
    form = RegisterForm()
    if request.method == "GET":
        form.locale.data = select_locale()
    if form.validate_on_submit():
        try:
            user = operations.register(
                form.email.data, form.name.data, form.password.data, form.locale.data
            )
        except LMSError as error:
            db.session.rollback()
            form.email.errors.append(error.message)
        else:
            db.session.commit()
            if user is not None:  # None: the address has an account, its owner is e-mailed
                login_user(user)
            flash(operations.registration_answer(form.name.data), "success")
            return redirect(next_url(_home()))
    return render_template("lms/users/register.html", form=form), 400 if form.errors else 200


def login():
    if current_user.is_authenticated:
        return redirect(next_url(_home()))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = operations.authenticate(form.email.data, form.password.data, request.remote_addr)
        except operations.BadCredentials as error:
            db.session.rollback()
            form.password.errors.append(error.message)
            status = 401
        else:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            return redirect(next_url(_home()))
    elif request.method == "POST":
        status = 400
    return render_template("lms/users/login.html", form=form), status


def logout():
    operations.log_out(current_user)
    db.session.commit()
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(_home())


@login_required
def logout_everywhere():
    operations.log_out_everywhere(current_user)
    db.session.commit()
    logout_user()
    flash(_("You are logged out on every device."), "info")
    return redirect(_home())


@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if request.method == "GET":
        form.locale.data = current_user.locale or current_app.config["LMS_DEFAULT_LANGUAGE"]
    if form.validate_on_submit():
        operations.update_profile(current_user, form.name.data, form.locale.data)
        db.session.commit()
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("lms_users.profile"))
    return render_template("lms/users/profile.html", form=form), 400 if form.errors else 200


@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            operations.change_password(current_user, form.current.data, form.password.data)
        except LMSError as error:
            db.session.rollback()
            form.current.errors.append(error.message)
        else:
            db.session.commit()
            # The session id carries the password's fingerprint: renew this device's session
            # (every other device and remember-me cookie is now logged out).
            login_user(current_user._get_current_object(), remember=False)
            flash(_("Your password is changed."), "success")
            return redirect(url_for("lms_users.profile"))
    return render_template("lms/users/change_password.html", form=form), 400 if form.errors else 200


def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        throttle = current_app.extensions["lms"].throttle
        limit = current_app.config["LMS_RESET_LIMIT"]
        keys = (
            "reset-address:" + (request.remote_addr or "unknown"),
            "reset-account:" + normalize_email(form.email.data),
        )
        if not all([throttle.allow(limit, key) for key in keys]):  # both counted, every time
            abort(429)
        operations.request_password_reset(form.email.data)
        db.session.commit()
        flash(
            _(
                "If an account exists for this address, we have sent it a link to choose a new password."
            ),
            "info",
        )
        return redirect(url_for("lms_users.login"))
    return render_template("lms/users/forgot_password.html", form=form), 400 if form.errors else 200


def reset_password(token: str):
    try:
        operations.user_for_reset_token(token)
    except operations.InvalidToken as error:
        return render_template("lms/users/reset_invalid.html", message=error.message), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        operations.reset_password(token, form.password.data, request.remote_addr)
        db.session.commit()
        flash(_("Your new password is saved. You can log in."), "success")
        return redirect(url_for("lms_users.login"))
    return render_template("lms/users/reset_password.html", form=form), 400 if form.errors else 200


# -- administration -----------------------------------------------------------------------------


@role_required("admin")
def admin_users():
    page = request.args.get("page", 1, type=int)
    q = request.args.get("q", "")
    role = request.args.get("role", "")
    pagination = queries.search_users(q, role, page, current_app.config["LMS_USERS_PER_PAGE"])
    return render_template("lms/users/admin_list.html", pagination=pagination, q=q, role=role)


@role_required("admin")
def admin_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserRolesForm(roles=sorted(user.roles))
    if form.validate_on_submit():
        try:
            operations.set_roles(current_user, user, form.roles.data)
        except LMSError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Roles saved."), "success")
            return redirect(url_for("lms_users.admin_user", user_id=user.id))
    return render_template(
        "lms/users/admin_user.html", user=user, form=form, action_form=ActionForm()
    ), 400 if form.errors else 200


@role_required("admin")
def admin_set_active(user_id: int, active: bool):
    user = db.get_or_404(User, user_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        operations.set_active(current_user, user, active)
    except LMSError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Account reactivated.") if active else _("Account deactivated."), "success")
    return redirect(url_for("lms_users.admin_user", user_id=user.id))


@role_required("admin")
def admin_outbox():
    page = request.args.get("page", 1, type=int)
    failed_only = request.args.get("status") == "failed"
    statement = db.select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if failed_only:
        statement = statement.where(OutboxMessage.status == "failed")
    pagination = db.paginate(statement, page=page, per_page=20, error_out=False)
    failed = db.session.scalar(
        db.select(db.func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.status == "failed")
    )
    return render_template(
        "lms/users/outbox.html", pagination=pagination, failed=failed, failed_only=failed_only
    )
