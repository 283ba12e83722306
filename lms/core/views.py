"""Site-wide pages: home, health check, language switcher."""

from __future__ import annotations

from flask import current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from curriculum.db import db
from lms.access import next_url
from lms.i18n import SESSION_KEY
from lms.users.operations import set_locale


def index():
    return render_template("lms/core/index.html")


def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means "unavailable"
        current_app.logger.exception("Health check failed")
        return jsonify({"status": "unavailable"}), 503
    return jsonify({"status": "ok"})


def set_language():
    """The switcher: kept in the session, and in the profile of a logged-in user (whose profile
    language would otherwise win at the next page)."""
    language = request.form.get("language", "")
    if language in current_app.config["LMS_LANGUAGES"]:
        session[SESSION_KEY] = language
        if current_user.is_authenticated and current_user.locale != language:
            set_locale(current_user, language)
    return redirect(next_url(url_for("lms_core.index")))
