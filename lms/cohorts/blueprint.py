"""URL rules of the trainer's cohort pages: list, create, edit, dashboard, poster, export, a
learner's detail, the roster import."""

from flask import Blueprint

from . import invitation_views, roster_views, views

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
bp.add_url_rule("/invitations/<int:invitation_id>", view_func=invitation_views.invitation)
bp.add_url_rule(
    "/invitations/<int:invitation_id>/accept",
    view_func=invitation_views.accept,
    methods=["POST"],
    endpoint="invitation_accept",
)
bp.add_url_rule(
    "/invitations/<int:invitation_id>/decline",
    view_func=invitation_views.decline,
    methods=["POST"],
    endpoint="invitation_decline",
)
