"""URL rules of the site-wide pages; also serves the LMS's static files and templates."""

from flask import Blueprint

from . import views

bp = Blueprint(
    "lms_core",
    __name__,
    template_folder="../templates",
    static_folder="../static",
    static_url_path="/lms-static",
)

bp.add_url_rule("/", view_func=views.index)
bp.add_url_rule("/healthz", view_func=views.healthz)
bp.add_url_rule("/language", view_func=views.set_language, methods=["POST"])
