"""Admin › LTI scores (administrators): the AGS outbox's counts and a platform's last error, the
latest scores, and the "send now" and "send again" buttons (POST, CSRF)."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _
from flask_babel import ngettext

from lms.access import role_required
from lms.jobs import outbox_views
from lms.jobs.outbox_views import OutboxActions

from . import operations, queries

ACTIONS = OutboxActions(
    endpoint="lms_lti_scores.outbox",
    row_field="score",
    send_now=operations.send_now,
    retry=operations.retry,
    sending=lambda: _("The scores are being sent. Reload this page in a moment."),
    queued_again=lambda count: ngettext(
        "%(num)d score will be sent again.", "%(num)d scores will be sent again.", count
    ),
)


@role_required("admin")
def outbox():
    page, status = outbox_views.requested()
    return render_template(
        "lms/lti/scores.html",
        scores=queries.scores_page(page, status),
        status=status,
        counts=queries.counts(),
        last_error=queries.last_error(),
        state_of=queries.state_of,
        retriable=queries.retriable,
    )


@role_required("admin")
def send_now():
    return outbox_views.send_now(ACTIONS)


@role_required("admin")
def retry():
    return outbox_views.retry(ACTIONS)
