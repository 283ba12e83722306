"""The push outbox page (administrators): the queue's counts and the last error of a push
service, the latest notifications, and the "send now" and "send again" buttons (POST, CSRF)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from lms.access import role_required
from lms.boundary import attempt

from . import operations, queries


def _to_outbox():
    return redirect(url_for("lms_push.outbox", status=request.args.get("status") or None))


@role_required("admin")
def outbox():
    status = request.args.get("status") or None
    pagination, names = queries.messages_page(request.args.get("page", 1, type=int), status)
    return render_template(
        "lms/push/outbox.html",
        pagination=pagination,
        names=names,
        status=status,
        counts=queries.status_counts(),
        last_error=queries.last_error(),
    )


@role_required("admin")
def send_now():
    with attempt(flash_error=True) as done:
        operations.send_now(current_user)
    if done:
        flash(_("The notifications are being sent. Reload this page in a moment."), "success")
    return _to_outbox()


@role_required("admin")
def retry():
    message_id = request.form.get("message", type=int)
    with attempt(flash_error=True) as done:
        count = operations.retry(current_user, message_id)
    if done:
        flash(ngettext("%(num)d notification will be sent again.",
                       "%(num)d notifications will be sent again.", count), "success")  # fmt: skip
    return _to_outbox()
