"""Account pages: register, log in and out, profile, password change and reset. (The user
administration is in ``admin_views``.)"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from lms.access import next_url
from lms.boundary import attempt, form_status
from lms.i18n import select_locale

from . import local_login, operations
from .forms import (
    AddEmailForm,
    ChangePasswordForm,
    ConfirmForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
)
from .models import normalize_email


def _home() -> str:
    return url_for("lms_core.index")


def register():
    if current_user.is_authenticated:
        return redirect(_home())
    form = RegisterForm(locale=select_locale() if request.method == "GET" else None)
    if form.validate_on_submit():
        with attempt(form.email) as done:
            user = operations.register(form.email.data, form.name.data, form.password.data,
                                       form.locale.data)  # fmt: skip
        if done:
            if user is not None:  # None: the address has an account, its owner is e-mailed
                login_user(user)
            flash(operations.registration_answer(form.name.data), "success")
            return redirect(next_url(_home()))
    return render_template("lms/users/register.html", form=form), form_status(form)


def login():
    if current_user.is_authenticated:
        return redirect(next_url(_home()))
    form = LoginForm()
    refused = False
    if form.validate_on_submit():
        # The attempt is counted (and refused over the limits) before the password is checked.
        with attempt(form.password, catch=operations.BadCredentials) as done:
            user = operations.authenticate(form.email.data, form.password.data, request.remote_addr)
        if done:
            login_user(user, remember=form.remember.data)
            return redirect(next_url(_home()))
        refused = True
    return render_template("lms/users/login.html", form=form), 401 if refused else form_status(form)


def logout():
    operations.log_out(current_user)
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(_home())


@login_required
def logout_everywhere():
    operations.log_out_everywhere(current_user)
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
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("lms_users.profile"))
    return render_template("lms/users/profile.html", form=form, email_form=AddEmailForm()), (
        form_status(form)
    )


@login_required
def add_email():
    """An account a platform made without an address asks for a link to confirm one."""
    form = AddEmailForm()
    if form.validate_on_submit():
        with attempt(form.email) as done:
            local_login.request_email(current_user, form.email.data)
        if done:
            flash(_("We have sent a link to %(email)s: open it to confirm the address.",
                    email=form.email.data), "info")  # fmt: skip
            return redirect(url_for("lms_users.profile"))
    return render_template("lms/users/profile.html", form=ProfileForm(obj=current_user),
                           email_form=form), form_status(form)  # fmt: skip


def confirm_email(token: str):
    """The link of the confirmation e-mail: a button (a link alone changes nothing), then the
    page to choose a password if the account has none."""
    with attempt(catch=operations.InvalidToken) as valid:
        user, email = local_login.email_of_token(token)
    if not valid:
        return render_template("lms/users/reset_invalid.html", message=valid.message), 400
    form, done = ConfirmForm(), None
    if form.validate_on_submit():
        with attempt(form.form_errors) as done:
            local_login.confirm_email(token)
        if done:
            flash(_("Your e-mail address is confirmed."), "success")
            if local_login.needs_first_password(user):
                return redirect(url_for("lms_users.reset_password",
                                        token=operations.make_reset_token(user)))  # fmt: skip
            return redirect(url_for("lms_users.login"))
    status = done.status if done is not None else form_status(form)
    return render_template(
        "lms/users/confirm_email.html", form=form, user=user, email=email
    ), status


@login_required
def change_password():
    if local_login.needs_first_password(current_user):
        return _choose_first_password()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        with attempt(form.current) as done:
            operations.change_password(current_user, form.current.data, form.password.data)
        if done:
            # The session id carries the password's fingerprint: renew this device's session
            # (every other device and remember-me cookie is now logged out).
            login_user(current_user._get_current_object(), remember=False)
            flash(_("Your password is changed."), "success")
            return redirect(url_for("lms_users.profile"))
    return render_template("lms/users/change_password.html", form=form), form_status(form)


def _choose_first_password():
    """An account made by a platform or a roster has no password: it chooses one while signed
    in, without a current one to type."""
    form = ResetPasswordForm()
    if form.validate_on_submit():
        with attempt(form.password) as done:
            local_login.choose_first_password(current_user, form.password.data)
        if done:
            login_user(current_user._get_current_object(), remember=False)
            flash(_("Your password is saved: you can also sign in here with your e-mail."),
                  "success")  # fmt: skip
            return redirect(url_for("lms_users.profile"))
    return render_template("lms/users/change_password.html", form=form, first=True), (
        form_status(form)
    )


def _reset_limits_allow(email: str) -> bool:
    """Resets are throttled per address and per account, both counted every time."""
    throttle = current_app.extensions["lms"].throttle
    limit = current_app.config["LMS_RESET_LIMIT"]
    keys = ("reset-address:" + (request.remote_addr or "unknown"),
            "reset-account:" + normalize_email(email))  # fmt: skip
    return all([throttle.allow(limit, key) for key in keys])


def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        if not _reset_limits_allow(form.email.data):
            abort(429)
        operations.request_password_reset(form.email.data)
        flash(_("If an account exists for this address, we have sent it a link to choose a new password."),
              "info")  # fmt: skip
        return redirect(url_for("lms_users.login"))
    return render_template("lms/users/forgot_password.html", form=form), form_status(form)


def reset_password(token: str):
    with attempt(catch=operations.InvalidToken) as valid:
        operations.user_for_reset_token(token)
    if not valid:
        return render_template("lms/users/reset_invalid.html", message=valid.message), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        operations.reset_password(token, form.password.data, request.remote_addr)
        flash(_("Your new password is saved. You can log in."), "success")
        return redirect(url_for("lms_users.login"))
    return render_template("lms/users/reset_password.html", form=form), form_status(form)
