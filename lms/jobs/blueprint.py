"""URL rules of the job pages (administrators)."""

from flask import Blueprint

from . import views
from .registry import kind_title

bp = Blueprint("lms_jobs", __name__)

bp.add_url_rule("/admin/jobs", view_func=views.job_list)
bp.add_url_rule("/admin/jobs/<int:job_id>", view_func=views.detail)
bp.add_url_rule("/admin/jobs/<int:job_id>.json", view_func=views.progress_json)
bp.add_url_rule("/admin/jobs/<int:job_id>/cancel", view_func=views.cancel, methods=["POST"])
bp.add_url_rule("/admin/jobs/<int:job_id>/resume", view_func=views.resume, methods=["POST"])


@bp.app_context_processor
def job_helpers():
    """``job_kind_title(kind)`` for any LMS template (e.g. a "recent jobs" list)."""
    return {"job_kind_title": kind_title}
