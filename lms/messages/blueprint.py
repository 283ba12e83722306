"""URL rules of a cohort's announcements and of the user's notifications."""

from flask import Blueprint

from . import views

bp = Blueprint("lms_messages", __name__)

bp.add_url_rule(
    "/cohorts/<int:cohort_id>/announcements", view_func=views.announcements, methods=["GET", "POST"]
)
bp.add_url_rule("/announcements/<int:announcement_id>", view_func=views.announcement)
bp.add_url_rule("/notifications", view_func=views.notifications)
bp.add_url_rule("/notifications/read", view_func=views.mark_read, methods=["POST"])
