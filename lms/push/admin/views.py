"""The push outbox page (administrators): the queue's counts and the last error of a push
service, the latest notifications, and the "send now" and "send again" buttons (POST, CSRF; the
pieces every outbox page shares are ``lms.jobs.outbox_views`` and ``lms/_outbox.html``)."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _
from flask_babel import ngettext

from lms.access import role_required
from lms.jobs import outbox_views
from lms.jobs.outbox_views import OutboxActions

from . import operations, queries

ACTIONS = OutboxActions(
    endpoint="lms_push.outbox",
    row_field="message",
    send_now=operations.send_now,
    retry=operations.retry,
    sending=lambda: _("The notifications are being sent. Reload this page in a moment."),
    queued_again=lambda count: ngettext(
        "%(num)d notification will be sent again.",
        "%(num)d notifications will be sent again.",
        count,
    ),
)


@role_required("admin")
def outbox():
    page, status = outbox_views.requested()
    pagination, names = queries.messages_page(page, status)
    return render_template(
        "lms/push/outbox.html",
        pagination=pagination,
        names=names,
        status=status,
        counts=queries.status_counts(),
        last_error=queries.last_error(),
        retriable=queries.retriable,
    )


@role_required("admin")
def send_now():
    return outbox_views.send_now(ACTIONS)


@role_required("admin")
def retry():
    return outbox_views.retry(ACTIONS)
