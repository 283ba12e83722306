"""URL rules of a cohort's in-person sessions and their attendance."""

from flask import Blueprint

from . import views

bp = Blueprint("lms_sessions", __name__)

sessions = "/cohorts/<int:cohort_id>/sessions"

bp.add_url_rule(sessions, view_func=views.sessions, methods=["GET", "POST"])
bp.add_url_rule(
    sessions + "/<int:session_id>/edit", view_func=views.edit_session, methods=["GET", "POST"]
)
bp.add_url_rule(
    sessions + "/<int:session_id>/cancel", view_func=views.cancel_session, methods=["POST"]
)
bp.add_url_rule(
    sessions + "/<int:session_id>/attendance", view_func=views.attendance, methods=["GET", "POST"]
)
