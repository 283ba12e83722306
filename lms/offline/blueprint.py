"""URL rules of the offline part (progressive web app)."""

from flask import Blueprint

from . import views
from .operations import user_key

bp = Blueprint("lms_offline", __name__)

bp.add_url_rule("/manifest.webmanifest", view_func=views.manifest)
bp.add_url_rule("/sw.js", view_func=views.service_worker)
bp.add_url_rule("/offline", view_func=views.offline_page)
bp.add_url_rule("/offline/sync.json", view_func=views.sync, methods=["POST"])
bp.add_url_rule(
    "/offline/courses/<course_slug>/<module_slug>.json", view_func=views.module_download
)
bp.add_app_template_global(user_key, "offline_user_key")
bp.add_app_template_global(views.scope, "offline_scope")
