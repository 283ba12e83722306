"""What the outbox pages (mail, xAPI statements, LTI scores, push notifications) share on the
request side: the page and state asked for, and the "send now" and "send again" buttons, each a
POST (CSRF checked before the view) running the area's operation and saying how it went. The
area's views module keeps its own URL rules and access check (``role_required("admin")``); the
page's template uses the macros of ``lms/_outbox.html``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import flash, redirect, request, url_for
from flask_login import current_user

from lms.boundary import attempt


@dataclass(frozen=True)
class OutboxActions:
    """One area's outbox buttons: ``send_now(actor)`` wakes its sender, ``retry(actor, row_id)``
    queues again its failed rows (all of them when ``row_id`` is ``None``) and says how many;
    ``sending()`` and ``queued_again(count)`` are the translated messages that follow them."""

    #: the outbox page's endpoint, where both buttons come back to
    endpoint: str
    #: the form field that names one row to send again
    row_field: str
    send_now: Callable[[object], None]
    retry: Callable[[object, int | None], int]
    sending: Callable[[], str]
    queued_again: Callable[[int], str]


def requested() -> tuple[int, str | None]:
    """The page number and the state filter the outbox page was asked for."""
    return request.args.get("page", 1, type=int), request.args.get("status") or None


def back_to(actions: OutboxActions):
    return redirect(url_for(actions.endpoint, status=request.args.get("status") or None))


def send_now(actions: OutboxActions):
    with attempt(flash_error=True) as done:
        actions.send_now(current_user)
    if done:
        flash(actions.sending(), "success")
    return back_to(actions)


def retry(actions: OutboxActions):
    row_id = request.form.get(actions.row_field, type=int)
    with attempt(flash_error=True) as done:
        count = actions.retry(current_user, row_id)
    if done:
        flash(actions.queued_again(count), "success")
    return back_to(actions)
