"""URL rules of the trainer's pages (cohorts, rosters, dashboard, sessions, reviews,
announcements) and of the notifications."""

from flask import Blueprint

from . import message_views, roster_views, session_views, views

bp = Blueprint("lms_cohorts", __name__)

cohort = "/cohorts/<int:cohort_id>"

bp.add_url_rule("/cohorts", view_func=views.cohort_list)
bp.add_url_rule("/cohorts/new", view_func=views.create, methods=["GET", "POST"])
bp.add_url_rule(cohort, view_func=views.dashboard)
bp.add_url_rule(cohort + "/edit", view_func=views.edit, methods=["GET", "POST"])
bp.add_url_rule(cohort + "/poster", view_func=views.poster)
bp.add_url_rule(cohort + "/code", view_func=views.renew_code, methods=["POST"])
bp.add_url_rule(cohort + "/progress.csv", view_func=views.export)
bp.add_url_rule(cohort + "/learners/<int:enrolment_id>", view_func=views.learner)
bp.add_url_rule(
    cohort + "/learners/<int:enrolment_id>/move", view_func=views.move, methods=["POST"]
)
bp.add_url_rule(
    cohort + "/roster",
    view_func=roster_views.upload,
    methods=["GET", "POST"],
    endpoint="roster_upload",
)
bp.add_url_rule(
    cohort + "/roster/<int:import_id>", view_func=roster_views.preview, endpoint="roster_preview"
)
bp.add_url_rule(
    cohort + "/roster/<int:import_id>/confirm",
    view_func=roster_views.confirm,
    methods=["POST"],
    endpoint="roster_confirm",
)
bp.add_url_rule(cohort + "/sessions", view_func=session_views.sessions, methods=["GET", "POST"])
bp.add_url_rule(
    cohort + "/sessions/<int:session_id>/edit",
    view_func=session_views.edit_session,
    methods=["GET", "POST"],
)
bp.add_url_rule(
    cohort + "/sessions/<int:session_id>/cancel",
    view_func=session_views.cancel_session,
    methods=["POST"],
)
bp.add_url_rule(
    cohort + "/sessions/<int:session_id>/attendance",
    view_func=session_views.attendance,
    methods=["GET", "POST"],
)
bp.add_url_rule(
    cohort + "/announcements", view_func=message_views.announcements, methods=["GET", "POST"]
)
bp.add_url_rule("/announcements/<int:announcement_id>", view_func=message_views.announcement)
bp.add_url_rule("/reviews", view_func=message_views.reviews)
bp.add_url_rule(
    "/reviews/<int:submission_id>", view_func=message_views.review, methods=["GET", "POST"]
)
bp.add_url_rule("/notifications", view_func=message_views.notifications)
bp.add_url_rule("/notifications/read", view_func=message_views.mark_read, methods=["POST"])
