"""CSRF: every state-changing request to an LMS view carries a valid token.

The token lives as long as the session (``WTF_CSRF_TIME_LIMIT = None`` unless the host app set
a limit of its own): a lesson page downloaded for offline use keeps forms that still work hours
later, so "Mark as done" or a quiz sent from it is not refused as "expired" while the learner
is still logged in. It stays bound to the session and is replaced at every login and logout, so
a token seen before either is worthless after it.

A refusal says so in a header (``X-LMS-Refused: csrf``, set in ``errors.py``): the service worker then keeps what the
form held in the offline queue, which is sent with the session and needs no page token, instead
of losing what the learner typed on an old page (``static/sw.js``).
"""

from __future__ import annotations

from flask import Flask, current_app, g, request, session
from flask_login import user_logged_in, user_logged_out
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError


def protect() -> None:
    """``before_request``: a POST (PUT, DELETE...) to an LMS view without a valid token is
    refused, unless the view is marked ``csrf_exempt`` (JSON endpoints that check their origin,
    LTI launches posted by a platform)."""
    state = current_app.extensions["lms"]
    if (
        request.method in ("GET", "HEAD", "OPTIONS")
        or request.blueprint not in state.blueprint_names
    ):
        return
    if not current_app.config.get("WTF_CSRF_ENABLED", True):  # tests that are not about CSRF
        return
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "csrf_exempt", False):
        return
    token = request.form.get("csrf_token") or request.headers.get("X-CSRFToken")
    try:
        validate_csrf(token)
    except ValidationError as error:
        raise CSRFError(error.args[0]) from error


def renew_token(sender, **extra) -> None:
    """At login and logout: the session's token is dropped, the next page gets a new one."""
    name = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(name, None)
    g.pop(name, None)


def install(app: Flask) -> None:
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.before_request(protect)
    user_logged_in.connect(renew_token, sender=app, weak=False)
    user_logged_out.connect(renew_token, sender=app, weak=False)
