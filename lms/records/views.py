"""The xAPI outbox page (administrators): the queue's counts and the sender's last error, the
latest statements, and the "send now" and "send again" buttons (POST, CSRF)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from lms.access import role_required
from lms.boundary import attempt

from . import operations, queries
from .outbox import enabled


def _to_outbox():
    return redirect(url_for("lms_records.outbox"))


@role_required("admin")
def outbox():
    status = request.args.get("status") or None
    pagination, names = queries.statements_page(request.args.get("page", 1, type=int), status)
    return render_template(
        "lms/records/outbox.html",
        pagination=pagination,
        names=names,
        status=status,
        counts=queries.status_counts(),
        sender=queries.sender_state(),
        configured=enabled(),
    )


@role_required("admin")
def send_now():
    with attempt(flash_error=True) as done:
        operations.send_now(current_user)
    if done:
        flash(_("The statements are being sent. Reload this page in a moment."), "success")
    return _to_outbox()


@role_required("admin")
def retry():
    statement_id = request.form.get("statement", type=int)
    with attempt(flash_error=True) as done:
        count = operations.retry(current_user, statement_id)
    if done:
        flash(ngettext("%(num)d statement will be sent again.",
                       "%(num)d statements will be sent again.", count), "success")  # fmt: skip
    return _to_outbox()
