"""URL rules of the SCORM runtime."""

from flask import Blueprint

from . import views

bp = Blueprint("lms_scorm", __name__)

bp.add_url_rule("/scorm/content/<grant>/<path:path>", view_func=views.content)
bp.add_url_rule(
    "/scorm/lessons/<int:lesson_id>/attempts/<int:number>/commit",
    view_func=views.commit,
    methods=["POST"],
)
bp.add_url_rule("/scorm/lessons/<int:lesson_id>/restart", view_func=views.restart, methods=["POST"])
bp.add_url_rule("/admin/scorm", view_func=views.upload, methods=["GET", "POST"])
