"""Admin › LTI platforms: the list, registering a platform by hand, editing it, disabling or
enabling it, and the one-time LTI Dynamic Registration links. Administrators only."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from curriculum.db import utcnow
from lms.access import role_required
from lms.boundary import attempt, form_status
from lms.users.forms import ActionForm, require_action_form

from . import operations, queries
from .forms import PlatformForm, RegistrationLinkForm


def _to_list():
    return redirect(url_for("lms_lti_platforms.platform_list"))


def tool_urls() -> dict[str, str]:
    """What a platform's administrator enters when registering the tool by hand."""
    return {
        _("Login initiation URL"): url_for("lms_lti.login", _external=True),
        _("Redirection (launch) URL"): url_for("lms_lti.launch", _external=True),
        _("Public keyset URL"): url_for("lms_lti.jwks", _external=True),
    }


@role_required("admin")
def platform_list():
    return render_template(
        "lms/lti/platforms.html",
        platforms=queries.platforms_with_counts(),
        action_form=ActionForm(),
        tool_urls=tool_urls(),
    )


@role_required("admin")
def platform_new():
    form = PlatformForm()
    if form.validate_on_submit():
        with attempt(form.client_id) as done:
            platform = operations.create_platform(current_user, form.values())
        if done:
            flash(_("Platform %(name)s registered.", name=platform.name), "success")
            return _to_list()
    return render_template(
        "lms/lti/platform_form.html", form=form, platform=None, tool_urls=tool_urls()
    ), form_status(form)


@role_required("admin")
def platform_edit(platform_id: int):
    platform = queries.platform_by_id(platform_id)
    form = PlatformForm()
    if not form.is_submitted():
        form.fill(platform)
    if form.validate_on_submit():
        with attempt(form.client_id) as done:
            operations.update_platform(current_user, platform, form.values())
        if done:
            flash(_("Platform %(name)s saved.", name=platform.name), "success")
            return _to_list()
    return render_template(
        "lms/lti/platform_form.html",
        form=form,
        platform=platform,
        tool_urls=tool_urls(),
    ), form_status(form)


@role_required("admin")
def platform_set_enabled(platform_id: int, enabled: bool):
    platform = queries.platform_by_id(platform_id)
    require_action_form()
    operations.set_enabled(current_user, platform, enabled)
    if enabled:
        flash(_("Platform %(name)s enabled: its launches are accepted.", name=platform.name),
              "success")  # fmt: skip
    else:
        flash(_("Platform %(name)s disabled: its launches are refused; its users keep their "
                "accounts and certificates.", name=platform.name), "success")  # fmt: skip
    return _to_list()


@role_required("admin")
def registration_links():
    """The registration links (waiting, used, revoked, expired) and a new one: its address is
    shown once, on the page that answers the form."""
    form = RegistrationLinkForm()
    created_url = None
    if form.validate_on_submit():
        _link, token = operations.create_registration_link(current_user, form.label.data)
        created_url = url_for("lms_lti.register", token=token, _external=True)
        form = RegistrationLinkForm(formdata=None)
    return render_template(
        "lms/lti/registration_links.html",
        form=form,
        created_url=created_url,
        links=queries.recent_registration_links(),
        now=utcnow(),
        action_form=ActionForm(),
        link_days=operations.LINK_DAYS,
    ), form_status(form)


@role_required("admin")
def registration_link_revoke(link_id: int):
    link = queries.registration_link_by_id(link_id)
    require_action_form()
    with attempt(flash_error=True) as done:
        operations.revoke_registration_link(current_user, link)
    if done:
        flash(_("The registration link was revoked: it no longer works."), "success")
    return redirect(url_for("lms_lti_platforms.registration_links"))
