"""Subscribing and unsubscribing a browser (JSON, from ``static/push.js`` on the account page,
with the CSRF token in ``X-CSRFToken``)."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.errors import InvalidInput

from . import operations


def _json() -> dict:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise InvalidInput(_("The subscription must be sent as JSON."))
    return payload


@login_required
def subscribe():
    operations.subscribe(current_user, _json())
    return jsonify({"subscribed": True, "message": _("Notifications are on in this browser.")})


@login_required
def unsubscribe():
    operations.unsubscribe(current_user, _json().get("endpoint"))
    return jsonify({"subscribed": False, "message": _("Notifications are off in this browser.")})
